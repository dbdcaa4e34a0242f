"""Checking and previewing the DOCX letter templates that volunteers edit in Word.

``check_template`` finds what would break a letter, before anyone's letter breaks: Jinja syntax
errors, variables and dotted fields the renderer does not supply (checked against a real sample
context, through ``for`` loops too), unknown filters, what the sandbox would refuse, and tags
Word has mangled (split across paragraphs, ``&`` stored as ``&amp;``, curly quotes). Each problem
names the template and quotes the paragraph it is in.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from docxtpl import DocxTemplate
from jinja2 import TemplateSyntaxError, nodes

from recordskit.documents.contexts.samples import SAMPLE_CONTEXTS
from recordskit.documents.rendering.docx_text import raw_text
from recordskit.documents.rendering.package import package_problem
from recordskit.documents.rendering.render import (
    LetterTemplate,
    environment,
    paragraph_lines,
    stamp,
)
from recordskit.errors import TemplateError
from recordskit.files import LimitError, not_regular, read_limited
from recordskit.limits import LIMITS

Severity = Literal["error", "warning"]

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}", re.DOTALL)
_CURLY_QUOTES = "‘’“”"
_UNSUPPORTED = re.compile(r"\{\{[rp]\s|\{%\s*(?:sub)?doc")


@dataclass(frozen=True)
class TemplateProblem:
    """One thing wrong with a template, and the text of the paragraph it is in."""

    template: str
    message: str
    near: str = ""
    severity: Severity = "error"

    def render(self) -> str:
        near = f" (in: {self.near!r})" if self.near else ""
        return f"{self.template}: {self.severity}: {self.message}{near}"


def _parts(path: Path, data: bytes) -> Iterator[tuple[str, str]]:
    """The XML of each part docxtpl renders: the body, headers, footers and footnotes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if re.fullmatch(r"word/(document|header\d*|footer\d*|footnotes)\.xml", name):
                    yield name, archive.read(name).decode("utf-8")
    except (zipfile.BadZipFile, OSError) as exc:
        raise TemplateError(f"{path}: not a Word (.docx) document: {exc}") from None


def _paragraph_texts(xml: str) -> list[str]:
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, re.DOTALL)
    texts = [raw_text(p) for p in paragraphs]
    return [_unescape(t) for t in texts]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
        "&apos;", "'").replace("&amp;", "&")


def check_template(path: Path, context: dict[str, Any] | None = None) -> list[TemplateProblem]:
    """Every problem in one template; ``context`` defaults to the sample for its name."""
    name = path.name
    problems: list[TemplateProblem] = []
    if context is None:
        if name not in SAMPLE_CONTEXTS:
            known = ", ".join(sorted(SAMPLE_CONTEXTS))
            return [TemplateProblem(name, f"recordskit renders no template by this name; "
                                          f"expected one of: {known}")]
        context = SAMPLE_CONTEXTS[name]()
    try:  # a regular file, within the limit of a template; read once, used from memory
        data = read_limited(path, LIMITS["template_unpacked_bytes"])
    except OSError as exc:
        return [TemplateProblem(name, not_regular(path, exc))]
    except LimitError as exc:
        return [TemplateProblem(name, str(exc))]
    if problem := package_problem(data):
        return [TemplateProblem(name, problem)]
    paragraphs: list[str] = []
    sources: list[str] = []
    template = DocxTemplate(io.BytesIO(data))
    for _part, xml in _parts(path, data):
        texts = _paragraph_texts(xml)
        paragraphs += texts
        problems += _word_damage(name, xml, texts)
        # One paragraph a line, as the renderer splits them: an error's line is its paragraph.
        sources.append(paragraph_lines(template.patch_xml(xml)))
    env = environment()
    for source in sources:
        try:
            ast = env.parse(source)
        except TemplateSyntaxError as exc:
            near = _near_line(source, exc.lineno)
            if (exc.message or "").startswith("Unexpected end of template"):
                # Where the block opened, not the end: its paragraph, or the {%p %} tag itself.
                opened = _unclosed_tag(source)
                if opened is not None:
                    near = _near_line(source, opened[0])
                    near = near if opened[1] in near else opened[1]
            problems.append(TemplateProblem(name, f"template syntax error: {exc.message}", near))
            continue
        problems += _Checker(name, env, context, paragraphs).run(ast)
    if not any(p.severity == "error" for p in problems):
        # The render itself, with its budget: what only running shows (a loop that would run
        # for hours, a macro that calls itself, an include) is found here, not in a letter.
        try:
            LetterTemplate(path).render(context, stamp(f"Check of {name}", name))
        except TemplateError as exc:
            problems.append(TemplateProblem(name, f"rendering the sample fails: {exc}"))
    return problems


