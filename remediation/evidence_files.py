"""Checks of uploaded evidence by its content (never by its name alone), EXIF reading and thumbnails."""

import io
import re
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext
from PIL import Image, ImageOps, UnidentifiedImageError

from remediation.evidence_pdf import PdfProblem, check_pdf, pdf_without_metadata

PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", {".jpg", ".jpeg"}),
    "MPO": ("image/jpeg", {".jpg", ".jpeg"}),  # what Pillow calls the JPEGs some phones write
    "PNG": ("image/png", {".png"}),
    "WEBP": ("image/webp", {".webp"}),
}
PDF_EXTENSIONS = {".pdf"}
ALLOWED_EXTENSIONS = set().union(*(extensions for _type, extensions in PHOTO_FORMATS.values())) | PDF_EXTENSIONS
THUMBNAIL_SIZE = (480, 480)
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
EXIF_DATETIME_ORIGINAL, EXIF_OFFSET_ORIGINAL, EXIF_DATETIME = 36867, 36881, 0x0132


class EvidenceFileError(ValidationError):
    """An uploaded file that cannot be kept as evidence; the message tells the uploader why."""


@dataclass(frozen=True)
class InspectedFile:
    file: object  # the uploaded file, rewound
    name: str
    extension: str
    kind: str  # "photo" or "document"
    content_type: str
    size_bytes: int
    taken_at: datetime | None = None
    taken_location: Point | None = None


