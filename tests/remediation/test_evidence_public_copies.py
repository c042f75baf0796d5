"""Evidence photos: decompression bombs refused at upload; public copies made once, stored, and free of metadata.

Every test runs with files on disk and again with Django's InMemoryStorage (no code may assume a local path).
"""

import io
import struct

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from remediation.models import Evidence, EvidenceKind
from tests.conftest import make_site
from tests.remediation.conftest import body, make_measure
from tests.remediation.test_evidence import upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("each_storage")]

PHOTOGRAPHER = "Budi Santoso"
SERIAL = "SN-0042-XYZ"
XMP_CREATOR = "Dewi Lestari"
IPTC_BYLINE = "Agus Salim"


@pytest.fixture
def measure():
    return make_measure(make_site(country="ID"), is_published=True)


def publish(evidence: Evidence) -> None:
    Evidence.objects.filter(pk=evidence.pk).update(is_published=True)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg_with_every_metadata_block() -> bytes:
    """A real JPEG carrying EXIF (artist, camera serial), XMP (creator), IPTC (by-line) and a COM comment."""
    exif = Image.Exif()
    exif[0x013B] = PHOTOGRAPHER  # Artist
    exif.get_ifd(0x8769)[0xA431] = SERIAL  # BodySerialNumber
    xmp = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>'
        f"{XMP_CREATOR}</rdf:li></rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()
    buffer = io.BytesIO()
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    image.save(buffer, "JPEG", exif=exif, comment=f"Photo: {PHOTOGRAPHER}".encode(), xmp=xmp)
    # IPTC-IIM lives in a Photoshop APP13 block: record 2, dataset 80 is the by-line (the photographer).
    byline = IPTC_BYLINE.encode()
    iptc = b"\x1c\x02\x50" + struct.pack(">H", len(byline)) + byline
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iptc)) + iptc
    app13 = _segment(0xED, b"Photoshop 3.0\x00" + resource + b"\x00" * (len(resource) % 2))
    content = buffer.getvalue()
    return content[:2] + app13 + content[2:]


def jpeg_markers(content: bytes) -> list[int]:
    """The markers of a JPEG's header segments, up to the image data."""
    assert content[:2] == b"\xff\xd8"
    markers, position = [], 2
    while position < len(content):
        marker = content[position + 1]
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        markers.append(marker)
        position += 2 + length
    return markers


APP1, APP13, COM = 0xE1, 0xED, 0xFE
NAMES = [PHOTOGRAPHER, SERIAL, XMP_CREATOR, IPTC_BYLINE]


def test_the_test_photo_carries_all_four_blocks():
    content = jpeg_with_every_metadata_block()
    assert {APP1, APP13, COM} <= set(jpeg_markers(content))
    assert all(name.encode() in content for name in NAMES)
    with Image.open(io.BytesIO(content)) as image:
        assert image.getexif()[0x013B] == PHOTOGRAPHER and PHOTOGRAPHER.encode() in image.info["comment"]


def test_public_copies_of_photos_carry_no_exif_xmp_iptc_or_comment(client, officer, measure):
    original = jpeg_with_every_metadata_block()
    client.force_login(officer)
    assert upload(client, measure, "shaft.jpg", original).status_code == 302
    evidence = Evidence.objects.get()
    publish(evidence)
    url = f"/remediation/evidence/{evidence.pk}/file/"
    assert body(client.get(url)) == original  # members of the country get the original
    client.logout()
    public = body(client.get(url))
    markers = jpeg_markers(public)
    assert APP1 not in markers and APP13 not in markers and COM not in markers
    assert not any(name.encode() in public for name in NAMES)
    assert b"8BIM" not in public and b"Exif" not in public and b"xmpmeta" not in public
    assert Image.open(io.BytesIO(public)).size == (64, 48)
    thumbnail = body(client.get(f"/remediation/evidence/{evidence.pk}/thumbnail/"))
    assert Image.open(io.BytesIO(thumbnail)).format == "WEBP"
    assert not any(name.encode() in thumbnail for name in NAMES)


def test_the_public_copy_is_made_once_at_upload_and_served_from_storage(client, officer, measure):
    client.force_login(officer)
    upload(client, measure, "shaft.jpg", jpeg_with_every_metadata_block())
    evidence = Evidence.objects.get()
    publish(evidence)
    assert evidence.public_file and default_storage.exists(evidence.public_file.name)
    with default_storage.open(evidence.public_file.name, "rb") as stored:
        stored_bytes = stored.read()
    client.logout()
    url = f"/remediation/evidence/{evidence.pk}/file/"
    first, second = body(client.get(url)), body(client.get(url))
    assert first == second == stored_bytes
    # Served from the stored copy, not re-encoded from the original: it answers without the original.
    default_storage.delete(evidence.file.name)
    assert body(client.get(url)) == stored_bytes


def test_evidence_kept_without_a_public_copy_gets_one_the_first_time_it_is_served(client, measure):
    """Evidence added before public copies were stored: the first public GET makes and stores it."""
    original = jpeg_with_every_metadata_block()
    evidence = Evidence(
        site=measure.site,
        measure=measure,
        kind=EvidenceKind.PHOTO,
        content_type="image/jpeg",
        size_bytes=len(original),
        original_name="old.jpg",
        caption="Kept long ago",
        is_published=True,
    )
    evidence.file.save("old.jpg", ContentFile(original))
    assert not evidence.public_file
    url = f"/remediation/evidence/{evidence.pk}/file/"
    first = body(client.get(url))
    evidence.refresh_from_db()
    assert evidence.public_file and evidence.public_file.name.endswith(".jpg")
    with default_storage.open(evidence.public_file.name, "rb") as stored:
        assert stored.read() == first
    assert not any(name.encode() in first for name in NAMES)
    default_storage.delete(evidence.file.name)
    assert body(client.get(url)) == first
    assert evidence.history.count() == 1  # storing the copy is no edit of the record


def big_bilevel_png(width: int, height: int) -> bytes:
    """A real PNG of width × height one-bit pixels: a few kilobytes, but every pixel is decoded on load."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def test_a_169_megapixel_png_is_refused_at_upload_naming_the_file_and_its_pixels(client, officer, measure):
    content = big_bilevel_png(13_000, 13_000)
    assert len(content) < 1_000_000
    client.force_login(officer)
    response = upload(client, measure, "tailings.png", content)
    assert response.status_code == 400
    message = response.content.decode()
    assert "“tailings.png” is 13,000 × 13,000 pixels (169.0 megapixels)" in message
    assert "at most 50 megapixels" in message
    assert not Evidence.objects.exists()


def test_the_pixel_limit_is_a_setting(client, officer, measure, settings):
    settings.EVIDENCE_MAX_PIXELS = 1000
    client.force_login(officer)
    response = upload(client, measure, "small.png", big_bilevel_png(40, 30))
    assert response.status_code == 400 and "at most 0.001 megapixels" in response.content.decode()
    settings.EVIDENCE_MAX_PIXELS = 1200
    assert upload(client, measure, "small.png", big_bilevel_png(40, 30)).status_code == 302


def test_beyond_pillows_own_limit_the_message_still_names_the_file(client, officer, measure):
    # 20,000 × 10,000 = 200 megapixels: Pillow itself refuses to open it.
    client.force_login(officer)
    response = upload(client, measure, "huge.png", big_bilevel_png(20_000, 10_000))
    assert response.status_code == 400
    assert "“huge.png”" in response.content.decode() and "200,000,000 pixels" in response.content.decode()
