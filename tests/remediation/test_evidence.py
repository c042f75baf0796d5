"""Evidence uploads: judged by content, EXIF read, thumbnails made, files served only to those who may see them."""

import io
from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from remediation.models import Evidence
from tests.conftest import make_site
from tests.remediation.conftest import body, make_measure, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_storage")]

# A minimal but complete one-page PDF (catalog, pages, page, xref, trailer).
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\nxref\n0 4\n0000000000 65535 f \n"
    b"0000000009 00000 n \n0000000056 00000 n \n0000000111 00000 n \ntrailer<</Size 4/Root 1 0 R>>\n"
    b"startxref\n178\n%%EOF\n"
)


def jpeg_with_exif_gps() -> bytes:
    """A real JPEG whose EXIF says it was taken at 2.5 S, 121.5 E on 6 May 2024 at 07:08:09 +08:00."""
    image = Image.new("RGB", (120, 90), (120, 90, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8769).update({36867: "2024:05:06 07:08:09", 36881: "+08:00"})
    exif.get_ifd(0x8825).update({1: "S", 2: (2.0, 30.0, 0.0), 3: "E", 4: (121.0, 30.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def webp_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 30), (0, 0, 200)).save(buffer, "WEBP")
    return buffer.getvalue()


@pytest.fixture
def measure():
    return make_measure(make_site(country="ID"))


def upload(client, measure, name: str, content: bytes, **fields):
    data = {"attached_to": f"measure:{measure.pk}", "caption": "Capped shaft", "pair_role": ""}
    data.update(fields)
    data["file"] = SimpleUploadedFile(name, content)
    return client.post(f"/remediation/sites/{measure.site_id}/evidence/new/", data)


def test_jpeg_keeps_its_exif_time_and_place_and_gets_a_thumbnail(client, officer, measure):
    client.force_login(officer)
    response = upload(client, measure, "shaft.jpg", jpeg_with_exif_gps())
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.kind == "photo" and evidence.content_type == "image/jpeg"
    assert evidence.taken_at == datetime(2024, 5, 5, 23, 8, 9, tzinfo=UTC)
    assert evidence.taken_location.x == pytest.approx(121.5) and evidence.taken_location.y == pytest.approx(-2.5)
    with evidence.thumbnail.open("rb") as thumbnail:
        assert Image.open(thumbnail).format == "WEBP"


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("a.png", png_bytes(), "image/png"),
        ("a.webp", webp_bytes(), "image/webp"),
        ("report.pdf", PDF, "application/pdf"),
    ],
)
def test_accepted_formats(client, officer, measure, name, content, content_type):
    client.force_login(officer)
    assert upload(client, measure, name, content).status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.content_type == content_type
    assert evidence.taken_at is None and evidence.taken_location is None


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, "GIF")
    return buffer.getvalue()


GIF = gif_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("drawing.svg", SVG, "“.svg” files are not accepted"),
        ("drawing.png", SVG, "not a JPEG, PNG or WebP image"),
        ("page.jpg", HTML, "not a JPEG, PNG or WebP image"),
        ("notes.txt", b"hello", "“.txt” files are not accepted"),
        ("photo.jpg", png_bytes(), "is a PNG image but is named “.jpg”"),
        ("truncated.png", png_bytes((200, 200))[:120], "not a JPEG, PNG or WebP image"),
        ("animation.png", GIF, "GIF images are not accepted"),
        ("fake.pdf", b"%PDF-1.4\nnothing else here", "not a complete PDF document"),
        ("fake.pdf", png_bytes(), "named .pdf but is not a PDF"),
        ("report.jpg", PDF, "is a PDF but is named “.jpg”"),
        ("script.pdf", PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>"), "scripts"),
        ("empty.png", b"", "empty"),
    ],
)
def test_bad_files_are_refused_with_a_reason(client, officer, measure, name, content, message):
    client.force_login(officer)
    response = upload(client, measure, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Evidence.objects.count() == 0


def test_files_over_the_limit_are_refused(client, officer, measure, settings):
    settings.EVIDENCE_MAX_BYTES = 1000
    client.force_login(officer)
    response = upload(client, measure, "big.jpg", jpeg_with_exif_gps() + b"\0" * 2000)
    assert response.status_code == 400
    assert "evidence files may be at most" in response.content.decode()
    assert Evidence.objects.count() == 0


def test_pair_role_only_for_photos(client, officer, measure):
    client.force_login(officer)
    response = upload(client, measure, "report.pdf", PDF, pair_role="before")
    assert response.status_code == 400 and "Only photos make before/after pairs" in response.content.decode()


def test_draft_evidence_is_served_to_officers_only(client, officer, reviewer, measure):
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", jpeg_with_exif_gps())
    evidence = Evidence.objects.get()
    file_url = f"/remediation/evidence/{evidence.pk}/file/"
    assert client.get(file_url).status_code == 200
    client.logout()
    assert client.get(file_url).status_code == 404
    assert client.get(f"/remediation/evidence/{evidence.pk}/thumbnail/").status_code == 404
    # Published evidence of a draft measure stays hidden until the measure is published too.
    evidence.is_published = True
    evidence.save()
    assert client.get(file_url).status_code == 404
    measure.is_published = True
    measure.save()
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(body(response))).size == (120, 90)


