"""PDF evidence: read with a real parser, refused when it could run code, offered to the public without metadata.

Looking for markers in the raw bytes is not enough: PDF 1.5 files keep most objects in compressed
object streams, and a name may be spelt with #-escapes (/J#61vaScript), so a script can hide from
a byte search, and a sound file can look as if it had no catalog.
"""

import io

from django.utils.translation import gettext
from pypdf import PdfReader, PdfWriter
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

# What runs code or opens other things when the file is opened: no evidence needs it.
ACTIVE_CONTENT = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles"}
# Keys that can name the people who wrote or edited the file: the XMP packet, application data.
PERSONAL_KEYS = ("/Metadata", "/PieceInfo")
# Comments and mark-ups: their /T is the name of the person who made them.
MARKUP_ANNOTATIONS = set(
    "/Text /FreeText /Line /Square /Circle /Polygon /PolyLine /Highlight /Underline /Squiggly /StrikeOut /Stamp"
    " /Caret /Ink /FileAttachment /Sound /Redact".split()
)


class PdfProblem(ValueError):
    """Why a PDF cannot be kept as evidence, in words for the uploader."""


def check_pdf(content: bytes) -> None:
    """Refuse a PDF that cannot be read, needs a password, has no pages or holds active content."""
    reader = _open(io.BytesIO(content))
    try:
        page_count = len(reader.pages)
        names = set()
        for item in _reachable(reader.trailer):
            if isinstance(item, NameObject):
                names.add(item)
            elif isinstance(item, DictionaryObject):
                names.update(item.keys())
    except Exception as error:  # see _open
        raise PdfProblem(gettext("The PDF is damaged and cannot be read (%(error)s).") % {"error": error}) from None
    if page_count == 0:
        raise PdfProblem(gettext("The PDF has no pages."))
    if names & ACTIVE_CONTENT:
        raise PdfProblem(gettext("The PDF contains scripts, launch actions or embedded files; save it without them."))


def pdf_without_metadata(stored_file) -> bytes:
    """The document rewritten without its information dictionary, XMP packets or comment authors.

    What the public downloads: a PDF's metadata can name the officer who wrote or scanned it.
    """
    reader = _open(stored_file)
    try:
        return _rewritten_without_metadata(reader)
    except Exception as error:  # see _open: a file that opens can still break when every object is read
        raise PdfProblem(
            gettext("The PDF is damaged and cannot be rewritten (%(error)s).") % {"error": error}
        ) from None


def _rewritten_without_metadata(reader: PdfReader) -> bytes:
    writer = PdfWriter(clone_from=reader)
    writer.metadata = None
    for dictionary in _reachable(writer.root_object):
        if not isinstance(dictionary, DictionaryObject):
            continue
        for key in PERSONAL_KEYS:
            dictionary.pop(key, None)
        if dictionary.get("/Subtype") in MARKUP_ANNOTATIONS:
            dictionary.pop("/T", None)
    writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)  # the cut-off packets too
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _open(stream) -> PdfReader:
    try:
        reader = PdfReader(stream, strict=False)
        # Files locked only against printing or copying open with the empty password.
        locked = reader.is_encrypted and not reader.decrypt("")
    except DependencyError:  # AES needs a cryptography package the registry does not carry
        raise PdfProblem(gettext("The PDF is encrypted; save it without protection and upload it again.")) from None
    except Exception as error:  # pypdf's failures on damaged input are not all its own error types
        raise PdfProblem(
            gettext("The file starts like a PDF but is not a complete PDF document (%(error)s).") % {"error": error}
        ) from None
    if locked:
        raise PdfProblem(gettext("The PDF is protected by a password; save it without one and upload it again."))
    return reader


def _reachable(start):
    """Every object reachable from `start`, each indirect one once.

    A dictionary's values are read after it is yielded, so what the caller removes from it is not visited.
    """
    seen, pending = set(), [start]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) not in seen:
                seen.add((item.idnum, item.generation))
                pending.append(item.get_object())
            continue
        yield item
        if isinstance(item, DictionaryObject):
            pending.extend(item.values())
        elif isinstance(item, ArrayObject):
            pending.extend(item)
