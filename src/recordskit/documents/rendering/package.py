"""What makes a DOCX unsafe to open, render or convert, read from its zip alone.

Kept apart from the renderer, so that checking a document before LibreOffice converts it loads
no template library.
"""

from __future__ import annotations

import functools
import io
import re
import zipfile
from typing import Any

from recordskit.limits import LIMITS

_HYPERLINK_TYPES = frozenset({
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink",
    "http://purl.oclc.org/ooxml/officeDocument/relationships/hyperlink",  # Strict OOXML
})
"""The external relationships allowed in a template, exactly: a link the reader clicks is not
fetched. Anything else that points outside (a picture, an OLE object, an attached template) is."""

_SCHEME = re.compile(r"^\s*([a-z][a-z0-9+.\-]*:|[/\\]{2})", re.IGNORECASE)
"""A target that names a place of its own (``http:``, ``file:``, ``\\\\server``), not a part."""


def _parser() -> Any:
    """lxml's parser made safe for a file from anyone: no entity is expanded, no DTD loaded,
    nothing fetched, and its own limits on depth and size kept (no ``huge_tree``)."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=True)


def _local(name: object) -> str:
    """An element's or attribute's name without its namespace."""
    return str(name).rpartition("}")[2]


def _read_part(name: str, data: bytes) -> tuple[Any, str]:
    """A part's XML root, read by the safe parser, or None and why it cannot be one: it is not
    XML, or it declares a DOCTYPE (no Word document needs one)."""
    from lxml import etree

    try:
        root = etree.fromstring(data, _parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        return None, (f"{name} cannot be read as XML ({str(exc)[:120]}); open the document in "
                      "Word or LibreOffice and save it again as .docx")
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return None, f"{name} declares a DOCTYPE, which no Word document needs"
    return root, ""


def relationships_problem(name: str, data: bytes) -> str:
    """What makes one relationships part (``*.rels``) point outside the file, or "".

    It is read as XML, as LibreOffice reads it, whatever its encoding, quoting or spacing: a
    relationship whose TargetMode is anything but Internal is refused unless its Type is exactly
    a hyperlink's, and an internal one may not name a place outside the package either."""
    root, problem = _read_part(name, data)
    if root is None:
        return problem
    for element in root.iter():
        if not isinstance(element.tag, str) or _local(element.tag) != "Relationship":
            continue
        attributes = {_local(key): str(value) for key, value in element.attrib.items()}
        target = attributes.get("Target", "")
        external = attributes.get("TargetMode", "Internal").strip().lower() != "internal"
        if external and attributes.get("Type", "").strip() in _HYPERLINK_TYPES:
            continue
        if external or _SCHEME.match(target):
            shown = "".join(c for c in target if c.isprintable())[:200] or "unknown"
            return (f"{name} links to an outside file ({shown}); LibreOffice would fetch it, "
                    "and recordskit never goes online. Embed the picture or object instead of "
                    "linking it")
    return ""


_FETCHING_FIELDS = re.compile(r"(?<![\w])(INCLUDEPICTURE|INCLUDETEXT|LINK|DDE|DDEAUTO|IMPORT)"
                              r"(?![\w])", re.IGNORECASE)
"""Word fields that bring in another file, by address, when the document is opened or
converted (a HYPERLINK field is only clicked, and is not one of them)."""


@functools.cache
def _instructions() -> Any:
    """Every field instruction's node, in document order: ``w:instrText`` elements and
    ``w:instr`` attributes, in any namespace (compiled once, on first use: lxml is imported
    only when a document is checked)."""
    from lxml import etree

    return etree.XPath("//*[local-name()='instrText'] | //@*[local-name()='instr']")


def fields_problem(name: str, data: bytes) -> str:
    """What makes one part of the document (``word/*.xml``) fetch another file through a
    field, or "": its field instructions (``w:instrText``, ``w:fldSimple``'s ``w:instr``),
    read as XML, whole or split across runs."""
    from lxml import etree

    root, problem = _read_part(name, data)
    if root is None:
        return problem
    # One XPath walk in C, in document order, an element's text before its attributes (a
    # Python loop over every element of every part took most of a template's loading time)
    instructions = [str(node.text or "") if isinstance(node, etree._Element) else str(node)
                    for node in _instructions()(root)]
    if found := _FETCHING_FIELDS.search("".join(instructions)):
        return (f"{name} has a {found.group(1).upper()} field, which brings in another file; "
                "LibreOffice would fetch it, and recordskit never goes online. Paste or embed "
                "what it shows instead")
    return ""


_UNPACKING_ERRORS = (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError)
"""What reading a damaged or unusual zip entry raises (a bad CRC, an unknown compression, an
encrypted entry)."""


def package_problem(data: bytes) -> str:
    """What makes a DOCX unfit as a template before any part is read, or "" when nothing.

    Too large unpacked (a zip bomb), a body that is not UTF-8, a relationship that points
    outside the file (a linked picture, an OLE object, an attached template) or a field that
    brings in another file (INCLUDEPICTURE): LibreOffice would fetch it when making a PDF, and
    recordskit never goes online. Every part is read as XML, never matched as text.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return "not a Word (.docx) document"
    with archive:
        infos = archive.infolist()
        unpacked = sum(info.file_size for info in infos)
        largest = LIMITS["template_unpacked_bytes"]
        if unpacked > largest.value:
            return largest.exceeded("the template, unpacked", f"{unpacked:,} bytes")
        try:
            archive.read("word/document.xml").decode("utf-8")
        except KeyError:
            return "not a Word (.docx) document: it has no word/document.xml"
        except UnicodeDecodeError:
            return ("its word/document.xml is not UTF-8; open it in Word or LibreOffice and "
                    "save it again as .docx")
        except _UNPACKING_ERRORS as exc:
            return f"word/document.xml cannot be unpacked ({exc})"
        # Every entry, each of a name given twice too, and a name in any case: a package's
        # part names are not case-sensitive.
        for info in infos:
            name = info.filename.lower()
            if name.endswith(".rels"):
                check = relationships_problem
            elif name.startswith("word/") and name.endswith(".xml"):
                check = fields_problem
            else:
                continue
            try:
                part = archive.read(info)
            except _UNPACKING_ERRORS as exc:
                return f"{info.filename} cannot be unpacked ({exc})"
            if problem := check(info.filename, part):
                return problem
    return ""