def test_public_photos_carry_no_metadata_but_members_get_the_original(client, officer, measure):
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x013B] = "Siti Rahayu"  # Artist
    exif.get_ifd(0x8769)[0xA431] = "SN-0042"  # camera body serial number
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", buffer.getvalue())
    evidence = Evidence.objects.get()
    Evidence.objects.update(is_published=True)
    measure.is_published = True
    measure.save()
    original = b"".join(client.get(f"/remediation/evidence/{evidence.pk}/file/").streaming_content)
    assert original == buffer.getvalue()
    client.logout()
    public = body(client.get(f"/remediation/evidence/{evidence.pk}/file/"))
    assert b"Siti Rahayu" not in public and b"SN-0042" not in public
    assert Image.open(io.BytesIO(public)).getexif().get(0x013B) is None
    assert Image.open(io.BytesIO(public)).size == (64, 48)


def test_media_files_are_not_reachable_directly(client, officer, measure):
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", jpeg_with_exif_gps())
    evidence = Evidence.objects.get()
    client.logout()
    assert client.get(f"/media/{evidence.file.name}").status_code == 404


def test_before_and_after_photos_are_shown_side_by_side(client, officer, measure):
    client.force_login(officer)
    upload(client, measure, "before.png", png_bytes(), caption="Open shaft", pair_role="before")
    upload(client, measure, "after.png", png_bytes(), caption="Capped shaft", pair_role="after")
    html = client.get(f"/sites/{measure.site_id}/").content.decode()
    pair = html[html.index('class="photo-pair"') :]
    assert pair.index("Before: Open shaft") < pair.index("After: Capped shaft")


def test_deleting_evidence_removes_its_files(client, officer, measure, django_capture_on_commit_callbacks):
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", jpeg_with_exif_gps())
    evidence = Evidence.objects.get()
    storage = evidence.file.storage
    names = [evidence.file.name, evidence.thumbnail.name, evidence.public_file.name]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/remediation/evidence/{evidence.pk}/delete/")
    assert not Evidence.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_multi_picture_jpegs_from_phones_are_photos(client, officer, measure):
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (50, 40), (200, 0, 0)), Image.new("RGB", (50, 40), (0, 200, 0))
    first.save(buffer, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buffer.getvalue())).format == "MPO"
    client.force_login(officer)
    assert upload(client, measure, "phone.jpg", buffer.getvalue()).status_code == 302
    assert Evidence.objects.get().content_type == "image/jpeg"


def test_files_leave_the_disk_when_the_parent_record_is_deleted(
    client, officer, measure, django_capture_on_commit_callbacks
):
    client.force_login(officer)
    assert upload(client, measure, "shaft.jpg", jpeg_with_exif_gps()).status_code == 302
    evidence = Evidence.objects.get()
    storage = evidence.file.storage
    names = [evidence.file.name, evidence.thumbnail.name, evidence.public_file.name]
    assert all(storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/remediation/measures/{measure.pk}/delete/")
    assert not Evidence.objects.exists()
    assert not any(storage.exists(name) for name in names)


def test_where_a_photo_was_taken_is_shown_to_members_only(client, officer):
    """A photo of an open shaft would otherwise place it exactly, which the public map generalises."""
    from django.contrib.gis.geos import Point

    measure = make_measure(make_site(country="ID", location=Point(121.4, -2.4, srid=4326)), is_published=True)
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", jpeg_with_exif_gps())
    Evidence.objects.update(is_published=True)
    place = "-2.50000, 121.50000"
    assert place in client.get(measure.site.get_absolute_url()).content.decode()
    client.logout()
    public = client.get(measure.site.get_absolute_url()).content.decode()
    assert "Capped shaft" in public and place not in public


def test_the_form_groups_the_records_to_attach_to_and_says_when_there_are_none(client, officer, measure):
    client.force_login(officer)
    bare_site = make_site(name="Bare site")
    html = client.get(f"/remediation/sites/{bare_site.pk}/evidence/new/").content.decode()
    assert "Nothing to attach to yet" in html
    assert "at most 15.0\xa0MB" in html
    html = client.get(f"/remediation/sites/{measure.site_id}/evidence/new/").content.decode()
    assert "Nothing to attach to yet" not in html
    group = html.index('<optgroup label="Remediation measures">')
    assert group < html.index(f'<option value="measure:{measure.pk}"') < html.index("</optgroup>", group)


def test_a_small_size_limit_is_stated_as_a_real_size(client, officer, measure, settings):
    settings.EVIDENCE_MAX_BYTES = 300 * 1024
    client.force_login(officer)
    response = upload(client, measure, "big.jpg", jpeg_with_exif_gps() + b"\0" * 400 * 1024)
    assert response.status_code == 400
    assert "evidence files may be at most 300.0\xa0KB" in response.content.decode()
