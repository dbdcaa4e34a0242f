"""Reading YAML and JSON input files so that every problem can name its line and field.

The file is parsed once into PyYAML's node tree (which keeps positions) and once into plain
data. A pydantic ``ValidationError`` on the data is turned into ``Problem``s whose line and
column are looked up in the node tree by the error's location.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from recordskit.errors import InputFileError, Problem
from recordskit.files import LimitError, not_regular, read_limited
from recordskit.i18n import _
from recordskit.limits import LIMITS, Limit

Location = tuple[str | int, ...]


def _timestamp_or_text(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


def _int_or_refuse(loader: Any, node: yaml.ScalarNode) -> Any:
    """A whole number, or a problem on its line: Python refuses to read one of more than 4,300
    digits (a bare ValueError without a position)."""
    try:
        value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    except ValueError:
        value = None
    if value is None or abs(value).bit_length() > 14_000:  # hexadecimal reads, then won't print
        raise yaml.constructor.ConstructorError(
            None, None, "a number with too many digits; write it in quotes if it is text",
            node.start_mark)
    return value


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that an impossible date (2026-13-01) stays text.

    PyYAML would raise a bare ValueError without a position; as text, the value reaches
    validation, which reports it as "not a date" on its own line.
    """

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        return _timestamp_or_text(self, node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _int_or_refuse)

if getattr(yaml, "__with_libyaml__", False):
    class _FastLoader(yaml.CSafeLoader):
        """The same loader on libyaml's parser: the same events, nodes and marks, faster."""

        def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
            return _timestamp_or_text(self, node)

    _FastLoader.add_constructor("tag:yaml.org,2002:timestamp",
                                _FastLoader.construct_yaml_timestamp)
    _FastLoader.add_constructor("tag:yaml.org,2002:int", _int_or_refuse)
    _LOADER: type = _FastLoader
    _EVENTS: type = yaml.CSafeLoader
else:  # pragma: no cover (PyYAML without libyaml)
    _LOADER = _EVENTS = _Loader