def inspect_upload(upload) -> InspectedFile:
    """Accept a JPEG, PNG or WebP photo or a PDF, judged by what the bytes are, within the size limit."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise EvidenceFileError(
            gettext("The file is %(size)s; evidence files may be at most %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise EvidenceFileError(gettext("The file is empty."))
    extension = Path(upload.name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise EvidenceFileError(
            gettext("“%(extension)s” files are not accepted; upload a photo (.jpg, .png, .webp) or a PDF.")
            % {"extension": extension or gettext("no extension")}
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    if content.startswith(b"%PDF-"):
        return _inspect_pdf(upload, content, extension)
    return _inspect_photo(upload, content, extension)


def _inspect_pdf(upload, content: bytes, extension: str) -> InspectedFile:
    if extension not in PDF_EXTENSIONS:
        raise EvidenceFileError(
            gettext("The file is a PDF but is named “%(extension)s”; name it .pdf.") % {"extension": extension}
        )
    if not re.match(rb"%PDF-[12]\.\d", content):
        raise EvidenceFileError(gettext("The PDF's header is damaged (no version number)."))
    if b"%%EOF" not in content[-1024:]:
        raise EvidenceFileError(
            gettext("The file starts like a PDF but is not a complete PDF document (no end marker).")
        )
    try:
        check_pdf(content)
    except PdfProblem as problem:
        raise EvidenceFileError(str(problem)) from None
    return InspectedFile(upload, upload.name, ".pdf", "document", "application/pdf", upload.size)


def _inspect_photo(upload, content: bytes, extension: str) -> InspectedFile:
    if extension in PDF_EXTENSIONS:
        raise EvidenceFileError(gettext("The file is named .pdf but is not a PDF document."))
    _refuse_too_many_pixels(upload.name, content)
    try:
        with Image.open(io.BytesIO(content)) as image:
            image_format = image.format
            image.verify()
        with Image.open(io.BytesIO(content)) as image:
            image.load()  # verify() skips the pixel data; decoding it catches truncated files
            exif = image.getexif()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise EvidenceFileError(gettext("The file is not a JPEG, PNG or WebP image (or it is damaged).")) from None
    if image_format not in PHOTO_FORMATS:
        raise EvidenceFileError(
            gettext("%(format)s images are not accepted; upload a JPEG, PNG or WebP photo.") % {"format": image_format}
        )
    content_type, extensions = PHOTO_FORMATS[image_format]
    if extension not in extensions:
        raise EvidenceFileError(
            gettext("The file is a %(format)s image but is named “%(extension)s”.")
            % {"format": image_format.replace("MPO", "JPEG"), "extension": extension}
        )
    return InspectedFile(
        upload,
        upload.name,
        extension,
        "photo",
        content_type,
        upload.size,
        taken_at=_exif_time(exif),
        taken_location=_exif_location(exif),
    )


def _refuse_too_many_pixels(name: str, content: bytes) -> None:
    """Refuse a photo with more pixels than EVIDENCE_MAX_PIXELS, from its header alone (nothing is decoded)."""
    limit = settings.EVIDENCE_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError as error:  # beyond even Pillow's own limit
        pixels = re.search(r"\((\d+) pixels\)", str(error))
        size = (
            gettext("%(pixels)s pixels") % {"pixels": _grouped(int(pixels[1]))}
            if pixels
            else gettext("more pixels than Pillow opens")
        )
        raise EvidenceFileError(
            gettext(
                "“%(name)s” has %(size)s; evidence photos may have at most %(limit)s pixels "
                "(%(megapixels)s megapixels)."
            )
            % {"name": name, "size": size, "limit": _grouped(limit), "megapixels": f"{limit / 1e6:g}"}
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return  # not an image that opens: the checks that follow say so
    if width * height > limit:
        raise EvidenceFileError(
            gettext(
                "“%(name)s” is %(width)s × %(height)s pixels (%(megapixels)s megapixels); "
                "evidence photos may have at most %(limit)s megapixels. Save a smaller copy and upload that."
            )
            % {
                "name": name,
                "width": _grouped(width),
                "height": _grouped(height),
                "megapixels": number_format(width * height / 1e6, 1),
                "limit": f"{limit / 1e6:g}",
            }
        )


def _exif_time(exif) -> datetime | None:
    """When the photo was taken; EXIF gives local time, so without an offset tag we read it as UTC."""
    details = exif.get_ifd(EXIF_IFD)
    text = details.get(EXIF_DATETIME_ORIGINAL) or exif.get(EXIF_DATETIME)
    if not isinstance(text, str):
        return None
    try:
        naive = datetime.strptime(text.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(EXIF_OFFSET_ORIGINAL)
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", offset.strip("\x00 ")) if isinstance(offset, str) else None
    if match is None:
        return naive.replace(tzinfo=UTC)
    sign = 1 if match[1] == "+" else -1
    return naive.replace(tzinfo=timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3]))))


def _degrees(value, reference: str) -> float:
    degrees, minutes, seconds = (float(part) for part in value)
    decimal = degrees + minutes / 60 + seconds / 3600
    return -decimal if reference in ("S", "W") else decimal


def _exif_location(exif) -> Point | None:
    gps = exif.get_ifd(GPS_IFD)
    try:
        latitude = _degrees(gps[2], str(gps.get(1, "N")).strip("\x00 "))
        longitude = _degrees(gps[4], str(gps.get(3, "E")).strip("\x00 "))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return Point(longitude, latitude, srid=4326)


def make_thumbnail(upload: InspectedFile) -> ContentFile:
    """A small WebP of the photo, turned upright as the camera said, with no metadata."""
    upload.file.seek(0)
    with Image.open(upload.file) as image:
        thumbnail = ImageOps.exif_transpose(image)
        thumbnail.thumbnail(THUMBNAIL_SIZE)
        thumbnail = thumbnail.convert("RGB")
        thumbnail.info = {}
        buffer = io.BytesIO()
        thumbnail.save(buffer, "WEBP", quality=80)
    upload.file.seek(0)
    return ContentFile(buffer.getvalue())


PUBLIC_SAVE_OPTIONS = {"JPEG": {"quality": 92}, "PNG": {}, "WEBP": {"quality": 90}}


def photo_without_metadata(stored_file) -> bytes:
    """The photo re-encoded from its pixels alone, turned upright: no EXIF, XMP, IPTC or comment survives.

    What the public downloads: metadata can name the officer or photographer. Only the colour
    profile is carried over, so the colours stay right.
    """
    with Image.open(stored_file) as image:
        image_format = "JPEG" if image.format == "MPO" else image.format
        icc_profile = image.info.get("icc_profile")
        upright = ImageOps.exif_transpose(image)
        # Pillow writes some blocks (the JPEG comment, XMP) from the image's info: nothing read is kept.
        upright.info = {}
        buffer = io.BytesIO()
        options = dict(PUBLIC_SAVE_OPTIONS[image_format])
        if icc_profile:
            options["icc_profile"] = icc_profile
        if image_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(buffer, image_format, **options)
    return buffer.getvalue()


def public_copy_of(kind: str, file) -> bytes:
    """What readers outside the site's country get: the photo or PDF without the names its metadata holds.

    Raises PdfProblem for a stored PDF the parser cannot rewrite.
    """
    file.seek(0)
    try:
        if kind == "photo":
            return photo_without_metadata(file)
        return pdf_without_metadata(file)
    finally:
        file.seek(0)


def _grouped(count: int) -> str:
    """A pixel count as people read it: 12,000,000 in English."""
    return number_format(count, force_grouping=True)
