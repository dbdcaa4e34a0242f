"""The plain text of a DOCX that recordskit made: for the email draft's body, and for tests."""

from __future__ import annotations

import html
import io
import re
import zipfile


def docx_text(docx: bytes) -> str:
    """The plain text of a DOCX made by recordskit: one line per paragraph, breaks kept."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        return document_text(archive.read("word/document.xml").decode("utf-8"))


def document_text(xml: str) -> str:
    """The plain text of a DOCX's ``word/document.xml``, as ``docx_text`` gives it."""
    lines = []
    for paragraph in _PARAGRAPH.findall(xml):
        pieces = []
        for match in _RUN_PIECE.finditer(paragraph):
            text, tag = match.group(1), match.group(2)
            pieces.append(html.unescape(text) if text is not None else
                          "\t" if tag == "tab" else "\n")
        lines.append("".join(pieces))
    return "\n".join(lines).strip() + "\n"


_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_RUN_PIECE = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(br|cr|tab)/>")
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")


def raw_text(xml: str) -> str:
    """The text runs of a piece of WordprocessingML joined, still XML-escaped (as Word keeps a
    template's tags)."""
    return "".join(_TEXT.findall(xml))
