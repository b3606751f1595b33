"""Factories per module: small functions that make valid rows with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import timedelta

from sqlalchemy.orm import Session

from portal.core.models import AuditEvent, MailboxMessage, OutboxMessage, User, UserRole, utcnow
from portal.core.passwords import hash_password
from portal.responsibility.models import Area, Department, staff_department

_seq = itertools.count(1)
PASSWORD = "correct horse battery"


class Factories:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- core: accounts -------------------------------------------------------------------

    def user(self, roles=(), departments=(), confirmed=True, locale="en", **kwargs) -> User:
        n = next(_seq)
        user = User(
            email=kwargs.pop("email", f"person{n}@example.org"),
            display_name=kwargs.pop("display_name", f"Person {n}"),
            password_hash=hash_password(kwargs.pop("password", PASSWORD)),
            locale=locale,
            email_confirmed_at=utcnow() if confirmed else None,
            roles=[UserRole(role=r) for r in roles if r != "resident"],
            **kwargs,
        )
        self.session.add(user)
        self.session.flush()
        for department in departments:
            self.session.execute(
                staff_department.insert().values(user_id=user.id, department_id=department.id)
            )
        self.session.commit()
        return user

    def admin(self, **kwargs) -> User:
        return self.user(roles=("administrator",), **kwargs)

    def blocked_user(self, **kwargs) -> User:
        return self.user(blocked_at=utcnow(), **kwargs)

    def users(self, count: int, prefix: str = "many", **kwargs) -> list[User]:
        """``count`` users in one commit (cheap hashes), oldest first."""
        password_hash = hash_password(PASSWORD)
        users = []
        for _ in range(count):
            n = next(_seq)
            users.append(User(
                email=f"{prefix}{n}@example.org", display_name=f"{prefix.title()} {n}",
                password_hash=password_hash, locale="en", email_confirmed_at=utcnow(), **kwargs,
            ))
        self.session.add_all(users)
        self.session.commit()
        return users

    # --- core: audit, outbox, mailbox -----------------------------------------------------

    def audit_event(self, actor=None, action="role.granted", target=None, **details) -> AuditEvent:
        event = AuditEvent(
            actor_id=actor.id if actor else None, action=action, target_type="user",
            target_id=target.id if target else None, details=details,
        )
        self.session.add(event)
        self.session.commit()
        return event

    def outbox_message(self, recipient=None, locale="en", due_in: timedelta | None = None,
                       **kwargs) -> OutboxMessage:
        n = next(_seq)
        message = OutboxMessage(
            kind="email", recipient=recipient or f"mail{n}@example.org",
            subject=kwargs.pop("subject", f"Subject {n}"), body=kwargs.pop("body", f"Body {n}"),
            locale=locale,
            next_attempt_at=utcnow() + (due_in if due_in is not None else timedelta(seconds=-1)),
            **kwargs,
        )
        self.session.add(message)
        self.session.commit()
        return message

    def mailbox_message(self, recipient=None, locale="en", **kwargs) -> MailboxMessage:
        outbox = self.outbox_message(recipient=recipient, locale=locale, sent_at=utcnow())
        message = MailboxMessage(
            outbox_id=outbox.id, sender="portal@example.org", recipient=outbox.recipient,
            subject=kwargs.pop("subject", outbox.subject), body=kwargs.pop("body", outbox.body),
            locale=locale, **kwargs,
        )
        self.session.add(message)
        self.session.commit()
        return message

    # --- responsibility -------------------------------------------------------------------

    def department(self, code=None, parent=None, **names) -> Department:
        n = next(_seq)
        names = {k.replace("_", "-"): v for k, v in names.items()}
        department = Department(
            code=code or f"dept-{n}", level="city" if parent is None else "district",
            parent=parent, name_i18n=names or {"en": f"Department {n}"}, source_locale="en",
        )
        self.session.add(department)
        self.session.commit()
        return department

    def area(self, code=None, parent=None, source_locale="en", **names) -> Area:
        """Names as keyword arguments by URL code; ``zh-Hans`` is spelt ``zh_Hans`` here."""
        n = next(_seq)
        names = {k.replace("_", "-"): v for k, v in names.items()}
        area = Area(
            code=code or f"area-{n}", level="city" if parent is None else "district",
            parent=parent, name_i18n=names or {"en": f"Area {n}"}, source_locale=source_locale,
        )
        self.session.add(area)
        self.session.commit()
        return area

    # --- feedback: the public tracker -------------------------------------------------------

    def service_category(self, code=None, group=None, ack_hours=8, resolve_days=10, **names):
        """A request category (and its group, unless one is given)."""
        from portal.responsibility.models import CategoryGroup, ServiceCategory

        n = next(_seq)
        if group is None:
            group = CategoryGroup(code=f"group-{n}", name_i18n={"en": f"Group {n}"})
        names = {k.replace("_", "-"): v for k, v in names.items()}
        category = ServiceCategory(
            service_code=code or f"cat-{n}", group=group, name_i18n=names or {"en": f"Category {n}"},
            description_i18n={"en": f"Category {n}"}, ack_hours=ack_hours, resolve_days=resolve_days,
        )
        self.session.add(category)
        self.session.commit()
        return category

    def feedback_requests(self, count, category, area, department, resident=None, state="acknowledged",
                          title="Broken paving stone", **fields):
        """``count`` requests in a few statements, each with a real hash-chained timeline
        (submitted → routed → acknowledged), as the services would leave them; oldest first.
        Fast enough for hundreds: no routing, no queue, no notifications. ``category`` and
        ``area`` may be lists: the requests take them in turn."""
        from portal.core.calendar import Calendar
        from portal.feedback import services
        from portal.feedback import states as st
        from portal.feedback.models import Request, RequestEvent

        categories = category if isinstance(category, list | tuple) else [category]
        areas = area if isinstance(area, list | tuple) else [area]
        now = utcnow()
        ack = Calendar(self.session).add_working_hours(now, categories[0].ack_hours)
        resolve = Calendar(self.session).add_working_days(now, categories[0].resolve_days)
        requests = []
        description = fields.pop("description", None)
        for i in range(count):
            requests.append(Request(
                category_id=categories[i % len(categories)].id, area_id=areas[i % len(areas)].id,
                title=f"{title} {i + 1}",
                description=description or f"{title} {i + 1}: please repair it.",
                source_locale="en", location_text="1 Main Street",
                resident_id=resident.id if resident else None,
                contact_name=resident.display_name if resident else "A visitor",
                contact_email=resident.email if resident else f"visitor{i}@example.org",
                state=state, state_type=st.STATES[state].type, lead_department_id=department.id,
                ack_due_at=ack.due, resolve_due_at=resolve.due,
                deadline_explanation={"acknowledge": ack.explanation, "resolve": resolve.explanation,
                                      "changes": []},
                acknowledged_at=now if state != "routed" else None, created_at=now, updated_at=now,
                **fields,
            ))
        self.session.add_all(requests)
        self.session.flush()
        steps = [("submitted", "unconfirmed", "unconfirmed", "resident", {}),
                 ("routed", "unconfirmed", "routed", "system", {"department": department.code})]
        if state != "routed":
            steps.append(("acknowledged", "routed", state, "staff", {"on_time": True}))
        for request in requests:
            request.tracking_code = f"R-{now.year}-{request.id:06d}"
            previous = None
            for seq, (kind, from_state, to_state, role, data) in enumerate(steps, start=1):
                event = RequestEvent(
                    request_id=request.id, seq=seq, created_at=now, kind=kind,
                    actor_id=resident.id if resident and role == "resident" else None,
                    actor_role=role, from_state=from_state, to_state=to_state, data=data,
                    prev_hash=previous,
                )
                event.hash = services.event_hash(event)
                previous = event.hash
                self.session.add(event)
            request.last_event_hash = previous
        self.session.flush()
        from portal.core import search

        search.bulk_index(self.session, "request", [services.search_document(r) for r in requests])
        self.session.commit()
        return requests

    # --- responsibility: groups, rules ---------------------------------------------------------

    def category_group(self, code=None, position=0, **names):
        from portal.responsibility.models import CategoryGroup

        n = next(_seq)
        names = {k.replace("_", "-"): v for k, v in names.items()}
        group = CategoryGroup(code=code or f"group-{n}", position=position,
                              name_i18n=names or {"en": f"Group {n}"})
        self.session.add(group)
        self.session.commit()
        return group

    def responsibility_rule(self, category, area, lead, co=(), effective_from=None,
                            effective_to=None, note=""):
        """A rule written directly (no audit, no history checks): ``set_rule`` is the service."""
        from datetime import date

        from portal.responsibility.models import ResponsibilityRule

        rule = ResponsibilityRule(
            category=category, area=area, lead_department=lead, co_departments=list(co),
            effective_from=effective_from or date(2026, 1, 1), effective_to=effective_to, note=note,
        )
        self.session.add(rule)
        self.session.commit()
        return rule

    # --- literacy: courses ----------------------------------------------------------------------

    def course(self, lessons=1, steps=3, quiz=True, questions=2, state="published", author=None,
               pass_mark=70, slug=None, **kwargs):
        """A course of ``lessons`` lessons, each ``steps`` text steps and, with ``quiz``, a last
        quiz step of ``questions`` single-choice questions (the first choice right)."""
        from portal.literacy.models import Course, Lesson, LessonStep, QuizChoice, QuizQuestion

        n = next(_seq)
        course = Course(
            slug=slug or f"course-{n}", title_i18n=kwargs.pop("title_i18n", {"en": f"Course {n}"}),
            summary_i18n=kwargs.pop("summary_i18n", {"en": f"What course {n} teaches."}),
            state=state, pass_mark=pass_mark, author_department=author,
            published_at=utcnow() if state == "published" else None, **kwargs,
        )
        for li in range(1, lessons + 1):
            lesson = Lesson(slug=f"lesson-{li}", position=li, title_i18n={"en": f"Lesson {li}"})
            for si in range(1, steps + 1):
                lesson.steps.append(LessonStep(
                    position=si, kind="text", title_i18n={"en": f"Step {si}"},
                    body_i18n={"en": f"What step {si} of lesson {li} says."}))
            if quiz:
                step = LessonStep(position=steps + 1, kind="quiz", title_i18n={"en": "Check"},
                                  body_i18n={"en": "Answer these questions."})
                for qi in range(1, questions + 1):
                    question = QuizQuestion(
                        position=qi, text_i18n={"en": f"Question {qi}?"},
                        explanation_i18n={"en": f"Why answer A is right for question {qi}."})
                    question.choices = [
                        QuizChoice(position=1, text_i18n={"en": "Answer A"}, correct=True),
                        QuizChoice(position=2, text_i18n={"en": "Answer B"}, correct=False),
                    ]
                    step.questions.append(question)
                lesson.steps.append(step)
            course.lessons.append(lesson)
        self.session.add(course)
        self.session.commit()
        return course
