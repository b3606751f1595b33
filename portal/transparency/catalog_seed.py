"""The demo city's disclosure catalog: a dozen publications across categories, departments and
two years, in several languages; one with two versions, one withdrawn, one with a small PDF.
Written by each department's staff and published by the administrator (four eyes). Once: a
city with publications keeps them as they are."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.models import User, utcnow
from portal.responsibility.models import Department
from portal.transparency import catalog
from portal.transparency.models import Publication

REVIEWER = "admin@riverbend.example.org"

# department, author, category, locale, title, summary, number, days ago, what else
PUBLICATIONS = [
    ("roads", "roads@riverbend.example.org", "plans", "en", "Road repair plan 2026",
     "The streets to be repaired in 2026, the works' order and the budget of each.", "RB-R-2026-01", 400,
     "versions"),
    ("roads", "roads@riverbend.example.org", "procurement", "es", "Contrato de señalización vial",
     "Adjudicación del contrato de señalización de las calles del casco antiguo.", "RB-R-2025-17", 480, ""),
    ("roads", "roads@riverbend.example.org", "penalties", "en", "Parking fines: the 2025 decisions",
     "Decisions on parking fines that must be made public, without the names of private persons.", "",
     350, "withdrawn"),
    ("water", "water@riverbend.example.org", "statistics", "ar", "تقرير جودة المياه لعام ٢٠٢٦",
     "نتائج فحص جودة مياه الشرب في كل أحياء المدينة.", "W-2026-03", 20, "pdf"),
    ("water", "water@riverbend.example.org", "fees", "en", "Water and sewage charges",
     "What households and businesses pay per cubic metre, and on what basis.", "W-2025-11", 420, ""),
    ("water", "water@riverbend.example.org", "emergencies", "zh-Hans", "供水突发事件应急预案",
     "停水、水质污染等突发事件的应急预案和联系方式。", "", 60, ""),
    ("dispatch", "dispatcher@riverbend.example.org", "services", "zh-Hans", "市民服务热线办事指南",
     "如何通过热线和网站提出诉求，处理时限和回访方式。", "D-GUIDE-1", 30, ""),
    ("dispatch", "dispatcher@riverbend.example.org", "organization", "en", "What the dispatch centre does",
     "Its tasks, how requests are routed to departments, and whom to contact.", "", 390, ""),
    ("old-town-office", "oldtown@riverbend.example.org", "budgets", "en", "Old Town budget 2026",
     "The district office's budget for 2026 and the final accounts of 2025.", "OT-B-2026", 15, ""),
    ("old-town-office", "oldtown@riverbend.example.org", "personnel", "en", "Open positions 2025",
     "The civil service positions the district office recruited for in 2025.", "OT-P-2025", 450, ""),
    ("old-town-office", "oldtown@riverbend.example.org", "licensing", "ug", "بازار دۇكان ئىجازەتنامىسى",
     "كونا شەھەر بازىرىدا دۇكان ئېچىش ئۈچۈن كېرەكلىك شەرتلەر ۋە تەرتىپ.", "", 10, ""),
    ("roads", "roads@riverbend.example.org", "regulations", "zh-Hant", "道路挖掘管理辦法",
     "道路挖掘許可、施工時間和恢復路面的規定。", "RB-R-REG-2", 5, ""),
]


def tiny_pdf(text: str = "Riverbend", author: str | None = None) -> bytes:
    """A valid one-page PDF, made here (no file in the repository), optionally with an author."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=100)
    writer.add_metadata({"/Title": text, **({"/Author": author} if author else {})})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def seed(session: Session) -> int:
    if session.scalar(select(func.count()).select_from(Publication)):
        return 0
    users = {u.email: u for u in session.scalars(select(User))}
    departments = {d.code: d for d in session.scalars(select(Department))}
    reviewer = users.get(REVIEWER)
    if reviewer is None:
        return 0
    created = 0
    for code, author_email, category, locale, title, summary, number, days_ago, extra in PUBLICATIONS:
        author = users.get(author_email)
        if author is None or code not in departments:
            continue
        version = catalog.create_draft(session, author, departments[code].id, catalog.PublicationData(
            category=category, title=title, summary=summary, source_locale=locale,
            document_number=number, made_on=(utcnow() - timedelta(days=days_ago + 5)).date(),
            tags="riverbend"))
        if extra == "pdf":
            catalog.add_file(session, author, version, "water-quality.pdf",
                             tiny_pdf("Water quality 2026", author="Staff member"))
        catalog.send_for_review(session, author, version)
        catalog.publish(session, reviewer, version)
        publication = version.publication
        when = utcnow() - timedelta(days=days_ago)
        version.published_at = publication.published_at = publication.first_published_at = when
        publication.year = when.year
        if extra == "versions":
            publication = session.get(Publication, version.publication_id)
            second = catalog.save(session, author, publication, catalog.PublicationData(
                category=category, title=title, summary=summary + " Two streets were added in June.",
                source_locale=locale, document_number=number, tags="riverbend",
                change_note="Two streets added after the June council meeting."))
            catalog.translate(session, author, second, "zh-Hans", "2026年道路维修计划",
                              "2026年要维修的街道、施工顺序和每项预算。")
            catalog.send_for_review(session, author, second)
            catalog.publish(session, reviewer, second)
        elif extra == "withdrawn":
            catalog.withdraw(session, reviewer, publication, "Replaced by the decisions published in 2026.")
        created += 1
    session.commit()
    return created
