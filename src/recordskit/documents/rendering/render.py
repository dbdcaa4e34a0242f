"""Filling DOCX letter templates, safely.

Templates are data that volunteers edit in Word, and answers are whatever people type, so:

- Jinja runs in a sandbox with autoescaping and ``StrictUndefined``: a template cannot reach
  Python internals, ``&`` and ``<`` in an answer come out as typed, and a misspelt variable is
  an error instead of a blank.
- The context is plain data only (dicts, lists, strings, numbers): no model objects whose
  methods a template could call.
- Word stores ``&`` inside a tag as ``&amp;``; ``_SafeDocxTemplate`` undoes that inside tags
  only, so a literal like ``{{ 'A & B' }}`` means what it says.
- Each distinct template source is compiled once per process and reused, and a template
  rendered again with the very same data returns the bytes it made (the schedule page of a
  batch's rows, which share their agency and dates, is rendered once per process, not per row).
- A letter differs from its template only in ``word/document.xml`` (and its properties), so
  the fast path renders that one part and adds it to a zip of the unchanged parts made once;
  templates with pictures, or tags in headers, footers or footnotes, take docxtpl's full path.
"""

from __future__ import annotations

import contextvars
import io
import operator
import pickle
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import (
    FunctionLoader,
    StrictUndefined,
    Template,
    TemplateError,
    TemplateSyntaxError,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from lxml import etree

from recordskit.documents.rendering.package import package_problem
from recordskit.errors import TemplateError as RecordskitTemplateError
from recordskit.files import LimitError, not_regular, read_limited
from recordskit.law import LAW, LAW_VERSION
from recordskit.limits import LIMITS
from recordskit.paths import templates_dir

_STEPS: contextvars.ContextVar[int] = contextvars.ContextVar("render_steps", default=0)
"""Loop steps the document being rendered may still take (set afresh for each render)."""


def _spend(steps: int) -> None:
    left = _STEPS.get() - steps
    if left < 0:
        raise SecurityError(LIMITS["render_steps"].exceeded("the template's loops", "more"))
    _STEPS.set(left)


def _budgeted_range(*args: int) -> range:
    """``range``, counted against the render's budget: nested loops cannot run for hours."""
    numbers = range(*args)
    _spend(len(numbers))
    return numbers


def _checked(value: Any) -> Any:
    """Refuse a string or list a template built past the size limit (``'a' * 10**9``)."""
    longest = LIMITS["render_chars"]
    if isinstance(value, (str, list, tuple)) and len(value) > longest.value:
        raise SecurityError(longest.exceeded("a value the template built", f"{len(value):,}"))
    return value


def _size_guard(function: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses huge numbers among its arguments (``center(10**9)``) and results."""
    longest = LIMITS["render_chars"].value

    def guarded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and abs(value) > longest:
                raise SecurityError(LIMITS["render_chars"].exceeded("a filter's argument",
                                                                    value))
        return _checked(function(*args, **kwargs))

    for attribute in ("jinja_pass_arg",):  # keep Jinja's own markers (context, environment)
        if hasattr(function, attribute):
            setattr(guarded, attribute, getattr(function, attribute))
    return guarded


_NO_TEMPLATES = FunctionLoader(lambda _name: None)
"""``{% include %}`` and ``{% import %}`` find nothing: a letter template stands alone."""


class _CachingSandbox(ImmutableSandboxedEnvironment):
    """A sandbox that compiles each template source once (docxtpl asks on every render).

    Immutable: a template cannot change the data it is given (which is shared, for example
    the law table's, across the letters of a batch). Budgeted: loops over ``range`` count
    against a number of steps per document, and no string or list it builds, nor a filter's
    number, may pass the size limit, so a template cannot hang or exhaust the machine.
    """

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True,
                         loader=_NO_TEMPLATES)
        self._compiled: dict[str, Template] = {}
        self.filters["money"] = _money
        self.filters["capfirst"] = _capfirst
        self.filters = {name: _size_guard(f) for name, f in self.filters.items()}
        self.globals["range"] = _budgeted_range

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**" and isinstance(right, int) and right > 64:
            raise SecurityError("the template raises a number to a huge power")
        if operator_name == "*" and isinstance(left, (str, list, tuple)) and isinstance(
                right, int):
            _checked_length(len(left) * right)
        if operator_name == "*" and isinstance(right, (str, list, tuple)) and isinstance(
                left, int):
            _checked_length(len(right) * left)
        operation: Callable[[Any, Any], Any] = {
            "*": operator.mul, "**": operator.pow, "+": operator.add}[operator_name]
        return _checked(operation(left, right))

    def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        longest = LIMITS["render_chars"].value
        for value in (*args, *kwargs.values()):
            if isinstance(value, int) and abs(value) > longest:
                raise SecurityError(LIMITS["render_chars"].exceeded("a call's argument", value))
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def from_string(self, source: Any, globals: Any = None,
                    template_class: Any = None) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            compiled = self._compiled.get(source)
            if compiled is None:
                compiled = self._compiled[source] = super().from_string(source)
            return compiled
        return super().from_string(source, globals, template_class)


def _checked_length(length: int) -> None:
    longest = LIMITS["render_chars"]
    if length > longest.value:
        raise SecurityError(longest.exceeded("a value the template built", f"{length:,}"))


def _money(value: Any) -> str:
    """``12.5`` -> ``$12.50``."""
    return f"${float(value):,.2f}"


def _capfirst(value: Any) -> str:
    """``the City Clerk`` -> ``The City Clerk`` (Jinja's ``capitalize`` lowers the rest)."""
    text = str(value)
    return text[:1].upper() + text[1:]


_ENV: _CachingSandbox | None = None


def environment() -> _CachingSandbox:
    """The one sandboxed Jinja environment every template renders in."""
    global _ENV
    if _ENV is None:
        _ENV = _CachingSandbox()
    return _ENV


@dataclass(frozen=True)
class Stamp:
    """What a letter records about how it was made, in its document properties."""

    title: str
    subject: str
    law_version: str
    template_name: str
    recordskit_version: str


PUBLIC_RECORDS_SUBJECT = "Massachusetts Public Records Law request"
STUDENT_RECORDS_SUBJECT = "Massachusetts student record request"


@lru_cache(maxsize=1)
def recordskit_version() -> str:
    """The installed version, looked up once per process (the lookup reads the disk)."""
    try:
        return version("recordskit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def stamp(title: str, template_name: str, subject: str = PUBLIC_RECORDS_SUBJECT) -> Stamp:
    """The stamp of a document made now, from ``template_name``, under today's law table."""
    return Stamp(title=title, subject=subject, law_version=LAW_VERSION,
                 template_name=template_name, recordskit_version=recordskit_version())


_KEPT_RENDERS = 16
"""Documents each template keeps for data it may be given again (about 25 KB each, and the
body's XML for a document rendered on the fast path)."""

_UNREPEATED_RENDERS = 64
"""After this many renders none of which repeated an earlier one, a template stops looking its
data up: a letter names its family, so a batch's letters never repeat, and making the key for
each (a pickle of the data) was about 1% of a row. A schedule page, the same for every row of
one agency and date, keeps finding its documents."""


def _data_key(context: dict[str, Any], stamp: Stamp) -> bytes | None:
    """What identifies a render: the exact data, by value and type (pickle tells a tuple
    from a list and 1 from True, which a template prints differently), or None when the data
    cannot be pickled (then the document is rendered every time).

    A render depends on nothing else: the sandbox has no clock, no translations and no
    access to anything outside the data it is given. (Jinja's ``random`` filter and ``lipsum``
    pick differently each time; any of their picks is as good as another.)
    """
    try:
        return pickle.dumps((context, stamp), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return None


@lru_cache(maxsize=16)
def _load(path: Path) -> LetterTemplate:
    return LetterTemplate(path)


class Rendered:
    """A filled-in document: its DOCX bytes, and its body part (``word/document.xml``) as
    written there."""

    def __init__(self, docx: bytes, document_xml: str | None = None) -> None:
        self.docx = docx
        self._document_xml = document_xml

    @property
    def document_xml(self) -> str:
        """``word/document.xml``: kept from the render that wrote it, else read back once."""
        if self._document_xml is None:
            with zipfile.ZipFile(io.BytesIO(self.docx)) as archive:
                self._document_xml = archive.read(_DOCUMENT).decode("utf-8")
        return self._document_xml


def template(name: str, folder: Path | None = None) -> LetterTemplate:
    """A letter template by file name, read once per process."""
    return _load((folder or templates_dir()) / name)


class LetterTemplate:
    """One DOCX template, read once, rendered as often as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:  # a regular file, within the limit of a template
            self._bytes = read_limited(path, LIMITS["template_unpacked_bytes"])
        except OSError as exc:
            raise RecordskitTemplateError(f"{path}: cannot read the letter template: "
                                          f"{not_regular(path, exc)}") from None
        except LimitError as exc:
            raise RecordskitTemplateError(str(exc)) from None
        if problem := package_problem(self._bytes):
            raise RecordskitTemplateError(f"{path}: {problem}")
        self._fast: _FastParts | None = _FastParts.build(self._bytes, path)
        # The fast form has the document open already; a template without one is opened here
        self.version = self._fast.version if self._fast is not None else self._read_version()
        self._made: OrderedDict[bytes, Rendered] = OrderedDict()
        self._looked_up = self._found = 0

    @property
    def fast_path(self) -> bool:
        """Whether it renders by the fast path (only the body re-rendered) or docxtpl's own."""
        return self._fast is not None

    def _read_version(self) -> str:
        return _version(_opened(lambda: Document(io.BytesIO(self._bytes)), self.path))

    def render(self, context: dict[str, Any], stamp: Stamp) -> bytes:
        """The filled-in letter as DOCX bytes, within the render budget."""
        return self.render_document(context, stamp).docx

    def render_document(self, context: dict[str, Any], stamp: Stamp) -> Rendered:
        """The filled-in letter, with its body part's XML (for an email's text, which then
        need not read the DOCX back)."""
        key = (None if self._found == 0 and self._looked_up >= _UNREPEATED_RENDERS
               else _data_key(context, stamp))
        if key is not None:
            self._looked_up += 1
            if key in self._made:
                self._found += 1
                self._made.move_to_end(key)
                return self._made[key]
        _STEPS.set(LIMITS["render_steps"].value)
        with self._friendly_errors():
            if self._fast is not None:
                made = self._fast.render(context, self._properties(stamp))
            else:
                made = Rendered(self.render_with_docxtpl(context, stamp))
        if key is not None:
            self._made[key] = made
            if len(self._made) > _KEPT_RENDERS:
                self._made.popitem(last=False)
        return made

    def _properties(self, stamp: Stamp) -> dict[str, str]:
        return {
            "title": stamp.title,
            "subject": stamp.subject,
            "creator": "recordskit",
            "keywords": ("Massachusetts student records" if stamp.subject ==
                         STUDENT_RECORDS_SUBJECT else
                         f"Massachusetts public records; {LAW['statute'].citation}"),
            "version": f"{self.path.name} {self.version}",
            "description": (
                f"Made with recordskit {stamp.recordskit_version} from template "
                f"{stamp.template_name} version {self.version}, law table {stamp.law_version}."
            ),
        }

    def render_with_docxtpl(self, context: dict[str, Any], stamp: Stamp) -> bytes:
        """docxtpl's own full path: reload, render every part, save the whole package."""
        template = _SafeDocxTemplate(io.BytesIO(self._bytes))
        with self._friendly_errors():
            template.render(context, jinja_env=environment())
            properties = template.docx.core_properties
            stamped = self._properties(stamp)
            properties.title, properties.subject = stamped["title"], stamped["subject"]
            properties.author, properties.keywords = stamped["creator"], stamped["keywords"]
            properties.version, properties.comments = stamped["version"], stamped["description"]
            out = io.BytesIO()
            template.save(out)
            return out.getvalue()

    @contextmanager
    def _friendly_errors(self) -> Iterator[None]:
        try:
            yield
        except SecurityError as exc:
            raise RecordskitTemplateError(
                f"{self.path.name}: the template tried something the sandbox forbids "
                f"({exc}); remove that tag from the template"
            ) from None
        except TemplateSyntaxError as exc:
            near = getattr(exc, "docx_context", None)
            where = f" near: {' '.join(near)!r}" if near else ""
            raise RecordskitTemplateError(
                f"{self.path.name}: template syntax error: {exc.message}{where}"
            ) from None
        except TemplateError as exc:
            raise RecordskitTemplateError(f"{self.path.name}: {exc}") from None
        except OverflowError as exc:  # the sandbox's answer to range(10**9)
            raise RecordskitTemplateError(f"{self.path.name}: {exc}") from None
        except RecursionError:
            raise RecordskitTemplateError(f"{self.path.name}: a macro in the template calls "
                                          "itself without end; remove it") from None


_CORE = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    "<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"
    "<dc:creator>{creator}</dc:creator><cp:keywords>{keywords}</cp:keywords>"
    "<dc:description>{description}</dc:description><cp:version>{version}</cp:version>"
    "</cp:coreProperties>"
)
_DOCUMENT = "word/document.xml"
_CORE_PART = "docProps/core.xml"


def _opened(open_document: Callable[[], Any], path: Path) -> Any:
    """A template's document as python-docx opens it, or the error a volunteer can act on."""
    try:
        return open_document()
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise RecordskitTemplateError(f"{path}: not a Word (.docx) document: {exc}") from None


def _version(document: Any) -> str:
    return str(document.core_properties.version or "unversioned")


class _FastParts:
    """A template split once into its compiled body and a zip of everything else."""

    def __init__(self, prefix: str, suffix: str, body: Template, entries: bytes,
                 listed: tuple[zipfile.ZipInfo, ...], helper: Any) -> None:
        self._prefix, self._suffix, self._body = prefix, suffix, body
        self._entries, self._listed, self._helper = entries, listed, helper
        self.version = _version(helper.docx)

    @classmethod
    def build(cls, data: bytes, path: Path) -> _FastParts | None:
        """The fast form of a template, or None when it needs docxtpl's full path."""
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
                parts = {name: archive.read(name) for name in names}
        except zipfile.BadZipFile:
            return None
        document = parts.get(_DOCUMENT, b"").decode("utf-8")
        for name, blob in parts.items():
            if re.fullmatch(r"word/(header|footer)\d*\.xml|word/footnotes\.xml", name) and (
                    b"{{" in blob or b"{%" in blob):
                return None  # tags outside the body: docxtpl renders those
        if "<w:body>" not in document or "docPr" in document or _CORE_PART not in parts:
            return None
        helper = _SafeDocxTemplate(io.BytesIO(data))
        _opened(helper.init_docx, path)
        source = _literal_braces(paragraph_lines(helper.patch_xml(helper.get_xml())))
        try:
            body = environment().from_string(source)
        except TemplateError:
            return None  # the full path reports it, with the text around it, when rendering
        start, end = document.index("<w:body>"), document.rindex("</w:body>") + len("</w:body>")
        # The unchanged parts, compressed once: their entries (the bytes before the zip's
        # central directory) and how the central directory lists them.
        base = io.BytesIO()
        with zipfile.ZipFile(base, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                if name not in (_DOCUMENT, _CORE_PART):
                    archive.writestr(name, parts[name])
            entries_end = base.tell()
            listed = tuple(archive.infolist())
        return cls(document[:start], document[end:], body, base.getvalue()[:entries_end],
                   listed, helper)

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> Rendered:
        xml = self._body.render(context)
        # the line breaks put before each paragraph for Jinja's line numbers, taken out again
        # (as docxtpl's pattern ``\n<w:p([ >])`` does, by plain replacing)
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        body = _resolve_listing(self._helper, xml)
        if "<w:tbl" in body or not _well_formed(body):
            # docxtpl widens a table whose rows gained cells, and recovers what it can from a
            # body a template left broken: that takes a parse into a tree and writing it out
            # again, which for a letter without tables changes nothing but how characters are
            # escaped (``&#39;`` for ``'``) and was a fifth of its render
            body = etree.tostring(self._helper.fix_tables(body), encoding="unicode")
        core = _CORE.format(**{key: escape(value) for key, value in properties.items()})
        out = io.BytesIO(self._entries)
        out.seek(0, io.SEEK_END)
        # The quickest compression for the two parts written every time: about a third less
        # time than the default for some 300 bytes more per letter.
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            # The same as opening the zip of the unchanged parts to append to it ("a"), which
            # reads its central directory back every time (a third of writing the zip): the
            # listing is given as it was made. A test reads every part of each render back.
            archive.filelist.extend(self._listed)
            document = self._prefix + body + self._suffix
            archive.writestr(_DOCUMENT, document)
            archive.writestr(_CORE_PART, core)
        return Rendered(out.getvalue(), document)


def _well_formed(xml: str) -> bool:
    """Whether ``xml`` is well-formed XML, checked by the standard library's expat parser, which
    builds nothing (twice as quick as lxml's parse into a tree)."""
    try:
        expat.ParserCreate().Parse(xml, True)
    except expat.ExpatError:
        return False
    return True


def paragraph_lines(xml: str) -> str:
    """A part's XML with each paragraph begun on a line of its own, as docxtpl does before it
    hands the part to Jinja: the line of a template error is then the paragraph it is in."""
    return _PARAGRAPH_START.sub(r"\n<w:p\1", xml)


_PARAGRAPH_START = re.compile(r"<w:p([ >])")
_PARAGRAPH = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)  # docxtpl's own pattern
_LISTING_MARKS = ("\t", "\a", "\n", "\f")


def _resolve_listing(helper: Any, xml: str) -> str:
    """docxtpl's ``resolve_listing`` (a line break in a value becomes ``<w:br/>``, a tab
    ``<w:tab/>``, and so on), applied only to the paragraphs that hold such a character.

    The output is the same as running it on the whole body (a test compares them). On the whole
    body it matches every paragraph and every run with nested patterns, which was about 40% of a
    letter's render time, for the two paragraphs of a typical letter (the addresses) it changes.

    Only the stretch around each such character is searched for its paragraph: from just after
    the ``</w:p>`` before it to just after the ``</w:p>`` after it. A paragraph's match ends at
    the first ``</w:p>`` after it begins, so no match runs across the end of a ``</w:p>``: a
    search begun there finds the very paragraphs a search of the whole body finds.
    """
    found = _next_mark(xml, 0)
    if found < 0:
        return xml

    def resolved(paragraph: re.Match[str]) -> str:
        text = paragraph.group(0)
        if any(mark in text for mark in _LISTING_MARKS):
            return str(helper.resolve_listing(text))
        return text

    pieces, done = [], 0
    while found >= 0:
        before = xml.rfind(_PARAGRAPH_END, done, found)
        start = done if before < 0 else before + len(_PARAGRAPH_END)
        after = xml.find(_PARAGRAPH_END, found)
        end = len(xml) if after < 0 else after + len(_PARAGRAPH_END)
        pieces += [xml[done:start], _PARAGRAPH.sub(resolved, xml[start:end])]
        done, found = end, _next_mark(xml, end)
    pieces.append(xml[done:])
    return "".join(pieces)


_PARAGRAPH_END = "</w:p>"


def _next_mark(xml: str, start: int) -> int:
    """Where the first character docxtpl's listing resolves is, from ``start``; -1 if none."""
    found = [at for at in (xml.find(mark, start) for mark in _LISTING_MARKS) if at >= 0]
    return min(found, default=-1)


_TAG_BODY = re.compile(r"(?<=\{[\{%])(.*?)(?=[\}%]\})", re.DOTALL)
_LITERALS = {"{_{": "{{ '{{' }}", "}_}": "{{ '}}' }}", "{_%": "{{ '{%' }}", "%_}": "{{ '%}' }}"}


def _literal_braces(source: str) -> str:
    """docxtpl's escapes for literal braces, resolved in the template, not in the output.

    docxtpl turns ``{_{`` into ``{{`` after rendering, which would change an answer that
    contains ``{_{``; resolving them in the source leaves every answer exactly as typed.
    """
    for escaped, literal in _LITERALS.items():
        source = source.replace(escaped, literal)
    return source


class _SafeDocxTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl's template class, with ``&amp;`` inside tags turned back into ``&``."""

    def patch_xml(self, src_xml: str) -> str:
        xml: str = super().patch_xml(src_xml)
        return _literal_braces(_TAG_BODY.sub(lambda m: m.group(0).replace("&amp;", "&"), xml))

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any],
                        jinja_env: Any = None) -> str:
        # docxtpl's own, minus its brace replacement on the output (see _literal_braces)
        src_xml = paragraph_lines(src_xml)
        self.current_rendering_part = part
        dst_xml = (jinja_env or environment()).from_string(src_xml).render(context)
        dst_xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", dst_xml)
        return _resolve_listing(self, dst_xml)