_BLOCK_TAG = re.compile(r"\{%-?\s*(\w+).*?%\}")
_BLOCKS = ("if", "for", "macro", "call", "filter", "with", "block", "raw", "autoescape")


def _unclosed_tag(source: str) -> tuple[int, str] | None:
    """The line and text of the innermost block tag that is never closed, or None."""
    opened: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        for tag in _BLOCK_TAG.finditer(line):
            if tag[1] in _BLOCKS:
                opened.append((number, _unescape(tag[0])))
            elif tag[1].startswith("end") and tag[1][3:] in _BLOCKS and opened:
                opened.pop()
    return opened[-1] if opened else None


def _near_line(source: str, lineno: int) -> str:
    lines = source.splitlines()
    line = lines[lineno - 1] if 0 < lineno <= len(lines) else ""
    text = _unescape(raw_text(line))
    return text[:160]


def _word_damage(name: str, xml: str, paragraphs: list[str]) -> list[TemplateProblem]:
    problems = []
    for text in paragraphs:
        opened = text.count("{{") + text.count("{%")
        closed = text.count("}}") + text.count("%}")
        if opened != closed:
            problems.append(TemplateProblem(
                name, "a tag starts in one paragraph and ends in another (Enter was pressed "
                "inside it); retype the tag on one line", text[:160]))
        for tag in _TAG.findall(text):
            if any(q in tag for q in _CURLY_QUOTES):
                problems.append(TemplateProblem(
                    name, f"Word changed the quotes in {tag!r} to curly quotes; recordskit "
                    "straightens them, but retype them as straight quotes (turn off "
                    "AutoFormat's smart quotes)", text[:160], "warning"))
        if re.search(r"\{%p\s", text) and _TAG.sub("", text).strip():
            problems.append(TemplateProblem(
                name, "a {%p ... %} tag must be alone in its paragraph", text[:160]))
        if _UNSUPPORTED.search(text):
            problems.append(TemplateProblem(
                name, "{{r, {{p and subdocuments are not supported in recordskit templates; "
                "use {{ ... }} and {%p ... %}", text[:160]))
    for tag in _TAG.findall(raw_text(xml)):
        if "&amp;amp;" in tag or ("&amp;" in tag and "&" in _unescape(tag)):
            problems.append(TemplateProblem(
                name, f"the tag {_unescape(tag)!r} contains '&'; Word stores it as '&amp;' and "
                "recordskit undoes that, but check that the tag says what you mean",
                _unescape(tag)[:160], "warning"))
    return problems


_UNKNOWN = object()


