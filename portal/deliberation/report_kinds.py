"""The halls' reportable content (``portal.moderation.reports``): debate comments, debates and
proposals. Each kind is one ``register_reportable`` call; a tool that adds content (proposal
comments, ...) adds its own the same way."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.core.text import shorten
from portal.deliberation.models import Debate, DebateComment, Hall, HallEvent, Proposal, ProposalComment
from portal.moderation.reports import ItemInfo, Reportable, register_reportable

EXCERPT = 300


def _comment(session, comment_id: int):
    found = session.execute(
        select(DebateComment, Debate, Hall).join(Debate, Debate.id == DebateComment.debate_id)
        .join(Hall, Hall.id == Debate.hall_id)
        .where(DebateComment.id == comment_id)).first()
    if found is None or found[2].archived or not found[2].uses("debates"):
        return None
    comment, debate, hall = found
    comment.report_context = (debate, hall)  # for describe: no second query
    return comment


def _describe_comment(comment: DebateComment) -> ItemInfo:
    debate, hall = comment.report_context
    return ItemInfo(title=shorten(comment.body, 80, comment.locale),
                    excerpt=shorten(comment.body, EXCERPT, comment.locale), lang=comment.locale,
                    endpoint="deliberation.debate",
                    endpoint_args={"slug": hall.slug, "debate_id": debate.id},
                    anchor=f"comment-{comment.id}", area_id=hall.area_id)


def _debate(session, debate_id: int):
    debate = session.scalar(select(Debate).options(joinedload(Debate.hall)).where(Debate.id == debate_id))
    if debate is None or debate.hall.archived or not debate.hall.uses("debates"):
        return None
    return debate


def _describe_debate(debate: Debate) -> ItemInfo:
    return ItemInfo(title=debate.title, excerpt=shorten(debate.description, EXCERPT, debate.source_locale),
                    lang=debate.source_locale, endpoint="deliberation.debate",
                    endpoint_args={"slug": debate.hall.slug, "debate_id": debate.id},
                    area_id=debate.hall.area_id)


def _mark_timeline(session, hall_id: int, prefix: str, key: str, item) -> None:
    """The hall's timeline keeps its entries about a hidden item without its title (and
    conclusion): their data says ``hidden`` until the item is restored."""
    events = session.scalars(select(HallEvent).where(
        HallEvent.hall_id == hall_id, HallEvent.kind.startswith(prefix)))
    for event in events:
        if (event.data or {}).get(key) == item.id and bool(event.data.get("hidden")) != item.hidden:
            event.data = {**event.data, "hidden": item.hidden}


def _reindex_debate(session, debate: Debate) -> None:
    from portal.deliberation.debates import index_debate

    index_debate(session, debate)
    _mark_timeline(session, debate.hall_id, "debate_", "debate_id", debate)


def _proposal(session, proposal_id: int):
    proposal = session.scalar(select(Proposal).options(joinedload(Proposal.hall))
                              .where(Proposal.id == proposal_id))
    if proposal is None or not proposal.published or proposal.hall.archived:
        return None
    return proposal


def _describe_proposal(proposal: Proposal) -> ItemInfo:
    from portal.deliberation.proposals import plain_text

    return ItemInfo(title=proposal.title,
                    excerpt=shorten(plain_text(proposal), EXCERPT, proposal.source_locale),
                    lang=proposal.source_locale, endpoint="deliberation.proposal",
                    endpoint_args={"proposal_id": proposal.id}, area_id=proposal.area_id)


def _reindex_proposal(session, proposal: Proposal) -> None:
    from portal.deliberation.proposals import index_proposal

    index_proposal(session, proposal)
    _mark_timeline(session, proposal.hall_id, "proposal_", "proposal_id", proposal)


def _proposal_comment(session, comment_id: int):
    found = session.execute(
        select(ProposalComment, Proposal, Hall).join(Proposal, Proposal.id == ProposalComment.proposal_id)
        .join(Hall, Hall.id == Proposal.hall_id)
        .where(ProposalComment.id == comment_id)).first()
    if found is None or not found[1].published or found[1].hidden or found[2].archived:
        return None
    comment, proposal, _hall = found
    comment.report_context = proposal  # for describe: no second query
    return comment


def _describe_proposal_comment(comment: ProposalComment) -> ItemInfo:
    return ItemInfo(title=shorten(comment.body, 80, comment.locale),
                    excerpt=shorten(comment.body, EXCERPT, comment.locale), lang=comment.locale,
                    endpoint="deliberation.proposal",
                    endpoint_args={"proposal_id": comment.proposal_id},
                    anchor=f"comment-{comment.id}", area_id=comment.report_context.area_id)


def _hide_proposal_comment(session, comment: ProposalComment, hidden: bool, reason: str) -> None:
    comment.hidden = hidden
    comment.hidden_reason = reason if hidden else ""


def register() -> None:
    register_reportable(Reportable(
        "debate_comment", _l("comment"), _comment, lambda c: c.author_id, _describe_comment))
    register_reportable(Reportable(
        "debate", _l("debate"), _debate, lambda d: d.created_by_id, _describe_debate,
        after_change=_reindex_debate))
    register_reportable(Reportable(
        "proposal", _l("proposal"), _proposal, lambda p: p.author_id, _describe_proposal,
        after_change=_reindex_proposal))
    register_reportable(Reportable(
        "proposal_comment", _l("comment"), _proposal_comment, lambda c: c.author_id,
        _describe_proposal_comment, set_hidden=_hide_proposal_comment))


# --- demo: one comment waiting for the moderators, one they hid ----------------------------------

DEMO_SPAM = ("Cheap watches and phones, delivered tomorrow! Write to sales at fastdeals dot example.",
             "en")
DEMO_HIDDEN = ("这条评论和议题无关，已由版主隐藏。", "zh-Hans")


def seed(session) -> int:
    """In the city forum's open debate: a spam-like comment two people reported (in the staff
    queue) and a comment a moderator hid as off topic (its placeholder). Once: nothing when the
    debate has reported comments already."""
    from portal.core.models import User
    from portal.core.roles import MODERATOR
    from portal.moderation import reports
    from portal.moderation.models import ContentReport, ReportedItem

    if session.scalar(select(ReportedItem.id).where(ReportedItem.kind == "debate_comment").limit(1)):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    hall = session.scalar(select(Hall).where(Hall.slug == "riverbend-forum"))
    debate = session.scalar(select(Debate).where(Debate.hall_id == hall.id, Debate.state == "open")
                            .order_by(Debate.id)) if hall else None
    author = users.get("resident.zh@riverbend.example.org")
    reporters = [users.get(e) for e in ("resident@riverbend.example.org", "admin@riverbend.example.org")]
    moderator = next((u for u in users.values() if u.has_role(MODERATOR)), None)
    if debate is None or author is None or None in reporters or moderator is None:
        return 0
    made = []
    for body, locale in (DEMO_SPAM, DEMO_HIDDEN):
        item = DebateComment(debate_id=debate.id, depth=1, author_id=author.id, stance="neutral",
                             body=body, locale=locale)
        session.add(item)
        made.append(item)
    debate.comment_count += 2
    debate.neutral_count += 2
    session.commit()
    spam, hidden = made
    for reporter in reporters:
        reports.report(session, reporter, "debate_comment", spam.id, "spam", "")
    # The hidden one, as a moderator's decision leaves it (without mailing the demo author).
    hidden.hidden, hidden.hidden_reason, hidden.hidden_at = True, "off_topic", debate.created_at
    decided = ReportedItem(kind="debate_comment", item_id=hidden.id, author_id=author.id, report_count=1,
                           reasons={"off_topic": 1}, state="hidden", decided_by_id=moderator.id,
                           decided_at=debate.created_at, reason_code="off_topic")
    session.add(decided)
    session.flush()
    session.add(ContentReport(reported_item_id=decided.id, kind="debate_comment", item_id=hidden.id,
                              reporter_id=reporters[0].id, reason="off_topic"))
    spec, item = reports.load(session, "debate_comment", hidden.id)
    reports._sync_queue(session, spec, item, decided)
    session.commit()
    return 1
