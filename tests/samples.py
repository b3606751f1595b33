"""Small sample files for upload tests."""

from __future__ import annotations

import io

XMP = b"""<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Jane Resident XMP</dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"""


def pdf(author: str | None = None, xmp: bool = False, pages: int = 1) -> bytes:
    """A real, small PDF; ``author`` goes in its document information, ``xmp`` adds XMP."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    if author:
        writer.add_metadata({"/Author": author, "/Title": "My street"})
    if xmp:
        writer.xmp_metadata = XMP
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
