"""Minimal PDFs with a Chinese text layer, written byte by byte, for the reader's tests and bench.

The text is drawn in a CID font (Identity-H, two bytes per character = its Unicode code point) with a
ToUnicode map, which is how Word and WPS export Chinese; no font file or network is needed.
"""

import zlib

PAGE_LINES = 40
LINE_CHARS = 36


def _objects_to_pdf(objects: list[bytes], *, root: int = 1, extra_trailer: bytes = b"") -> bytes:
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        extra_trailer,
        xref,
    )
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    packed = zlib.compress(data)
    return b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra) + packed + b"\nendstream"


def _to_unicode() -> bytes:
    ranges = [b"<%02X00> <%02XFF> <%02X00>" % (high, high, high) for high in range(256) if not 0xD8 <= high <= 0xDF]
    blocks = []
    for start in range(0, len(ranges), 100):
        chunk = ranges[start : start + 100]
        blocks.append(b"%d beginbfrange\n" % len(chunk) + b"\n".join(chunk) + b"\nendbfrange")
    return (
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange\n" + b"\n".join(blocks) + b"\nendcmap\n"
        b"CMapName currentdict /CMap defineresource pop end end"
    )


def wrap(text: str) -> list[str]:
    """Lines as a PDF lays them out: paragraphs broken at the page width, hard breaks mid-sentence.

    Half-width characters (digits, %) take half the width of a Chinese one, as on a printed page, so a
    full line with figures holds more characters than one without.
    """
    lines = []
    for paragraph in text.split("\n"):
        line, width = "", 0.0
        for char in paragraph:
            step = 0.5 if char.isascii() else 1.0
            if width + step > LINE_CHARS:
                lines.append(line)
                line, width = "", 0.0
            line += char
            width += step
        lines.append(line)
    return lines


def make_pdf(text: str, *, page_numbers: bool = True) -> bytes:
    """A PDF of ``text`` wrapped at a page width, PAGE_LINES lines a page, with 「- n -」 page numbers."""
    lines = wrap(text)
    pages = [lines[i : i + PAGE_LINES] for i in range(0, len(lines), PAGE_LINES)] or [[]]
    # 1 catalog, 2 pages, 3 font, 4 descendant, 5 tounicode, then (page, content) pairs
    kids = b" ".join(b"%d 0 R" % (6 + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
        b"<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        b"/DescendantFonts [4 0 R] /ToUnicode 5 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /DW 1000 /W [32 126 500] >>",
        _stream(_to_unicode()),
    ]
    for number, page in enumerate(pages, start=1):
        content = bytearray(b"BT /F1 14 Tf 16 TL 50 800 Td\n")
        for line in page:
            content += b"<" + line.encode("utf-16-be").hex().upper().encode() + b"> Tj T*\n"
        if page_numbers:
            content += b"ET BT /F1 10 Tf 280 30 Td <" + f"- {number} -".encode("utf-16-be").hex().encode() + b"> Tj"
        content += b" ET"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            b"/Contents %d 0 R >>" % (7 + 2 * (number - 1))
        )
        objects.append(_stream(bytes(content)))
    return _objects_to_pdf(objects)


def make_scanned_pdf(pages: int = 2) -> bytes:
    """A PDF whose pages hold only a drawn picture (a filled box), as a scanner makes: no text layer."""
    kids = b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)]
    for number in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % (4 + 2 * number))
        objects.append(_stream(b"0.5 g 50 50 495 742 re f"))
    return _objects_to_pdf(objects)


def make_page_bomb(pages: int = 20_000) -> bytes:
    """A small PDF of tens of thousands of empty pages, whose page tree also claims millions more."""
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [%s] /Count 5000000 >>" % kids]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"] * pages
    return _objects_to_pdf(objects)


def make_nesting_bomb(depth: int = 200_000) -> bytes:
    """A PDF whose page content and dictionaries nest arrays hundreds of thousands deep."""
    deep = b"[" * depth + b"]" * depth
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /Deep " + deep + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        _stream(b"BT " + deep + b" TJ ET"),
    ]
    return _objects_to_pdf(objects)


def make_encrypted_pdf() -> bytes:
    """A PDF whose trailer names a standard security handler with a user password."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Filter /Standard /V 2 /R 3 /Length 128 /P -3904 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> >>",
    ]
    return _objects_to_pdf(objects, extra_trailer=b"/Encrypt 4 0 R /ID [<" + b"33" * 16 + b"> <" + b"33" * 16 + b">] ")
