"""What makes a DOCX unsafe to open, render or convert, read from its zip alone.

Kept apart from the renderer, so that checking a document before LibreOffice converts it loads
no template library.
"""

from __future__ import annotations

import io
import re
import zipfile

from recordskit.limits import LIMITS

_EXTERNAL_OK = ("/hyperlink",)
"""External relationships allowed in a template: a link the reader clicks is not fetched."""


def package_problem(data: bytes) -> str:
    """What makes a DOCX unfit as a template before any part is read, or "" when nothing.

    Too large unpacked (a zip bomb), a body that is not UTF-8, or a part that points outside
    the file (a linked picture, an OLE object, an attached template): LibreOffice would fetch
    it when making a PDF, and recordskit never goes online.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return "not a Word (.docx) document"
    with archive:
        unpacked = sum(info.file_size for info in archive.infolist())
        largest = LIMITS["template_unpacked_bytes"]
        if unpacked > largest.value:
            return largest.exceeded("the template, unpacked", f"{unpacked:,} bytes")
        for name in archive.namelist():
            if name.endswith(".rels"):
                rels = archive.read(name).decode("utf-8", errors="replace")
                for relation in re.findall(r"<Relationship\b[^>]*>", rels):
                    kind = re.search(r'Type="([^"]*)"', relation)
                    if 'TargetMode="External"' in relation and not (
                            kind and kind.group(1).endswith(_EXTERNAL_OK)):
                        target = re.search(r'Target="([^"]*)"', relation)
                        return (f"{name} links to an outside file "
                                f"({target.group(1) if target else 'unknown'}); LibreOffice "
                                "would fetch it, and recordskit never goes online. Embed the "
                                "picture or object instead of linking it")
        try:
            archive.read("word/document.xml").decode("utf-8")
        except KeyError:
            return "not a Word (.docx) document: it has no word/document.xml"
        except UnicodeDecodeError:
            return ("its word/document.xml is not UTF-8; open it in Word or LibreOffice and "
                    "save it again as .docx")
    return ""
