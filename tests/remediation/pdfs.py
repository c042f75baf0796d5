"""Real PDF files for the evidence tests, written the ways officers' tools write them."""

import io
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

AUTHOR = "Siti Rahayu"


def scanned_pdf(**info) -> bytes:
    """A one-page scan saved as PDF by Pillow, with its document information (author, title...)."""
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), (200, 30, 30)).save(buffer, "PDF", **info)
    return buffer.getvalue()


def commented_pdf() -> bytes:
    """Two pages, an XMP packet naming its creator and a sticky-note comment signed by its author."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": AUTHOR, "/Title": "Capping of shaft 7"})
    xmp = DecodedStreamObject()
    xmp.set_data(
        b'<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF'
        b' xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + AUTHOR.encode() + b"</dc:creator>"
        b'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>'
    )
    xmp.update({NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")})
    writer.root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): ArrayObject([FloatObject(10), FloatObject(10), FloatObject(30), FloatObject(30)]),
            NameObject("/Contents"): TextStringObject("Cap poured 3 May"),
            NameObject("/T"): TextStringObject(AUTHOR),
        }
    )
    writer.add_annotation(page_number=0, annotation=note)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def locked_pdf(user_password: str) -> bytes:
    """A blank page encrypted with RC4; with an empty user password it is only locked against changes."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def compressed_pdf(catalog_extra: bytes = b"", kids: bytes = b"4 0 R") -> bytes:
    """A PDF 1.5 whose catalog and pages sit in a compressed object stream, with a cross-reference stream.

    The way many office suites and optimisers save: no object's dictionary can be read in the raw bytes.
    """
    objects = [
        b"<</Type/Catalog/Pages 3 0 R" + catalog_extra + b">>",
        b"<</Type/Pages/Kids[%s]/Count %d>>" % (kids, kids.count(b" R")),
        b"<</Type/Page/Parent 3 0 R/MediaBox[0 0 200 200]>>",
    ]
    offsets, body = [], b""
    for number, obj in zip((2, 3, 4), objects, strict=True):
        offsets.append(f"{number} {len(body)}".encode())
        body += obj + b"\n"
    header = b" ".join(offsets) + b"\n"
    packed = zlib.compress(header + body)
    pdf = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n"
    stream_offset = len(pdf)
    pdf += (
        b"1 0 obj<</Type/ObjStm/N 3/First %d/Filter/FlateDecode/Length %d>>stream\n" % (len(header), len(packed))
        + packed
        + b"\nendstream\nendobj\n"
    )
    xref_offset = len(pdf)
    rows = [(0, 0, 65535), (1, stream_offset, 0), (2, 1, 0), (2, 1, 1), (2, 1, 2), (1, xref_offset, 0)]
    table = zlib.compress(b"".join(kind.to_bytes(1) + a.to_bytes(4) + b.to_bytes(2) for kind, a, b in rows))
    pdf += (
        b"5 0 obj<</Type/XRef/Size 6/W[1 4 2]/Root 2 0 R/Filter/FlateDecode/Length %d>>stream\n" % len(table)
        + table
        + b"\nendstream\nendobj\n"
    )
    return pdf + b"startxref\n%d\n%%%%EOF\n" % xref_offset
