"""Who gets past the door: every route of the URL map × every method × seven roles.

The world is the demo city (``portal.seed``), built once per module in a database of its own,
so URLs with ids name real rows: a request routed to the roads bureau and written by the
resident, a hall with a proposal, a disclosure request, a course and a class, an organization
with its member. Each request runs in a transaction rolled back afterwards, so a POST that
logs out, blocks or deletes leaves the world as it was for the next one.

``EXPECTED`` gives, for every (endpoint, method), the answer of each role in the order of
``ROLES``, one letter a role:

    O  past the door: 200, 303 or a redirect elsewhere, a 400/409/422 form error — anything
       but the letters below (the empty POST fails validation; that is not this test's point)
    L  sent to the login page (302 to /account/login)
    F  403 Forbidden
    N  404 Not found (the row is hidden from this role, or a URL argument names nothing)

A route missing from the table fails ``test_every_route_is_in_the_table`` with the line to
add. CSRF is off here (``tests/functional/core/test_csrf.py`` proves every POST needs it).
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from sqlalchemy import text

from portal.seed import DEMO_PASSWORD
from tests.functional.support import build_url, kept_extension_state, url_map_app

ROLES = {  # role -> demo account (None: anonymous)
    "anonymous": None,
    "resident": "resident@riverbend.example.org",  # writes R-…001 and D-…001, in the forum
    "organization_member": "org@riverbend.example.org",  # admin of digital-bridges
    "other_staff": "water@riverbend.example.org",  # staff of another department
    "staff": "roads@riverbend.example.org",  # staff of the roads bureau, which handles them
    "moderator": "moderator@riverbend.example.org",
    "administrator": "admin@riverbend.example.org",
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> list[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        for method in rule.methods - SKIPPED_METHODS:
            found.add((rule.endpoint, method))
    return sorted(found)


ROUTES = routes(url_map_app())

# Named answers shared by many routes (anonymous, resident, org member, other staff, staff,
# moderator, administrator).
PUBLIC = "OOOOOOO"
SIGNED_IN = "LOOOOOO"
ADMIN = "LFFFFFO"

EXPECTED: dict[tuple[str, str], str] = {
    # accounts
    ("accounts.change_email", "POST"): SIGNED_IN,
    # the form's own refusals (staff may not delete themselves) come after its validation
    ("accounts.delete_account", "POST"): SIGNED_IN,
    # the seeded city holds no export: only its owner would get past (test_privacy.py)
    ("accounts.download_data_export", "GET"): "LNNNNNN",
    ("accounts.privacy_page", "GET"): SIGNED_IN,
    ("accounts.request_data_export", "POST"): SIGNED_IN,
    ("accounts.change_password", "POST"): SIGNED_IN,
    ("accounts.check_email", "GET"): PUBLIC,
    ("accounts.confirm", "GET"): PUBLIC,
    ("accounts.forgot_password", "GET"): PUBLIC,
    ("accounts.forgot_password", "POST"): PUBLIC,
    ("accounts.login", "GET"): PUBLIC,
    ("accounts.login", "POST"): PUBLIC,
    ("accounts.logout", "POST"): PUBLIC,
    ("accounts.mark_notifications_read", "POST"): SIGNED_IN,
    ("accounts.notifications", "GET"): SIGNED_IN,
    ("accounts.register", "GET"): PUBLIC,
    ("accounts.register", "POST"): PUBLIC,
    ("accounts.register_check", "POST"): PUBLIC,
    ("accounts.resend_confirmation", "POST"): SIGNED_IN,
    ("accounts.reset_password", "GET"): PUBLIC,
    ("accounts.reset_password", "POST"): PUBLIC,
    ("accounts.save_preferences", "POST"): SIGNED_IN,
    ("accounts.sent_mail_message", "GET"): "NNNNNNN",  # only the browser the mail was for
    ("accounts.settings", "GET"): SIGNED_IN,
    # admin
    ("admin.personal_data_log", "GET"): ADMIN,
    ("admin.audit", "GET"): ADMIN,
    ("admin.block", "POST"): ADMIN,
    ("admin.index", "GET"): ADMIN,
    ("admin.mailbox", "GET"): ADMIN,
    ("admin.mailbox_message", "GET"): "LFFFFFN",  # no mail in the embedded mailbox
    ("admin.user", "GET"): ADMIN,
    ("admin.user", "POST"): ADMIN,
    ("admin.users", "GET"): ADMIN,
    # core
    ("core.accessibility", "GET"): PUBLIC,
    ("core.gallery", "GET"): PUBLIC,
    ("core.gallery", "POST"): PUBLIC,
    ("core.home", "GET"): PUBLIC,
    ("core.site_search_page", "GET"): PUBLIC,
    ("core.switch_language", "GET"): PUBLIC,
    ("core.text_size", "POST"): PUBLIC,
    ("core.text_size_link", "GET"): PUBLIC,
    # deliberation
    ("deliberation.add_agenda_item", "POST"): ADMIN,
    ("deliberation.add_decision", "POST"): ADMIN,
    ("deliberation.add_milestone", "POST"): "LFFFFFF",
    ("deliberation.answer_proposal", "POST"): "LFFFFFF",
    ("deliberation.cancel_meeting", "POST"): ADMIN,
    ("deliberation.cast_ballot", "POST"): "LOFFFFO",
    ("deliberation.close", "POST"): ADMIN,
    ("deliberation.close_poll", "POST"): ADMIN,
    ("deliberation.comment", "POST"): "LOFFFFO",
    ("deliberation.comment_proposal", "POST"): "LOFFFFO",
    ("deliberation.debate", "GET"): PUBLIC,
    ("deliberation.debates", "GET"): PUBLIC,
    ("deliberation.decide_amendment", "POST"): "LOFFFFF",
    ("deliberation.edit_agenda_item", "GET"): ADMIN,
    ("deliberation.edit_agenda_item", "POST"): ADMIN,
    ("deliberation.edit_meeting", "GET"): ADMIN,
    ("deliberation.edit_meeting", "POST"): ADMIN,
    ("deliberation.edit_poll", "GET"): ADMIN,
    ("deliberation.edit_poll", "POST"): ADMIN,
    ("deliberation.edit_proposal", "GET"): "LFFFFFF",
    ("deliberation.edit_proposal", "POST"): "LFFFFFF",
    ("deliberation.endorse", "POST"): "LOFFFFO",
    ("deliberation.follow", "POST"): SIGNED_IN,
    ("deliberation.following", "GET"): SIGNED_IN,
    ("deliberation.hall", "GET"): PUBLIC,
    ("deliberation.index", "GET"): PUBLIC,
    ("deliberation.invite", "POST"): ADMIN,
    ("deliberation.join", "POST"): SIGNED_IN,
    ("deliberation.leave", "POST"): SIGNED_IN,
    ("deliberation.manage_meeting", "GET"): ADMIN,
    ("deliberation.meeting", "GET"): PUBLIC,
    ("deliberation.meeting_ics_file", "GET"): PUBLIC,
    ("deliberation.meetings_ics_feed", "GET"): PUBLIC,
    ("deliberation.members", "GET"): ADMIN,
    ("deliberation.move_agenda_item", "POST"): ADMIN,
    ("deliberation.new", "GET"): "LFFOOFO",
    ("deliberation.new", "POST"): "LFFOOFO",
    ("deliberation.new_debate", "GET"): ADMIN,
    ("deliberation.new_debate", "POST"): ADMIN,
    ("deliberation.new_meeting", "GET"): ADMIN,
    ("deliberation.new_meeting", "POST"): ADMIN,
    ("deliberation.new_poll", "GET"): ADMIN,
    ("deliberation.new_poll", "POST"): ADMIN,
    ("deliberation.new_proposal", "GET"): "LOFFFFO",
    ("deliberation.new_proposal", "POST"): "LOFFFFO",
    ("deliberation.poll", "GET"): PUBLIC,
    ("deliberation.poll_results_csv", "GET"): PUBLIC,
    ("deliberation.proposal", "GET"): PUBLIC,
    ("deliberation.proposals", "GET"): PUBLIC,
    ("deliberation.propose_amendment", "POST"): ADMIN,
    ("deliberation.publish_minutes", "POST"): ADMIN,
    ("deliberation.publish_proposal", "POST"): "LFFFFFF",
    ("deliberation.record_attendance", "POST"): ADMIN,
    ("deliberation.register", "POST"): "LOFFFFO",
    ("deliberation.remove_agenda_item", "POST"): ADMIN,
    ("deliberation.remove_decision", "POST"): ADMIN,
    ("deliberation.remove_follow", "POST"): "LONNNNN",
    ("deliberation.remove_member", "POST"): ADMIN,
    ("deliberation.set_frequency", "POST"): "LONNNNN",
    ("deliberation.set_role", "POST"): ADMIN,
    ("deliberation.settings", "GET"): ADMIN,
    ("deliberation.settings", "POST"): ADMIN,
    ("deliberation.support_proposal", "POST"): "LOFFFFO",
    ("deliberation.unfollow", "POST"): SIGNED_IN,
    ("deliberation.unregister", "POST"): SIGNED_IN,
    ("deliberation.unsupport_proposal", "POST"): SIGNED_IN,
    ("deliberation.withdraw_proposal", "POST"): "LOFFFFF",
    # feedback
    ("feedback.add_information", "POST"): "LOFFFFF",
    ("feedback.attachment", "GET"): "NNNNNNN",  # the demo requests have no files
    ("feedback.confirm_visitor", "GET"): "NNNNNNN",  # a token only mail carries
    ("feedback.detail", "GET"): PUBLIC,
    ("feedback.find", "GET"): PUBLIC,
    ("feedback.follow", "POST"): SIGNED_IN,
    ("feedback.hotspots", "GET"): PUBLIC,
    ("feedback.hotspots_csv", "GET"): PUBLIC,
    ("feedback.index", "GET"): PUBLIC,
    ("feedback.metrics", "GET"): PUBLIC,
    ("feedback.mine", "GET"): SIGNED_IN,
    ("feedback.new", "GET"): PUBLIC,
    ("feedback.new_category", "GET"): PUBLIC,
    ("feedback.new_category", "POST"): PUBLIC,
    ("feedback.new_details", "GET"): PUBLIC,
    ("feedback.new_details", "POST"): PUBLIC,
    ("feedback.new_discard", "POST"): PUBLIC,
    ("feedback.new_file_remove", "POST"): PUBLIC,
    ("feedback.new_files", "GET"): PUBLIC,
    ("feedback.new_files", "POST"): PUBLIC,
    ("feedback.new_follow", "POST"): SIGNED_IN,
    ("feedback.new_review", "GET"): PUBLIC,
    ("feedback.new_review", "POST"): PUBLIC,
    ("feedback.provide_information", "POST"): "LOFFFFF",
    ("feedback.remove_details", "GET"): "LOFFFFF",
    ("feedback.remove_details", "POST"): "LOFFFFF",
    ("feedback.requests_geojson", "GET"): PUBLIC,
    ("feedback.requests_map", "GET"): PUBLIC,
    ("feedback.respond", "POST"): "LOFFFFF",
    ("feedback.submitted", "GET"): "NNNNNNN",  # only the browser that submitted it
    ("feedback.thumbnail", "GET"): "NNNNNNN",  # the demo requests have no files
    ("feedback.unfollow", "POST"): SIGNED_IN,
    ("feedback.verify", "GET"): PUBLIC,
    ("feedback.withdraw", "GET"): "LOFFFFF",
    ("feedback.withdraw", "POST"): "LOFFFFF",
    # feedback_staff
    ("feedback_staff.acknowledge", "POST"): "LFFFOOO",
    ("feedback_staff.answer", "POST"): "LFFFOOO",
    ("feedback_staff.ask", "POST"): "LFFFOOO",
    ("feedback_staff.assign", "POST"): "LFFFOOO",
    ("feedback_staff.close", "POST"): "LFFFOOO",
    ("feedback_staff.detail", "GET"): "LFFFOOO",
    ("feedback_staff.extend", "POST"): "LFFFOOO",
    ("feedback_staff.file", "GET"): "LFFFNNN",  # the demo requests have no files
    ("feedback_staff.invite", "POST"): "LFFFOOO",
    ("feedback_staff.note", "POST"): "LFFFOOO",
    ("feedback_staff.reassign", "POST"): "LFFFFOO",  # the dispatcher's (and moderators') power
    ("feedback_staff.return_to_dispatcher", "POST"): "LFFFOOO",
    ("feedback_staff.start", "POST"): "LFFFOOO",
    ("feedback_staff.template_delete", "POST"): "LFFNNNN",  # no reply template in the demo city
    ("feedback_staff.template_edit", "GET"): "LFFNNNN",  # no reply template in the demo city
    ("feedback_staff.template_edit", "POST"): "LFFNNNN",  # no reply template in the demo city
    ("feedback_staff.template_new", "GET"): "LFFOOFO",
    ("feedback_staff.template_new", "POST"): "LFFOOFO",
    ("feedback_staff.templates", "GET"): "LFFOOOO",
    # literacy
    ("literacy.answer", "POST"): SIGNED_IN,
    ("literacy.certificate", "GET"): SIGNED_IN,
    ("literacy.certificate", "POST"): SIGNED_IN,
    ("literacy.course", "GET"): PUBLIC,
    ("literacy.courses", "GET"): PUBLIC,
    ("literacy.mark_done", "POST"): SIGNED_IN,
    ("literacy.mine", "GET"): SIGNED_IN,
    ("literacy.print_lesson", "GET"): PUBLIC,
    ("literacy.step", "GET"): PUBLIC,
    ("literacy.verify", "GET"): PUBLIC,
    # literacy_admin
    ("literacy_admin.class_csv", "GET"): ADMIN,
    ("literacy_admin.class_page", "GET"): ADMIN,
    ("literacy_admin.class_state", "POST"): ADMIN,
    ("literacy_admin.classes_index", "GET"): "LFOOOFO",
    ("literacy_admin.course", "GET"): ADMIN,
    ("literacy_admin.course_state", "POST"): ADMIN,
    ("literacy_admin.courses", "GET"): "LFOOOFO",
    ("literacy_admin.delete_lesson", "POST"): ADMIN,
    ("literacy_admin.delete_question", "POST"): ADMIN,
    ("literacy_admin.delete_step", "POST"): ADMIN,
    ("literacy_admin.edit_course", "GET"): ADMIN,
    ("literacy_admin.edit_course", "POST"): ADMIN,
    ("literacy_admin.file", "GET"): "NNNNNNN",  # files are named by their hash
    ("literacy_admin.join", "GET"): SIGNED_IN,
    ("literacy_admin.join", "POST"): SIGNED_IN,
    ("literacy_admin.leave", "POST"): "LONNNNN",
    ("literacy_admin.lesson", "GET"): ADMIN,
    ("literacy_admin.lesson", "POST"): ADMIN,
    ("literacy_admin.move_lesson", "POST"): ADMIN,
    ("literacy_admin.move_step", "POST"): ADMIN,
    ("literacy_admin.my_classes", "GET"): SIGNED_IN,
    ("literacy_admin.new_class", "GET"): "LFOOOFO",
    ("literacy_admin.new_class", "POST"): "LFOOOFO",
    ("literacy_admin.new_course", "GET"): "LFOOOFO",
    ("literacy_admin.new_course", "POST"): "LFOOOFO",
    ("literacy_admin.new_lesson", "GET"): ADMIN,
    ("literacy_admin.new_lesson", "POST"): ADMIN,
    ("literacy_admin.new_question", "GET"): ADMIN,
    ("literacy_admin.new_question", "POST"): ADMIN,
    ("literacy_admin.new_step", "GET"): ADMIN,
    ("literacy_admin.new_step", "POST"): ADMIN,
    ("literacy_admin.question", "GET"): ADMIN,
    ("literacy_admin.question", "POST"): ADMIN,
    ("literacy_admin.remove_learner", "POST"): ADMIN,
    ("literacy_admin.step", "GET"): ADMIN,
    ("literacy_admin.step", "POST"): ADMIN,
    # moderation
    ("moderation.bulk", "POST"): "LFOOOOO",
    ("moderation.decide", "POST"): "LFFFFOO",
    ("moderation.queue", "GET"): "LFOOOOO",
    ("moderation.reported", "GET"): "LFFFFOO",
    ("moderation.row_action", "POST"): "LFNNOOO",
    # open311
    ("open311.create_request", "POST"): "FFFFFFF",  # an API key, not a session
    ("open311.create_update", "POST"): "FFFFFFF",  # an API key, not a session
    ("open311.discovery", "GET"): PUBLIC,
    ("open311.request_detail", "GET"): PUBLIC,
    ("open311.request_list", "GET"): PUBLIC,
    ("open311.service_definition", "GET"): PUBLIC,
    ("open311.service_list", "GET"): PUBLIC,
    ("open311.token", "GET"): "NNNNNNN",  # a token only the API answer carries
    ("open311.update_list", "GET"): PUBLIC,
    # open311_admin
    ("open311_admin.create", "POST"): ADMIN,
    ("open311_admin.keys", "GET"): ADMIN,
    ("open311_admin.revoke", "POST"): "LFFFFFN",  # the demo city has no API key
    # opendata
    ("opendata.dataset", "GET"): PUBLIC,
    ("opendata.dictionary", "GET"): PUBLIC,
    ("opendata.download_csv", "GET"): PUBLIC,
    ("opendata.download_json", "GET"): PUBLIC,
    ("opendata.index", "GET"): PUBLIC,
    # opendata_api
    ("opendata_api.areas", "GET"): PUBLIC,
    ("opendata_api.departments", "GET"): PUBLIC,
    ("opendata_api.disclosure-requests", "GET"): PUBLIC,
    ("opendata_api.halls", "GET"): PUBLIC,
    ("opendata_api.hotspots", "GET"): PUBLIC,
    ("opendata_api.metrics", "GET"): PUBLIC,
    ("opendata_api.openapi", "GET"): PUBLIC,
    ("opendata_api.proposals", "GET"): PUBLIC,
    ("opendata_api.publications", "GET"): PUBLIC,
    ("opendata_api.requests", "GET"): PUBLIC,
    ("opendata_api.responsibility", "GET"): PUBLIC,
    # organizations
    ("organizations.add_service", "POST"): "LFOFFFO",
    ("organizations.decide", "POST"): "LFFFFOO",
    ("organizations.details", "POST"): "LFOFFFO",
    ("organizations.index", "GET"): PUBLIC,
    ("organizations.invite", "POST"): "LFOFFFO",
    ("organizations.join", "POST"): "LNONNNN",
    ("organizations.leave", "POST"): "LNONNNN",
    ("organizations.manage", "GET"): "LFOFFOO",
    ("organizations.mine", "GET"): SIGNED_IN,
    ("organizations.organization", "GET"): PUBLIC,
    ("organizations.register", "GET"): SIGNED_IN,
    ("organizations.register", "POST"): SIGNED_IN,
    ("organizations.remove_member", "POST"): "LFOFFFO",
    ("organizations.remove_service", "POST"): "LFOFFFO",
    # practice
    ("practice.form", "GET"): PUBLIC,
    ("practice.form", "POST"): PUBLIC,
    # reports
    ("reports.report", "GET"): "LFOOOOO",  # the resident wrote the comment: not theirs to report
    ("reports.report", "POST"): "LFOOOOO",
    # responsibility
    ("responsibility.category", "GET"): PUBLIC,
    ("responsibility.department", "GET"): PUBLIC,
    ("responsibility.departments", "GET"): PUBLIC,
    ("responsibility.index", "GET"): PUBLIC,
    # responsibility_admin
    ("responsibility_admin.area_edit", "GET"): ADMIN,
    ("responsibility_admin.area_edit", "POST"): ADMIN,
    ("responsibility_admin.area_new", "GET"): ADMIN,
    ("responsibility_admin.area_new", "POST"): ADMIN,
    ("responsibility_admin.areas", "GET"): ADMIN,
    ("responsibility_admin.attribute_edit", "GET"): ADMIN,
    ("responsibility_admin.attribute_edit", "POST"): ADMIN,
    ("responsibility_admin.attribute_new", "GET"): ADMIN,
    ("responsibility_admin.attribute_new", "POST"): ADMIN,
    ("responsibility_admin.attribute_remove", "POST"): ADMIN,
    ("responsibility_admin.boundaries_confirm", "POST"): ADMIN,
    ("responsibility_admin.boundaries_preview", "GET"): ADMIN,
    ("responsibility_admin.boundaries_upload", "GET"): ADMIN,
    ("responsibility_admin.boundaries_upload", "POST"): ADMIN,
    ("responsibility_admin.calendar", "GET"): ADMIN,
    ("responsibility_admin.calendar", "POST"): ADMIN,
    ("responsibility_admin.calendar_day", "GET"): ADMIN,
    ("responsibility_admin.calendar_day", "POST"): ADMIN,
    ("responsibility_admin.calendar_now", "GET"): ADMIN,
    ("responsibility_admin.calendar_remove", "POST"): ADMIN,
    ("responsibility_admin.categories", "GET"): ADMIN,
    ("responsibility_admin.category_edit", "GET"): ADMIN,
    ("responsibility_admin.category_edit", "POST"): ADMIN,
    ("responsibility_admin.category_new", "GET"): ADMIN,
    ("responsibility_admin.category_new", "POST"): ADMIN,
    ("responsibility_admin.check", "GET"): ADMIN,
    ("responsibility_admin.department_edit", "GET"): ADMIN,
    ("responsibility_admin.department_edit", "POST"): ADMIN,
    ("responsibility_admin.department_new", "GET"): ADMIN,
    ("responsibility_admin.department_new", "POST"): ADMIN,
    ("responsibility_admin.departments", "GET"): ADMIN,
    ("responsibility_admin.group_edit", "GET"): ADMIN,
    ("responsibility_admin.group_edit", "POST"): ADMIN,
    ("responsibility_admin.group_new", "GET"): ADMIN,
    ("responsibility_admin.group_new", "POST"): ADMIN,
    ("responsibility_admin.index", "GET"): ADMIN,
    ("responsibility_admin.rule_end", "GET"): ADMIN,
    ("responsibility_admin.rule_end", "POST"): ADMIN,
    ("responsibility_admin.rule_new", "GET"): ADMIN,
    ("responsibility_admin.rule_new", "POST"): ADMIN,
    ("responsibility_admin.rules", "GET"): ADMIN,
    # responsibility_api
    ("responsibility_api.area", "GET"): PUBLIC,
    ("responsibility_api.area_at", "GET"): PUBLIC,
    ("responsibility_api.areas", "GET"): PUBLIC,
    # root
    # operators' metrics: from loopback (the test client's address) without a token
    ("monitoring.metrics", "GET"): PUBLIC,
    ("root.healthz", "GET"): PUBLIC,
    ("root.healthz_web", "GET"): PUBLIC,
    ("root.root", "GET"): PUBLIC,
    ("root.unprefixed", "GET"): PUBLIC,
    # static
    ("static", "GET"): PUBLIC,
    # transparency
    ("transparency.annual_report_csv", "GET"): PUBLIC,
    ("transparency.annual_report_page", "GET"): PUBLIC,
    ("transparency.answer", "POST"): "LFFFOFO",
    ("transparency.ask", "GET"): SIGNED_IN,
    ("transparency.ask", "POST"): SIGNED_IN,
    ("transparency.ask_correction", "POST"): "LFFFOFO",
    ("transparency.catalog_add_file", "POST"): "LFFFOFO",
    ("transparency.catalog_category_feed", "GET"): PUBLIC,
    ("transparency.catalog_csv", "GET"): PUBLIC,
    ("transparency.catalog_department_feed", "GET"): PUBLIC,
    ("transparency.catalog_edit", "GET"): "LFFFOFO",
    ("transparency.catalog_edit", "POST"): "LFFFOFO",
    ("transparency.catalog_feed", "GET"): PUBLIC,
    ("transparency.catalog_from_request", "POST"): "LFFFOFO",
    ("transparency.catalog_guide", "GET"): PUBLIC,
    ("transparency.catalog_index", "GET"): PUBLIC,
    ("transparency.catalog_manage", "GET"): "LFFFOFO",
    ("transparency.catalog_mine", "GET"): "LFFOOFO",
    ("transparency.catalog_new", "GET"): "LFFOOFO",
    ("transparency.catalog_new", "POST"): "LFFOOFO",
    ("transparency.catalog_publish", "POST"): "LFFFOFO",
    ("transparency.catalog_remove_file", "POST"): "LFFFOFO",
    ("transparency.catalog_submit", "POST"): "LFFFOFO",
    ("transparency.catalog_translate", "POST"): "LFFFOFO",
    ("transparency.catalog_withdraw", "POST"): "LFFFOFO",
    ("transparency.dashboard", "GET"): PUBLIC,
    ("transparency.dashboard_staff", "GET"): "LFFOOFO",
    ("transparency.detail", "GET"): PUBLIC,
    ("transparency.extend", "POST"): "LFFFOFO",
    ("transparency.index", "GET"): PUBLIC,
    ("transparency.mine", "GET"): SIGNED_IN,
    ("transparency.pause", "POST"): "LFFFOFO",
    ("transparency.publication", "GET"): PUBLIC,
    ("transparency.publication_file", "GET"): "NNNNNNN",  # the file belongs to another publication
    ("transparency.publication_version", "GET"): PUBLIC,
    ("transparency.received", "GET"): "LOFFFFF",
    ("transparency.reply", "POST"): "LOFFFFF",
    ("transparency.reports", "GET"): PUBLIC,
    ("transparency.resume", "POST"): "LFFFOFO",
}


def test_every_route_is_in_the_table():
    missing = [r for r in ROUTES if r not in EXPECTED]
    assert not missing, (
        "Routes without an expected answer per role: add them to EXPECTED in "
        "tests/functional/test_authorization_matrix.py, e.g.\n"
        + "\n".join(f'    ("{e}", "{m}"): "LFFFFFO",' for e, m in missing))
    stale = [r for r in EXPECTED if r not in ROUTES]
    assert not stale, f"EXPECTED names routes that no longer exist: {stale}"


# --- the world -----------------------------------------------------------------------------

def _scalar(session, sql, **params):
    value = session.execute(text(sql), params).scalar()
    assert value is not None, sql
    return value


def _values(session) -> dict:
    """URL arguments naming real rows, by "endpoint.argument" or by argument."""
    s = lambda sql, **p: _scalar(session, sql, **p)  # noqa: E731
    resident = s("SELECT id FROM user_account WHERE email = :e", e=ROLES["resident"])
    roads = s("SELECT id FROM department WHERE code = 'roads'")
    request_code = s("SELECT tracking_code FROM feedback_request WHERE resident_id = :r "
                     "AND lead_department_id = :d ORDER BY id", r=resident, d=roads)
    disclosure = s("SELECT tracking_code FROM disclosure_request WHERE requester_id = :r "
                   "AND department_id = :d ORDER BY id", r=resident, d=roads)
    hall = s("SELECT id FROM hall WHERE slug = 'riverbend-forum'")
    meeting = s("SELECT meeting_id FROM meeting_decision ORDER BY id")
    question = s("SELECT MIN(id) FROM quiz_question")
    step = s("SELECT step_id FROM quiz_question WHERE id = :q", q=question)
    lesson = s("SELECT lesson_id FROM lesson_step WHERE id = :s", s=step)
    course = s("SELECT course_id FROM lesson WHERE id = :l", l=lesson)
    organization = s("SELECT id FROM organization WHERE slug = 'digital-bridges'")
    publication = s("SELECT id FROM publication WHERE department_id = :d AND state = 'published' "
                    "ORDER BY id", d=roads)
    category = s("SELECT id FROM service_category WHERE service_code = 'pothole'")
    values = {
        "code": request_code,
        "service_code": "pothole",
        "department_code": "roads",
        "user_id": resident,
        "fmt": "json",
        "year": 2026,
        "path": "requests",
        "filename": "css/portal.css",
        "kind": "hall",
        "target_id": hall,
        "slug": "riverbend-forum",
        "debate_id": s("SELECT id FROM debate WHERE hall_id = :h ORDER BY id", h=hall),
        "comment_id": s("SELECT c.id FROM debate_comment c JOIN debate d ON d.id = c.debate_id "
                        "WHERE d.hall_id = :h ORDER BY c.id", h=hall),
        "meeting_id": meeting,
        "agenda_id": s("SELECT id FROM meeting_agenda_item WHERE meeting_id = :m", m=meeting),
        "decision_id": s("SELECT id FROM meeting_decision WHERE meeting_id = :m", m=meeting),
        "poll_id": s("SELECT id FROM poll WHERE hall_id = :h ORDER BY id", h=hall),
        "proposal_id": s("SELECT proposal_id FROM proposal_amendment ORDER BY id"),
        "amendment_id": s("SELECT id FROM proposal_amendment ORDER BY id"),
        "follow_id": s("SELECT id FROM follow WHERE user_id = :r ORDER BY id", r=resident),
        "outbox_id": s("SELECT id FROM outbox_message WHERE recipient = :e ORDER BY id",
                       e=ROLES["resident"]),
        "message_id": 1,
        "item_id": s("SELECT id FROM queue_item ORDER BY id"),
        "reported_id": s("SELECT id FROM reported_item ORDER BY id"),
        "area_id": s("SELECT id FROM area ORDER BY id"),
        "category_id": category,
        "attribute_code": "size",
        "group_id": s("SELECT id FROM category_group ORDER BY id"),
        "department_id": roads,
        "rule_id": s("SELECT id FROM responsibility_rule ORDER BY id"),
        "day": s("SELECT day FROM calendar_day ORDER BY day"),
        "publication_id": publication,
        "number": 1,
        "file_id": s("SELECT id FROM publication_file ORDER BY id"),
        "class_id": s("SELECT id FROM learner_class ORDER BY id"),
        "course_id": course,
        "lesson_id": lesson,
        "step_id": step,
        "question_id": question,
        "position": s("SELECT position FROM lesson_step WHERE id = :s", s=step),
        "member_id": s("SELECT id FROM hall_member WHERE hall_id = :h AND user_id = :r",
                       h=hall, r=resident),
        "service_id": s("SELECT id FROM organization_service WHERE organization_id = :o "
                        "ORDER BY id", o=organization),
    }
    course_slug = s("SELECT slug FROM course WHERE id = :c", c=course)
    lesson_slug = s("SELECT slug FROM lesson WHERE id = :l", l=lesson)
    for endpoint in ("literacy.course", "literacy.step", "literacy.answer", "literacy.mark_done",
                     "literacy.print_lesson", "literacy.certificate"):
        values[f"{endpoint}.slug"] = course_slug
        values[f"{endpoint}.lesson_slug"] = lesson_slug
    for rule in url_map_app().url_map.iter_rules():
        blueprint = rule.endpoint.partition(".")[0]
        if blueprint == "transparency" and "code" in rule.arguments:
            values[f"{rule.endpoint}.code"] = disclosure
        if blueprint == "organizations":
            values[f"{rule.endpoint}.slug"] = "digital-bridges"
            values[f"{rule.endpoint}.member_id"] = s(
                "SELECT id FROM organization_member WHERE organization_id = :o", o=organization)
        if blueprint == "responsibility_api":
            values[f"{rule.endpoint}.code"] = "riverbend"
        if blueprint == "opendata":
            values[f"{rule.endpoint}.key"] = "requests"
    values["transparency.catalog_category_feed.code"] = s(
        "SELECT category FROM publication WHERE id = :p", p=publication)
    values["moderation.row_action.item_id"] = values["item_id"]
    values["reports.report.kind"] = "debate_comment"
    values["reports.report.item_id"] = values["comment_id"]
    values["deliberation.follow.kind"] = values["deliberation.unfollow.kind"] = "hall"
    values["open311.request_detail.code"] = request_code
    return values


def _database_url(db_kind, worker_id_str, tmp_path_factory) -> str:
    if db_kind == "postgresql":
        from tests.conftest import PG_ENV
        from tests.pg import create_database

        return create_database(os.environ[PG_ENV], f"portal_authz_{worker_id_str}")
    return f"sqlite:///{tmp_path_factory.mktemp('authz') / 'world.sqlite'}"


@pytest.fixture(scope="module", name="seeded_city")
def _seeded_city(app, db_kind, worker_id_str, tmp_path_factory):
    """(app, cookies per role, URL values): the seeded city in a database of its own."""
    from portal import create_app
    from portal.extensions import db
    from portal.seed import seed
    from tests.conftest import IsolatedClient, make_config

    with kept_extension_state():
        city = create_app(make_config(_database_url(db_kind, worker_id_str, tmp_path_factory)))
        city.test_client_class = IsolatedClient
        with city.app_context():
            db.create_all()
            with city.test_request_context("/"):
                seed(db.session)
            values = _values(db.session)
            cookies = {}
            for role, email in ROLES.items():
                if email is None:
                    continue
                client = city.test_client()
                response = client.post("/en/account/login",
                                       data={"email": email, "password": DEMO_PASSWORD})
                assert response.status_code == 303, (role, response.status_code)
                cookies[role] = client.get_cookie(city.config["SESSION_COOKIE_NAME"]).value
            db.session.remove()
        yield city, cookies, values
        with city.app_context():
            db.engine.dispose()


@contextmanager
def rolled_back(app):
    """What one request writes is undone afterwards (as ``db_session`` does for a test)."""
    from portal.extensions import db
    from tests.conftest import BoundSession

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"bind": connection, "join_transaction_mode": "create_savepoint",
             "class_": BoundSession})
        try:
            yield
        finally:
            db.session.remove()
            db.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


# The health check answers 503 while no Celery worker has been seen (none runs here): that
# is its answer, not a failure.
UNAVAILABLE_IS_AN_ANSWER = {"root.healthz"}


def letter(response, endpoint: str = "") -> str:
    status = response.status_code
    if status == 503 and endpoint in UNAVAILABLE_IS_AN_ANSWER:
        return "O"
    assert status < 500, f"{status} {response.get_data(as_text=True)[:300]}"
    if status in (301, 302, 303, 307) and "/account/login" in response.headers.get("Location", ""):
        return "L"
    return {403: "F", 404: "N"}.get(status, "O")


def answers(world, endpoint: str, method: str) -> str:
    city, cookies, values = world
    (rule,) = [r for r in city.url_map.iter_rules() if r.endpoint == endpoint and method in r.methods]
    url = build_url(city, rule, values)
    found = []
    for role in ROLES:
        with rolled_back(city):
            client = city.test_client()
            if role in cookies:
                client.set_cookie(city.config["SESSION_COOKIE_NAME"], cookies[role])
            response = client.open(url, method=method, data={} if method == "POST" else None)
            found.append(letter(response, endpoint))
    return "".join(found)


@pytest.mark.parametrize(("endpoint", "method"), ROUTES)
def test_who_gets_past_the_door(seeded_city, endpoint, method):
    expected = EXPECTED.get((endpoint, method))
    if expected is None:
        pytest.skip("not in the table: test_every_route_is_in_the_table fails for it")
    got = answers(seeded_city, endpoint, method)
    assert got == expected, (
        f"{method} {endpoint}: roles {', '.join(ROLES)} answered {got!r}, "
        f"the policy says {expected!r}")
