"""PDF evidence is read by a parser: compressed files pass, hidden scripts do not, the public gets no names."""

import io

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfReader

from remediation.models import Evidence, EvidenceKind
from tests.conftest import make_site
from tests.remediation.conftest import body, make_measure
from tests.remediation.pdfs import AUTHOR, commented_pdf, compressed_pdf, locked_pdf, scanned_pdf
from tests.remediation.test_evidence import PDF, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_storage")]


@pytest.fixture
def measure():
    return make_measure(make_site(country="ID"))


def publish(evidence: Evidence) -> None:
    Evidence.objects.filter(pk=evidence.pk).update(is_published=True)
    evidence.measure.is_published = True
    evidence.measure.save()


@pytest.mark.parametrize(
    "content",
    [compressed_pdf(), locked_pdf(user_password=""), scanned_pdf(author=AUTHOR)],
    ids=["catalog in an object stream", "locked against changes only", "scan saved by Pillow"],
)
def test_sound_pdfs_are_kept(client, officer, measure, content):
    client.force_login(officer)
    response = upload(client, measure, "capping-report.pdf", content)
    assert response.status_code == 302, response.content.decode()
    evidence = Evidence.objects.get()
    assert evidence.kind == EvidenceKind.DOCUMENT and evidence.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (compressed_pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "contains scripts"),
        (PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/J#61vaScript/J#53(x)>>"), "contains scripts"),
        (compressed_pdf(b"/OpenAction<</S/Launch/F(cmd.exe)>>"), "launch actions"),
        (compressed_pdf(b"/Names<</EmbeddedFiles<</Names[]>>>>"), "embedded files"),
        (locked_pdf(user_password="secret"), "protected by a password"),
        (compressed_pdf()[:60] + b"\n%%EOF\n", "not a complete PDF document"),
    ],
    ids=["script in an object stream", "script named with escapes", "launch", "embedded", "password", "cut"],
)
def test_pdfs_that_cannot_be_vouched_for_are_refused(client, officer, measure, content, message):
    client.force_login(officer)
    response = upload(client, measure, "report.pdf", content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0


def test_a_pdf_without_pages_is_refused(client, officer, measure):
    content = compressed_pdf(kids=b"")
    client.force_login(officer)
    response = upload(client, measure, "report.pdf", content)
    assert response.status_code == 400 and "has no pages" in response.content.decode()


def test_public_pdfs_carry_no_names_but_members_get_the_original(client, officer, measure):
    original = commented_pdf()
    client.force_login(officer)
    upload(client, measure, "capping.pdf", original)
    evidence = Evidence.objects.get()
    publish(evidence)
    url = f"/remediation/evidence/{evidence.pk}/file/"
    assert b"".join(client.get(url).streaming_content) == original
    client.logout()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    content = body(response)
    assert AUTHOR.encode() not in content
    public = PdfReader(io.BytesIO(content))
    assert not public.metadata and "/Metadata" not in public.trailer["/Root"]
    assert len(public.pages) == 2
    note = public.pages[0]["/Annots"][0].get_object()
    assert note["/Contents"] == "Cap poured 3 May" and "/T" not in note


def test_a_public_scan_loses_its_document_information(client, officer, measure):
    client.force_login(officer)
    upload(client, measure, "scan.pdf", scanned_pdf(author=AUTHOR, title="Shaft 7", creator="Office scanner"))
    evidence = Evidence.objects.get()
    publish(evidence)
    client.logout()
    public = PdfReader(io.BytesIO(body(client.get(f"/remediation/evidence/{evidence.pk}/file/"))))
    assert not public.metadata
    assert public.pages[0].mediabox.width == 200


@pytest.mark.parametrize(
    "unreadable",
    [
        b"%PDF-1.4\n1 0 obj<</Author(" + AUTHOR.encode() + b")>>endobj\n%%EOF\n",
        # Opens, but its root is a number: rewriting it fails.
        b"%PDF-1.4\n1 0 obj 5 endobj\n2 0 obj<</Author(" + AUTHOR.encode() + b")>>endobj\nxref\n0 2\n"
        b"0000000000 65535 f \n0000000009 00000 n \ntrailer<</Size 2/Root 1 0 R/Info 2 0 R>>\nstartxref\n57\n%%EOF\n",
    ],
    ids=["does not open", "cannot be rewritten"],
)
def test_a_stored_pdf_the_parser_cannot_read_is_kept_from_the_public_only(client, officer, measure, unreadable):
    """Files kept before uploads were parsed may not open; then the public gets a 404, not the original."""
    evidence = Evidence(
        site=measure.site,
        measure=measure,
        kind=EvidenceKind.DOCUMENT,
        content_type="application/pdf",
        size_bytes=len(unreadable),
        original_name="old.pdf",
        caption="Kept long ago",
    )
    evidence.file.save("old.pdf", ContentFile(unreadable))
    publish(evidence)
    response = client.get(f"/remediation/evidence/{evidence.pk}/file/")
    assert response.status_code == 404 and AUTHOR.encode() not in body(response)
    assert not Evidence.objects.get().public_file
    client.force_login(officer)
    assert b"".join(client.get(f"/remediation/evidence/{evidence.pk}/file/").streaming_content) == unreadable


def test_the_site_page_links_a_pdf_with_its_size(client, officer, measure):
    client.force_login(officer)
    content = scanned_pdf(author=AUTHOR)
    upload(client, measure, "scan.pdf", content)
    evidence = Evidence.objects.get()
    html = client.get(f"/sites/{measure.site_id}/").content.decode()
    link = f'<a href="/en/remediation/evidence/{evidence.pk}/file/">PDF document ({len(content) / 1024:.1f}\xa0KB)</a>'
    assert link in html
