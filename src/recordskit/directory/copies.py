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

import yaml

from recordskit.directory.edit import EditableDirectory, styled
from recordskit.errors import DirectoryError, UserError
from recordskit.files import atomic_write, refuse_to_replace
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
    original = (shipped or shipped_agencies_file()).read_bytes()
    copy.parent.mkdir(parents=True, exist_ok=True)
    note = (f"# Your own copy of the agency directory, made by `recordskit agencies init` from "
            f"recordskit {version} on {date.today().isoformat()}.\n"
            "# `recordskit agencies update` brings in a newer release's changes, keeping yours.\n")
    atomic_write(base_file(copy), original)
    atomic_write(copy, note.encode("utf-8") + original)
    return copy


def update_user_copy(*, target: Path | None = None, shipped: Path | None = None) -> Update:
    """Merge the shipped directory's (or ``shipped``'s) changes since the copy was made into
    the user's copy."""
    copy = target or user_agencies_file()
    release = shipped or shipped_agencies_file()
    base_path = base_file(copy)
    if not copy.is_file() or not base_path.is_file():
        raise UserError(f"{copy}: there is no copy made by `recordskit agencies init` to update")
    shipped_text = release.read_text(encoding="utf-8")
    base = _plain(base_path.read_text(encoding="utf-8"), base_path)
    theirs = _plain(shipped_text, release)
    editable = EditableDirectory.open(copy)
    taken: list[str] = []
    conflicts: list[Conflict] = []
    for section in ("precedents", "agencies", "closures"):
        _merge_list(editable.data.setdefault(section, []), base.get(section) or [],
                    theirs.get(section) or [], section, taken, conflicts)
    editable.save()
    atomic_write(base_path, shipped_text.encode("utf-8"))
    return Update(tuple(taken), tuple(conflicts))


def _plain(text: str, path: Path) -> dict[str, Any]:
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise DirectoryError(path, [])
    return data


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
        if field in KEYED_LISTS and isinstance(new, list):
            _merge_list(mine.setdefault(field, []), old or [], new, at, taken, conflicts,
                        KEYED_LISTS[field])
            continue
        yours = mine.get(field)
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