def parse(text: str, file: Path | str | None, error: type[InputFileError] = InputFileError,
          *, duplicates: bool = True) -> tuple[Any, yaml.Node | None]:
    """Parse YAML (or JSON, which YAML reads) into data and its node tree.

    Before anything is built, the events are read once to refuse what no answers file or
    directory needs and an attacker would use: anchors and aliases (a few hundred bytes of them
    expand to gigabytes) and nesting deeper than the limit. Keys given twice are refused too,
    unless ``duplicates`` is False: the caller then reports them with its other problems.
    """
    try:
        _check_events(text, file, error)
        loader = _LOADER(text)
        try:
            node = loader.get_single_node()
            # The data is built from the nodes just composed, not from a third parse.
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        reason = exc.problem or exc.context or "not valid YAML"
        problem = Problem(
            field="",
            message=f"not valid YAML or JSON: {reason}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        )
        raise error(file, [problem]) from None
    except yaml.YAMLError as exc:
        raise error(file, [Problem("", f"not valid YAML or JSON: {exc}")]) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a constructor's own, unmarked
        raise error(file, [Problem("", f"not valid YAML or JSON: {str(exc)[:200]}")]) from None
    if duplicates and (doubled := duplicate_keys(node)):
        raise error(file, doubled)
    return data, node


def _check_events(text: str, file: Path | str | None, error: type[InputFileError]) -> None:
    """Read the events once (libyaml's parser where there is one: twenty times faster than
    PyYAML's own, which made a 20 MB batch take minutes) and refuse, before any node is built,
    anchors, nesting deeper than its limit, and more values than the limit of values: what the
    loader builds takes time and memory by the node, not by the byte."""
    deepest, most = LIMITS["yaml_depth"], LIMITS["yaml_nodes"]
    try:
        _walk_events(text, file, error, deepest, most)
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" not in str(exc.problem):
            raise
        # libyaml's scanner reads a flow ahead, and stops at its own depth (1,000) first
        mark = exc.problem_mark
        raise error(file, [Problem("", deepest.exceeded("the nesting", "more than 1,000"),
                                   mark.line + 1 if mark else None,
                                   mark.column + 1 if mark else None)]) from None


def _walk_events(text: str, file: Path | str | None, error: type[InputFileError],
                 deepest: Limit, most: Limit) -> None:
    depth, nodes = 0, 0
    # Each limit read once for the file, not once an event (each is an environment lookup)
    deepest_value, most_value = deepest.value, most.value
    for event in yaml.parse(text, Loader=_EVENTS):  # lazily: it stops at the first deep event
        mark = event.start_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        if isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
            nodes += 1
            if nodes > most_value:
                raise error(file, [Problem("", most.exceeded("the file", "more"), line,
                                           column)])
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise error(file, [Problem("", "uses a YAML anchor or alias (&name, *name); write "
                                           "each value out in full", line, column)])
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > deepest_value:
                raise error(file, [Problem("", deepest.exceeded("the nesting", depth), line,
                                           column)])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def duplicate_keys(node: yaml.Node | None, at: Location = ()) -> list[Problem]:
    """Keys written twice in one mapping: YAML keeps only the last, silently."""
    found: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else ""
            if name in seen:
                found.append(Problem(field_path((*at, name)),
                                     f"the key {name!r} is given twice here; keep one",
                                     key.start_mark.line + 1, key.start_mark.column + 1))
            seen.add(name)
            found += duplicate_keys(value, (*at, name))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found += duplicate_keys(item, (*at, index))
    return found


def read_bytes(path: Path, limit: Limit, error: type[InputFileError] = InputFileError, *,
               follow: bool = True) -> bytes:
    """A regular file's bytes, refused unread when it is over ``limit``."""
    try:
        return read_limited(path, limit, follow=follow)
    except OSError as exc:
        raise error(path, [Problem("", not_regular(path, exc))]) from None
    except LimitError:
        raise error(path, [Problem("", limit.exceeded("the file", "it is larger"))]) from None


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_DIGITS = 4_300
"""Python's own limit on the digits of a whole number it reads from text."""


def json_value(text: str) -> Any:
    """JSON within the limits every input has: nesting no deeper than ``yaml_depth`` (checked
    before parsing: the parser recurses), no whole number of more than 4,300 digits. What it
    refuses is a ``ValueError`` saying why (``json.JSONDecodeError`` for bad syntax)."""
    deepest, depth = LIMITS["yaml_depth"], 0
    most = deepest.value  # read once: each reading looks the environment up
    # The nesting is never deeper than the count of opening brackets, strings' included: a
    # text with no more of them than the limit (every line of a log export, a stored row)
    # needs no scan
    if text.count("[") + text.count("{") > most:
        for bracket in _BRACKET.finditer(_STRING.sub("", text)):
            depth += 1 if bracket.group() in "[{" else -1
            if depth > most:
                raise ValueError(deepest.exceeded("the nesting", f"more than {most}"))
    try:
        return json.loads(text, parse_int=_whole_number)
    except RecursionError:  # pragma: no cover (the scan above stops it first)
        raise ValueError(deepest.exceeded("the nesting", "too deep")) from None


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > _DIGITS:
        raise ValueError(f"a number of {len(text):,} digits; a number has at most {_DIGITS:,}")
    return int(text)


def read_text(path: Path, error: type[InputFileError] = InputFileError,
              limit: Limit | None = None) -> str:
    """A regular file's UTF-8 text, refused unread when it is over ``limit`` (by default the
    limit of an answers file or a directory)."""
    data = read_bytes(path, limit or LIMITS["input_bytes"], error)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise error(path, [Problem("", f"not UTF-8 text (byte {exc.start}); save the file as "
                                       "UTF-8")]) from None


def read(path: Path, error: type[InputFileError] = InputFileError, *, duplicates: bool = True
         ) -> tuple[Any, yaml.Node | None]:
    """Read and parse a file, turning an unreadable or oversized file into a user error."""
    return parse(read_text(path, error), path, error, duplicates=duplicates)


def parse_value(text: str, label: str) -> Any:
    """A value typed on the command line in YAML (``[a, b]``), read like any YAML input: within
    the limits, with no anchors, aliases or tags; a problem is an ``InputFileError`` naming
    ``label``."""
    limit = LIMITS["input_bytes"]
    if len(text) > limit.value:
        raise InputFileError(label, [Problem("", limit.exceeded("the value", "it is longer"))])
    return parse(text, label)[0]


def field_path(loc: Location) -> str:
    """``('agencies', 0, 'records')`` -> ``agencies[0].records``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def locate(node: yaml.Node | None, loc: Location) -> tuple[int | None, int | None]:
    """The line and column (1-based) of the deepest node on ``loc``."""
    if node is None:
        return None, None
    current = node
    for part in loc:
        child = _child(current, part)
        if child is None:
            break
        current = child
    return current.start_mark.line + 1, current.start_mark.column + 1


def _child(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == part:
                return value  # type: ignore[no-any-return]
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]  # type: ignore[no-any-return]
    return None


def key_node(node: yaml.Node | None, loc: Location) -> yaml.Node | None:
    """The key node of the last element of ``loc`` (to point at an unknown key)."""
    if node is None or not loc:
        return None
    parent = node
    for part in loc[:-1]:
        found = _child(parent, part)
        if found is None:
            return None
        parent = found
    if isinstance(parent, yaml.MappingNode):
        for key, _value in parent.value:
            if isinstance(key, yaml.ScalarNode) and key.value == loc[-1]:
                return key
    return None


def problems_from(exc: ValidationError, node: yaml.Node | None, model: type[BaseModel],
                  prefix: Location = ()) -> list[Problem]:
    """One ``Problem`` per pydantic error, each with its line, field and what is expected."""
    problems = []
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        loc = _drop_validator_tags(loc)
        message = _message(error, model, loc)
        where = prefix + loc
        if error["type"] == "extra_forbidden" and (key := key_node(node, where)) is not None:
            line, column = key.start_mark.line + 1, key.start_mark.column + 1
        else:
            line, column = locate(node, where)
        problems.append(Problem(field_path(where), message, line, column))
    return problems


def _drop_validator_tags(loc: Location) -> Location:
    # pydantic adds names like "function-after[...]" for annotated validators inside unions
    return tuple(p for p in loc
                 if not (isinstance(p, str) and ("[" in p or p.startswith("function"))))


class _Short:
    """A value as a message quotes it: its repr, cut short (a value can be megabytes)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        text = repr(self.value)
        return text if len(text) <= 80 else text[:77] + "..."


def _message(error: Any, model: type[BaseModel], loc: Location) -> str:
    """What is wrong with one value, in the person's language."""
    kind = error["type"]
    given = repr(_Short(error.get("input")))
    if kind == "extra_forbidden":
        allowed = _fields_at(model, loc[:-1])
        if allowed:
            return _("unknown key {key}; expected one of: {expected}").format(
                key=repr(loc[-1]), expected=", ".join(allowed))
        return _("unknown key {key}").format(key=repr(loc[-1]))
    if kind == "missing":
        return _("is required but missing")
    if kind == "literal_error":
        return _("{given} is not allowed; expected one of: {expected}").format(
            given=given, expected=error.get("ctx", {}).get("expected", ""))
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type",
                "date_from_datetime_inexact"):
        return _("{given} is not a date; expected a date written YYYY-MM-DD, such as "
                 "2026-11-23").format(given=given)
    if kind in ("decimal_parsing", "decimal_type", "float_parsing"):
        return _("{given} is not an amount; expected a number of dollars, such as 25 or "
                 "12.50").format(given=given)
    if kind == "greater_than_equal":
        return _("{given} is negative; expected 0 or more").format(given=given)
    if kind in ("string_type",):
        return _("{given} is not text; expected text (put it in quotes)").format(given=given)
    if kind in ("list_type",):
        return _("{given} is not a list; expected a list, such as [a, b]").format(given=given)
    if kind == "too_short":
        return _("is empty; expected at least one entry")
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        allowed = _fields_at(model, loc)
        if allowed:
            return _("{given} is not a mapping; expected a mapping with keys: {keys}").format(
                given=given, keys=", ".join(allowed))
        return _("{given} is not a mapping; expected a mapping").format(given=given)
    text: str = error["msg"]
    # A validator's own sentence: translated when it is one of the catalog's fixed sentences.
    return _(text.removeprefix("Value error, "))


def _fields_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at ``loc`` below ``model``, or [] when unknown."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        current = _model_in(current)
        if current is None or part not in current.model_fields:
            return []
        current = current.model_fields[part].annotation
    found = _model_in(current)
    return list(found.model_fields) if found is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    return None
