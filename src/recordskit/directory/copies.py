"""A user's own copy of the agency directory: made from the shipped one, kept up to date with it.

``init`` copies the shipped directory into the platform's config folder and keeps a second,
untouched copy beside it (``agencies.base.yaml``): the version the user's copy came from.
``update`` merges a newer shipped directory into the user's copy three ways: what the user
changed is kept, what the new release changed is taken, and where both changed the same field
differently the user's value is kept and the conflict is reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from recordskit import inputfile
from recordskit.directory.edit import EditableDirectory, round_trip, styled
from recordskit.directory.load import check_parsed
from recordskit.errors import DirectoryError, Problem, UserError
from recordskit.files import atomic_write, refuse_to_replace
from recordskit.limits import LIMITS
from recordskit.paths import shipped_agencies_file, user_agencies_file


@dataclass(frozen=True)
class Conflict:
    """A field both the user and the new release changed, differently: the user's is kept."""

    where: str
    yours: Any
    shipped: Any


@dataclass(frozen=True)
class Update:
    """What ``update`` did: the fields taken from the new release, and the conflicts."""

    taken: tuple[str, ...]
    conflicts: tuple[Conflict, ...]


def base_file(copy: Path) -> Path:
    """The untouched shipped version a user's copy came from."""
    return copy.with_name("agencies.base.yaml")


def init_user_copy(version: str, *, force: bool = False, target: Path | None = None,
                   shipped: Path | None = None) -> Path:
    """Copy the shipped directory (or ``shipped``) to the user's config folder, with its base;
    refuse to replace an existing copy unless ``force``."""
    copy = target or user_agencies_file()
    if not force:
        refuse_to_replace(copy)
    original, _data = _read_release(shipped or shipped_agencies_file())
    note = (f"# Your own copy of the agency directory, made by `recordskit agencies init` from "
            f"recordskit {version} on {date.today().isoformat()}.\n"
            "# `recordskit agencies update` brings in a newer release's changes, keeping yours.\n")
    _refuse_over_limit(copy, note + original)
    copy.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(base_file(copy), original.encode("utf-8"))
    atomic_write(copy, (note + original).encode("utf-8"))
    return copy


def update_user_copy(*, target: Path | None = None, shipped: Path | None = None) -> Update:
    """Merge the shipped directory's (or ``shipped``'s) changes since the copy was made into
    the user's copy.

    Every file is read as any YAML input is (``inputfile``: within the size and nesting limits,
    no anchors, aliases or tags); the release must pass every check of ``agencies validate``;
    the merged copy is checked, its size included, before anything is written."""
    copy = target or user_agencies_file()
    release = shipped or shipped_agencies_file()
    base_path = base_file(copy)
    if not copy.is_file() or not base_path.is_file():
        raise UserError(f"{copy}: there is no copy made by `recordskit agencies init` to update")
    shipped_text, _checked = _read_release(release)
    # What is taken from the release is taken as the release writes it: a folded block keeps
    # its line breaks (a plain value would be written on one line of up to 4096 characters).
    theirs = round_trip(shipped_text)
    base, _node = inputfile.read(base_path, DirectoryError, duplicates=False)
    editable = EditableDirectory.open(copy)
    taken: list[str] = []
    conflicts: list[Conflict] = []
    for section in ("precedents", "agencies", "closures"):
        mine = _section(editable.data, copy, section)
        if editable.data.get(section) is None:
            editable.data[section] = mine
        _merge_list(mine, _section(base, base_path, section),
                    _section(theirs, release, section), section, taken, conflicts)
    editable.save()  # checked first, its size included: a wrong merge writes nothing
    atomic_write(base_path, shipped_text.encode("utf-8"))
    return Update(tuple(taken), tuple(conflicts))


