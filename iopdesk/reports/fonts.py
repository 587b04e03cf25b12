"""The bundled Unicode font (DejaVu Sans, in fonts/), registered with ReportLab once.

Never the built-in Helvetica: its 8-bit encoding drops "ễ", "ł", Arabic and Hebrew. DejaVu Sans
covers Latin (Vietnamese, Polish, Nordic…), Greek, Cyrillic, Armenian, Georgian, Arabic,
Hebrew and some emoji (😀, not 👍); not Chinese, Japanese, Korean or Indic scripts. A
character the font lacks prints as an empty box and copies or extracts as U+FFFD (the
replacement character), never as an invisible control character.
Right-to-left runs are reordered for display by bidi.py; Arabic letters are not shaped.
"""

from __future__ import annotations

import io
import threading
from importlib.resources import files

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

FAMILY = "IOPDeskSans"
REGULAR, BOLD, ITALIC = FAMILY, f"{FAMILY}-Bold", f"{FAMILY}-Oblique"
_FILES = {REGULAR: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf"}
_lock = threading.Lock()
_registered = False


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode CMap, with characters beyond U+FFFF (emoji such as 😀) written
    as UTF-16 surrogate pairs, as the PDF specification asks. ReportLab writes "<1F600>",
    which readers reject, so copied or extracted text lost those characters."""
    def utf16(code: int) -> str:
        # Code 0 is the font's .notdef glyph (a character the font lacks): U+FFFD, not NUL.
        return chr(code or 0xFFFD).encode("utf-16-be", "surrogatepass").hex().upper()

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo", f"<< /Registry ({fontname})", f"/Ordering ({fontname})",
        "/Supplement 0", ">> def", f"/CMapName /{fontname} def", "/CMapType 2 def",
        "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar",
        *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)),
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"])


def register_fonts() -> str:
    """Register the family (idempotent, thread-safe); returns the regular face's name."""
    global _registered
    if _registered:
        return REGULAR
    with _lock:
        if not _registered:
            ttfonts.makeToUnicodeCMap = _to_unicode_cmap
            folder = files("iopdesk.reports").joinpath("fonts")
            for name, filename in _FILES.items():
                data = folder.joinpath(filename).read_bytes()
                pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
            pdfmetrics.registerFontFamily(FAMILY, normal=REGULAR, bold=BOLD, italic=ITALIC,
                                          boldItalic=BOLD)
            _registered = True
    return REGULAR


def has_glyph(character: str, font: str = REGULAR) -> bool:
    """Whether the bundled font draws `character` (rather than an empty box)."""
    register_fonts()
    return ord(character) in pdfmetrics.getFont(font).face.charToGlyph
