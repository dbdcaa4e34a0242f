"""Filling DOCX letter templates, safely.

Templates are data that volunteers edit in Word, and answers are whatever people type, so:

- Jinja runs in a sandbox with autoescaping and ``StrictUndefined``: a template cannot reach
  Python internals, ``&`` and ``<`` in an answer come out as typed, and a misspelt variable is
  an error instead of a blank.
- The context is plain data only (dicts, lists, strings, numbers): no model objects whose
  methods a template could call.
- Word stores ``&`` inside a tag as ``&amp;``; ``_SafeDocxTemplate`` undoes that inside tags
  only, so a literal like ``{{ 'A & B' }}`` means what it says.
- Each distinct template source is compiled once per process and reused.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from recordskit.errors import TemplateError as RecordskitTemplateError
from recordskit.law import LAW


class _CachingSandbox(SandboxedEnvironment):
    """A sandbox that compiles each template source once (docxtpl asks on every render)."""

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
        self._compiled: dict[str, Template] = {}
        self.filters["money"] = _money
        self.filters["capfirst"] = _capfirst

    def from_string(self, source: Any, globals: Any = None,
                    template_class: Any = None) -> Template:
        if globals is None and template_class is None and isinstance(source, str):
            compiled = self._compiled.get(source)
            if compiled is None:
                compiled = self._compiled[source] = super().from_string(source)
            return compiled
        return super().from_string(source, globals, template_class)


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


class LetterTemplate:
    """One DOCX template, read once, rendered as often as needed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._bytes = path.read_bytes()
        except OSError as exc:
            raise RecordskitTemplateError(f"{path}: cannot read the letter template: "
                                          f"{exc.strerror}") from None
        self.version = self._read_version()

    def _read_version(self) -> str:
        from docx import Document

        try:
            document = Document(io.BytesIO(self._bytes))
        except Exception as exc:  # python-docx raises several kinds for a broken file
            raise RecordskitTemplateError(f"{self.path}: not a Word (.docx) document: "
                                          f"{exc}") from None
        return str(document.core_properties.version or "unversioned")

    def render(self, context: dict[str, Any], stamp: Stamp) -> bytes:
        """The filled-in letter as DOCX bytes."""
        template = _safe_docx_template()(io.BytesIO(self._bytes))
        try:
            template.render(context, jinja_env=environment())
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
        properties = template.docx.core_properties
        properties.title = stamp.title
        properties.subject = stamp.subject
        properties.author = "recordskit"
        properties.keywords = f"Massachusetts public records; {LAW['statute'].citation}"
        properties.version = f"{self.path.name} {self.version}"
        properties.comments = (
            f"Made with recordskit {stamp.recordskit_version} from template "
            f"{stamp.template_name} version {self.version}, law table {stamp.law_version}."
        )
        out = io.BytesIO()
        template.save(out)
        return out.getvalue()


_TAG_BODY = re.compile(r"(?<=\{[\{%])(.*?)(?=[\}%]\})", re.DOTALL)


def _safe_docx_template() -> type[Any]:
    """docxtpl's template class, with ``&amp;`` inside tags turned back into ``&``."""
    global _SAFE_CLASS
    if _SAFE_CLASS is None:
        from docxtpl import DocxTemplate

        class SafeDocxTemplate(DocxTemplate):  # type: ignore[misc]
            def patch_xml(self, src_xml: str) -> str:
                xml: str = super().patch_xml(src_xml)
                return _TAG_BODY.sub(lambda m: m.group(0).replace("&amp;", "&"), xml)

        _SAFE_CLASS = SafeDocxTemplate
    return _SAFE_CLASS


_SAFE_CLASS: type[Any] | None = None