class _Checker:
    """Walks a template's syntax tree with the shape of a real context."""

    def __init__(self, name: str, env: Any, context: dict[str, Any], paragraphs: list[str]):
        self.name, self.env, self.paragraphs = name, env, paragraphs
        self.problems: list[TemplateProblem] = []
        self.scopes: list[dict[str, Any]] = [dict(context)]

    def run(self, ast: nodes.Template) -> list[TemplateProblem]:
        self.visit(ast)
        return self.problems

    def near(self, needle: str) -> str:
        return next((p[:160] for p in self.paragraphs if needle in p), "")

    def problem(self, message: str, needle: str) -> None:
        found = TemplateProblem(self.name, message, self.near(needle))
        if found not in self.problems:
            self.problems.append(found)

    def lookup(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return _UNKNOWN if name in self.env.globals else None

    def shape(self, node: nodes.Node) -> Any:
        """The sample value an expression has, or _UNKNOWN when it cannot be told."""
        if isinstance(node, nodes.Name):
            found = self.lookup(node.name)
            return _UNKNOWN if found is None else found
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, (nodes.Getattr, nodes.Getitem)):
            base = self.shape(node.node)
            key = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(base, dict) and key in base:
                return base[key]
        return _UNKNOWN

    def visit(self, node: nodes.Node) -> None:
        handler = getattr(self, f"visit_{type(node).__name__}", None)
        if handler is not None:
            handler(node)
        else:
            for child in node.iter_child_nodes():
                self.visit(child)

    def visit_For(self, node: nodes.For) -> None:
        self.visit(node.iter)
        sequence = self.shape(node.iter)
        element: Any = _UNKNOWN
        if isinstance(sequence, list) and sequence:
            element = sequence[0]
            if all(isinstance(item, dict) for item in sequence):  # fields of any element
                element = {k: v for item in sequence for k, v in item.items()}
        scope: dict[str, Any] = {"loop": _UNKNOWN}
        if isinstance(node.target, nodes.Name):
            scope[node.target.name] = element
        for target in node.target.find_all(nodes.Name):  # unpacking: for a, b in ...
            scope[target.name] = _UNKNOWN
        self.scopes.append(scope)
        for child in node.body:
            self.visit(child)
        self.scopes.pop()
        for child in node.else_:
            self.visit(child)
        if node.test is not None:
            self.visit(node.test)

    def visit_Macro(self, node: nodes.Macro) -> None:
        self.scopes[-1][node.name] = _UNKNOWN
        scope: dict[str, Any] = {arg.name: _UNKNOWN for arg in node.args}
        scope.update({"varargs": _UNKNOWN, "kwargs": _UNKNOWN, "caller": _UNKNOWN})
        self.scopes.append(scope)
        for child in node.body:
            self.visit(child)
        self.scopes.pop()

    def visit_Assign(self, node: nodes.Assign) -> None:
        self.visit(node.node)
        targets = [node.target] if isinstance(node.target, nodes.Name) else list(
            node.target.find_all(nodes.Name))
        for target in targets:
            self.scopes[-1][target.name] = _UNKNOWN

    def visit_Name(self, node: nodes.Name) -> None:
        if node.ctx == "load" and self.lookup(node.name) is None:
            top = ", ".join(sorted(self.scopes[0]))
            self.problem(f"unknown variable {node.name!r}; expected one of: {top}", node.name)

    def visit_Getattr(self, node: nodes.Getattr) -> None:
        self.visit(node.node)
        self._field(node, node.attr)

    def visit_Getitem(self, node: nodes.Getitem) -> None:
        self.visit(node.node)
        self.visit(node.arg)
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            self._field(node, node.arg.value)

    def _field(self, node: nodes.Getattr | nodes.Getitem, attr: str) -> None:
        path = _dotted(node)
        if attr.startswith("_"):
            self.problem(f"{path!r} reaches into Python internals, which the sandbox refuses; "
                         "remove it", attr)
            return
        base = self.shape(node.node)
        if isinstance(base, dict) and attr not in base:
            self.problem(f"unknown field {path!r}; expected one of: {', '.join(sorted(base))}",
                         path if path in " ".join(self.paragraphs) else attr)

    def visit_Filter(self, node: nodes.Filter) -> None:
        if node.name not in self.env.filters:
            self.problem(f"unknown filter {node.name!r}; known filters include: money, "
                         "capfirst, upper, lower, default, join", node.name)
        for child in node.iter_child_nodes():
            self.visit(child)

    def visit_Test(self, node: nodes.Test) -> None:
        if node.name not in self.env.tests:
            self.problem(f"unknown test {node.name!r}", node.name)
        for child in node.iter_child_nodes():
            self.visit(child)


def _dotted(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_dotted(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_dotted(node.node)}[{node.arg.value!r}]"
    return "…"


def check_folder(folder: Path) -> dict[str, list[TemplateProblem]]:
    """Every template in ``folder`` (its ``.docx`` files), with its problems."""
    templates = sorted(p for p in folder.glob("*.docx") if not p.name.startswith("~$"))
    if not templates:
        raise TemplateError(f"{folder}: no .docx templates found")
    return {path.name: check_template(path) for path in templates}