def _read_release(path: Path) -> tuple[str, dict[str, Any]]:
    """A release's text and data, refused unless it passes every check of a directory."""
    text = inputfile.read_text(path, DirectoryError)
    data, node = inputfile.parse(text, path, DirectoryError, duplicates=False)
    _directory, problems = check_parsed(data, node)
    if problems:
        raise DirectoryError(path, [Problem(p.field, f"{p.message} (in the release; nothing "
                                            "was changed)", p.line, p.column) for p in problems])
    return text, data


def _section(data: Any, path: Path, name: str) -> list[Any]:
    """``data[name]`` as a list ([] when absent), or a problem naming the file."""
    if not isinstance(data, dict):
        raise DirectoryError(path, [Problem("", "expected a mapping with agencies; nothing was "
                                                "changed")])
    items = data.get(name)
    if not isinstance(items, list | None):
        raise DirectoryError(path, [Problem(name, "expected a list; nothing was changed")])
    return items if items is not None else []


def _refuse_over_limit(path: Path, text: str) -> None:
    size, limit = len(text.encode("utf-8")), LIMITS["input_bytes"]
    if size > limit.value:
        raise DirectoryError(path, [Problem("", limit.exceeded(
            "the copy", f"{size:,} bytes") + "; nothing was written")])


KEYED_LISTS = {"records": "id", "sources": "url"}
"""Lists inside an agency whose items are merged one by one, each known by this field."""


def _keyed(items: list[Any], key: str) -> dict[str, Any]:
    return {str(item.get(key, item.get("date"))): item for item in items
            if isinstance(item, dict)}


def _merge_list(mine: Any, base: list[Any], theirs: list[Any], where: str, taken: list[str],
                conflicts: list[Conflict], key: str = "id") -> None:
    """Merge items known by ``key`` (agencies, records, precedents by id; sources by url;
    closures by date) three ways, field by field."""
    ours, old, new = _keyed(list(mine), key), _keyed(base, key), _keyed(theirs, key)
    for key, item in new.items():
        at = f"{where}[{key}]"
        if key not in old and key not in ours:
            mine.append(_to_round_trip(item))
            taken.append(at)
        elif key in ours and key in old:
            _merge_fields(ours[key], old[key], item, at, taken, conflicts)
    for key in old.keys() - new.keys():  # removed by the release
        if key in ours and _same(ours[key], old[key]):
            mine.remove(ours[key])
            taken.append(f"{where}[{key}] (removed)")
        elif key in ours:
            conflicts.append(Conflict(f"{where}[{key}]", "changed by you", "removed"))


def _merge_fields(mine: Any, base: dict[str, Any], theirs: dict[str, Any], where: str,
                  taken: list[str], conflicts: list[Conflict]) -> None:
    for field in _fields(base, theirs):
        old, new = base.get(field), theirs.get(field)
        if _same(old, new):
            continue
        at = f"{where}.{field}"
        yours = mine.get(field)
        if field in KEYED_LISTS and isinstance(new, list) and isinstance(yours, list | None):
            if yours is None:
                yours = mine[field] = []
            _merge_list(yours, old if isinstance(old, list) else [], new, at, taken,
                        conflicts, KEYED_LISTS[field])
            continue
        if isinstance(yours, dict) and isinstance(old, dict) and isinstance(new, dict):
            # A mapping (the records officer's contacts) is merged field by field too: a phone
            # you changed does not keep out the office the release corrected.
            _merge_fields(yours, old, new, at, taken, conflicts)
            continue
        if _same(yours, old):
            if new is None:
                mine.pop(field, None)
            else:
                mine[field] = _to_round_trip(new)
            taken.append(at)
        elif not _same(yours, new):
            conflicts.append(Conflict(at, yours, new))


def _fields(*items: dict[str, Any]) -> Iterator[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.update(dict.fromkeys(item))
    yield from seen


def _same(left: Any, right: Any) -> bool:
    return bool(_normal(left) == _normal(right))


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _to_round_trip(value: Any) -> Any:
    return styled(value)
