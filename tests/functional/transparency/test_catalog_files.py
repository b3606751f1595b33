"""The catalog's attachments (checked by content, cleaned), its Atom feeds and its CSV, each
validated by parsing what the portal sends."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.transparency import catalog
from portal.transparency.catalog_seed import tiny_pdf
from portal.transparency.models import PublicationFile, PublicationVersion
from tests.functional.support import page
from tests.functional.transparency.test_catalog import people, publish  # noqa: F401 (fixtures)

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def draft(app, db_session, people):  # noqa: F811
    with app.test_request_context("/en/"):
        version = catalog.create_draft(db_session, people["parks_staff"], people["parks"].id,
                                       catalog.PublicationData(category="statistics", title="Water figures",
                                                               summary="Figures.", source_locale="en"))
    db_session.commit()
    return version


def _upload(client, draft, name, data):
    return client.post(f"/en/publications/{draft.publication_id}/files",
                       data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _office(kind="docx", author="Jane Secret", mimetype=None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        if kind in ("odt", "ods"):
            kind_name = "text" if kind == "odt" else "spreadsheet"
            z.writestr("mimetype", mimetype or f"application/vnd.oasis.opendocument.{kind_name}")
            z.writestr("meta.xml", f"<office:meta><meta:initial-creator>{author}</meta:initial-creator>"
                                   f"<dc:creator>{author}</dc:creator><dc:title>Figures</dc:title></office:meta>")
            z.writestr("content.xml", "<office:document-content/>")
        else:
            z.writestr("[Content_Types].xml", "<Types/>")
            z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<w:document/>")
            z.writestr("docProps/core.xml",
                       f"<cp:coreProperties><dc:title>Figures</dc:title><dc:creator>{author}</dc:creator>"
                       f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy></cp:coreProperties>")
    return out.getvalue()


def _stored(db_session, draft) -> list[PublicationFile]:
    db_session.expire_all()
    return list(db_session.scalars(select(PublicationFile).where(PublicationFile.version_id == draft.id)))


def test_a_pdf_is_kept_without_its_author(client, db_session, people, login, draft):  # noqa: F811
    login(people["parks_staff"])
    response = _upload(client, draft, "report.pdf", tiny_pdf("Figures", author="Jane Secret"))
    assert response.status_code == 303
    [stored] = _stored(db_session, draft)
    assert stored.content_type == "application/pdf" and stored.filename == "report.pdf"
    assert b"Jane Secret" not in stored.data
    reader = PdfReader(io.BytesIO(stored.data))
    assert len(reader.pages) == 1 and not (reader.metadata or {}).get("/Author")


@pytest.mark.parametrize("kind", ["docx", "xlsx", "odt", "ods"])
def test_office_documents_lose_their_author_fields(client, db_session, people, login, draft, kind):  # noqa: F811
    login(people["parks_staff"])
    assert _upload(client, draft, f"figures.{kind}", _office(kind)).status_code == 303
    [stored] = _stored(db_session, draft)
    assert stored.filename == f"figures.{kind}"
    with zipfile.ZipFile(io.BytesIO(stored.data)) as z:
        for name in z.namelist():
            assert b"Jane Secret" not in z.read(name)
        meta = z.read("meta.xml" if kind in ("odt", "ods") else "docProps/core.xml")
        assert b"Figures" in meta  # the title stays


@pytest.mark.parametrize("name,data,message", [
    ("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF"),
    ("setup.docx", b"MZ\x90\x00" + b"\x00" * 200, "is not a PDF"),
    ("broken.pdf", b"%PDF-1.4 nothing here", "is not a PDF"),
    ("archive.docx", None, "is not a PDF"),  # a zip that is no office document
    ("table.csv", "name,ville\nÉlodie,Montréal\n".encode("latin-1"), "not UTF-8"),
    ("empty.csv", b"", "empty"),
])
def test_files_that_are_not_what_they_claim_are_refused(client, db_session, people, login, draft,  # noqa: F811
                                                         name, data, message):
    if data is None:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as z:
            z.writestr("payload.exe", b"MZ")
        data = out.getvalue()
    login(people["parks_staff"])
    response = _upload(client, draft, name, data)
    assert response.status_code == 422
    assert message in page(response).by_id("file-error").text
    assert _stored(db_session, draft) == []


def test_a_utf8_csv_is_kept(client, db_session, people, login, draft):  # noqa: F811
    login(people["parks_staff"])
    data = "district,figure\n老城区,12\nÉcole,3\n".encode()
    assert _upload(client, draft, "figures.csv", data).status_code == 303
    [stored] = _stored(db_session, draft)
    assert stored.content_type == "text/csv" and stored.data == data


def test_an_oversized_file_is_refused_before_it_is_read(app, draft):
    app.config["CATALOG_MAX_FILE_BYTES"] = 1000
    try:
        class Stream(io.BytesIO):
            asked: list[int] = []

            def read(self, size=-1):
                self.asked.append(size)
                return super().read(size)

        class Upload:
            filename = "big.pdf"
            stream = Stream(b"%PDF-" + b"x" * 100_000)

        with app.test_request_context("/en/"), pytest.raises(catalog.Invalid) as refused:
            catalog.read_upload(Upload)
        assert Stream.asked == [1001]
        assert "larger than" in str(refused.value.errors["file"][0])
    finally:
        app.config["CATALOG_MAX_FILE_BYTES"] = 10 * 1024 * 1024


def test_a_published_file_is_downloaded_and_a_draft_one_is_not(client, db_session, people, login,  # noqa: F811
                                                                 draft, app):
    with app.test_request_context("/en/"):
        row = catalog.add_file(db_session, people["parks_staff"], draft, "a.pdf", tiny_pdf())
    db_session.commit()
    url = f"/en/publications/{draft.publication_id}/files/{row.id}"
    assert client.get(url).status_code == 404  # not published yet
    with app.test_request_context("/en/"):
        catalog.send_for_review(db_session, people["parks_staff"], draft)
        catalog.publish(db_session, people["parks_second"], draft)
    db_session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response.headers["Content-Disposition"]


# --- feeds -------------------------------------------------------------------------------------

def _feed(client, url, host="evil.example"):
    response = client.get(url, headers={"Host": host})
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return ET.fromstring(response.data)  # noqa: S314 - the portal's own answer, not untrusted input


def test_the_feeds_parse_and_link_only_to_the_configured_address(client, people, publish):  # noqa: F811
    a = publish(title="Budget of parks", category="budgets")
    b = publish(title="Roads plan", category="plans", department=people["roads"])
    every = _feed(client, "/en/publications/feed.atom")
    entries = every.findall(f"{ATOM}entry")
    assert [e.find(f"{ATOM}title").text for e in entries] == ["Roads plan", "Budget of parks"]
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert ids == [f"http://localhost/en/publications/{b.id}", f"http://localhost/en/publications/{a.id}"]
    for link in every.iter(f"{ATOM}link"):
        assert link.get("href").startswith("http://localhost/"), link.get("href")
    assert "evil.example" not in ET.tostring(every, encoding="unicode")
    assert every.find(f"{ATOM}id").text == "http://localhost/en/publications/feed.atom"
    budgets = _feed(client, "/en/publications/categories/budgets/feed.atom")
    assert [e.find(f"{ATOM}title").text for e in budgets.findall(f"{ATOM}entry")] == ["Budget of parks"]
    roads = _feed(client, f"/en/publications/departments/{people['roads'].id}/feed.atom")
    assert [e.find(f"{ATOM}title").text for e in roads.findall(f"{ATOM}entry")] == ["Roads plan"]
    for entry in every.findall(f"{ATOM}entry"):
        assert entry.find(f"{ATOM}updated").text and entry.find(f"{ATOM}author") is not None


# --- CSV ---------------------------------------------------------------------------------------

def test_the_index_as_csv(client, people, publish):  # noqa: F811
    publish(title="=HYPERLINK(\"http://evil\")", number="P-1")
    publish(title="公园预算", locale="zh-Hans", category="plans")
    response = client.get("/en/publications.csv", headers={"Host": "evil.example"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["id", "link", "title", "language", "category", "category_label", "department_code",
                       "department", "document_number", "first_published", "current_version_published",
                       "year", "versions"]
    assert len(rows) == 3
    by_title = {r[2]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://evil\")" in by_title  # never run as a formula
    zh = by_title["公园预算"]
    assert zh[1].startswith("http://localhost/en/publications/") and zh[3] == "zh-Hans" and zh[4] == "plans"
    assert zh[5] == "Plans and programmes" and zh[6] == "parks"
    plans = client.get("/en/publications.csv?category=plans").data.decode("utf-8-sig")
    only = list(csv.reader(io.StringIO(plans)))
    assert len(only) == 2
    assert page(client.get("/en/publications")).find("a", href="/en/publications.csv") is not None


def test_versions_keep_their_files(app, db_session, people, draft):  # noqa: F811
    with app.test_request_context("/en/"):
        catalog.add_file(db_session, people["parks_staff"], draft, "a.pdf", tiny_pdf())
        catalog.send_for_review(db_session, people["parks_staff"], draft)
        catalog.publish(db_session, people["parks_second"], draft)
        second = catalog.save(db_session, people["parks_staff"], draft.publication, catalog.PublicationData(
            category="statistics", title="Water figures", summary="More.", source_locale="en",
            change_note="More figures."))
    assert second.number == 2
    names = [f.filename for f in catalog.files_of(db_session, second)]
    assert names == ["a.pdf"]
    assert db_session.get(PublicationVersion, draft.id).state == "published"
