"""Loading ``agencies.yaml`` and checking it, with errors that name the line to change.

Every problem is reported at once: YAML syntax, keys given twice, the schema (types, emails,
web addresses, dates, allowed values), and what the schema cannot see (ids used twice,
references that do not resolve, a delivery channel without its contact, an unknown calendar).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from recordskit import inputfile
from recordskit.deadlines.calendars import CALENDARS
from recordskit.errors import DirectoryError, Problem
from recordskit.i18n import untranslated
from recordskit.inputfile import Location
from recordskit.logged import EventDetailsError, parse_day
from recordskit.models import Directory
from recordskit.paths import agencies_file

CALENDAR_NAMES = tuple(CALENDARS)
_CHANNEL_NEEDS = {"email": "email", "portal": "portal_url", "mail": "mailing_address",
                  "hand": "mailing_address"}


def load_directory(path: Path | None = None) -> Directory:
    """Read and check an agency directory (by default the one recordskit ships)."""
    path = path or agencies_file()
    directory, problems = check_directory(path)
    if problems or directory is None:
        raise DirectoryError(path, problems)
    return directory


def check_directory(path: Path) -> tuple[Directory | None, list[Problem]]:
    """The directory in ``path`` (None when it is invalid) and every problem found in it."""
    return check_directory_text(inputfile.read_text(path, DirectoryError), path)


def check_directory_text(text: str, label: Path | str) -> tuple[Directory | None, list[Problem]]:
    """The same checks on text not yet written to disk (an edit about to be saved)."""
    if markers := conflict_markers(text):
        return None, markers  # YAML would only say "could not find expected ':'"
    data, node = inputfile.parse(text, label, DirectoryError, duplicates=False)
    return _check(data, node)


_MARKER = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(?: |$)")


def conflict_markers(text: str) -> list[Problem]:
    """The lines git leaves where two changes to the same lines met (``<<<<<<<``, ``=======``,
    ``>>>>>>>``), each a problem that says what to do."""
    return [Problem("", f"a merge conflict marker ({found[1]}) that git left: keep the lines "
                    "that are right from both sides, then delete the marker lines "
                    "(<<<<<<<, =======, >>>>>>>)", number, 1)
            for number, line in enumerate(text.splitlines(), start=1)
            if (found := _MARKER.match(line))]


def check_parsed(data: Any, node: yaml.Node | None) -> tuple[Directory | None, list[Problem]]:
    """The same checks on a directory already read by ``inputfile``."""
    return _check(data, node)


def _check(data: Any, node: yaml.Node | None) -> tuple[Directory | None, list[Problem]]:
    problems = inputfile.duplicate_keys(node)
    directory = None
    try:
        directory = Directory.model_validate(data)
    except ValidationError as exc:
        problems += inputfile.problems_from(exc, node, Directory)
    problems += [
        Problem(inputfile.field_path(loc), message, *inputfile.locate(node, loc))
        for loc, message in check_references(data)
    ]
    problems = [_by_id(problem, data) for problem in problems]
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    return (directory if not problems else None), problems


def _by_id(problem: Problem, data: Any) -> Problem:
    """``agencies[1].records[0].title`` -> ``agencies[bpd].records[gang-database-rules].title``:
    a volunteer knows agencies and records by id, not by their place in the file."""
    def named(match: re.Match[str]) -> str:
        section, index = match.group(1), int(match.group(2))
        items = data.get(section) if isinstance(data, dict) else None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            item_id = items[index].get("id")
            if isinstance(item_id, str) and item_id:
                if section == "agencies":
                    records = items[index].get("records")
                    rest = problem.field[match.end():]
                    inner = re.match(r"\.records\[(\d+)\]", rest)
                    if inner and isinstance(records, list) and int(inner.group(1)) < len(
                            records) and isinstance(records[int(inner.group(1))], dict):
                        record_id = records[int(inner.group(1))].get("id")
                        if isinstance(record_id, str) and record_id:
                            return f"{section}[{item_id}].records[{record_id}]" + "\0"
                return f"{section}[{item_id}]"
        return match.group(0)

    field = re.sub(r"^(agencies|precedents)\[(\d+)\]", named, problem.field)
    if "\0" in field:  # a record named too: drop the record index that followed
        head, _, tail = field.partition("\0")
        field = head + re.sub(r"^\.records\[\d+\]", "", tail)
    return Problem(field, problem.message, problem.line, problem.column)


def _items(data: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings in ``data[key]`` with their index, skipping anything malformed."""
    items = data.get(key) if isinstance(data, dict) else None
    if isinstance(items, list):
        for index, item in enumerate(items):
            if isinstance(item, dict):
                yield index, item


def check_references(data: Any) -> list[tuple[Location, str]]:
    """What the schema cannot see, checked on the raw data so it runs even when the schema fails."""
    found: list[tuple[Location, str]] = []
    agencies = list(_items(data, "agencies"))
    precedents = list(_items(data, "precedents"))
    agency_ids = [str(a.get("id")) for _, a in agencies]
    precedent_ids = {str(p.get("id")) for _, p in precedents}
    found += _duplicates(agencies, ("agencies",), "agency id")
    found += _duplicates(precedents, ("precedents",), "precedent id")
    for i, agency in agencies:
        at: Location = ("agencies", i)
        calendar = agency.get("calendar")
        if isinstance(calendar, str) and calendar not in CALENDAR_NAMES:
            found.append(((*at, "calendar"), f"unknown calendar {calendar!r}; expected one of: "
                          f"{', '.join(CALENDAR_NAMES)}"))
        handled_by = agency.get("handled_by")
        if handled_by is not None and handled_by not in agency_ids:
            found.append(((*at, "handled_by"), f"no agency has id {handled_by!r}; expected one "
                          f"of: {', '.join(agency_ids)}"))
        officer = agency.get("records_officer")
        officer = officer if isinstance(officer, dict) else {}
        delivery = agency.get("delivery")
        for j, channel in enumerate(delivery if isinstance(delivery, list) else []):
            needs = _CHANNEL_NEEDS.get(str(channel))
            if needs and not officer.get(needs):
                found.append(((*at, "delivery", j), f"takes requests by {channel!r} but "
                              f"records_officer has no {needs}; add it or remove {channel!r}"))
        records = list(_items(agency, "records"))
        found += _duplicates(records, (*at, "records"), "record id")
        for j, record in records:
            refs = record.get("precedents")
            for k, ref in enumerate(refs if isinstance(refs, list) else []):
                if ref not in precedent_ids:
                    found.append(((*at, "records", j, "precedents", k),
                                  f"no precedent has id {ref!r}; expected one of: "
                                  f"{', '.join(sorted(precedent_ids))}"))
            start, end = record.get("date_from"), record.get("date_to")
            if isinstance(start, date) and isinstance(end, date) and start > end:
                found.append(((*at, "records", j, "date_to"), f"{end} is before date_from "
                              f"{start}; expected a later date"))
    if agencies and not any(a.get("role") == "appeals" for _, a in agencies):
        found.append((("agencies",), "no agency has role: appeals; the Supervisor of Records "
                      "must be listed, since appeals go there"))
    found += _dates_outside(data, ())
    for i, closure in _items(data, "closures"):
        names = closure.get("calendars")
        for j, name in enumerate(names if isinstance(names, list) else []):
            if name not in CALENDAR_NAMES:
                found.append((("closures", i, "calendars", j), f"unknown calendar {name!r}; "
                              f"expected one of: {', '.join(CALENDAR_NAMES)}"))
    return found


def _dates_outside(value: Any, at: Location) -> list[tuple[Location, str]]:
    """Every date the directory holds (a source checked, a record's years, a closure, a
    decision published) outside the range recordskit counts in: the class of dates, walked
    whole, so a date field added later is checked too."""
    if isinstance(value, date):
        try:
            parse_day(value, inputfile.field_path(at))
        except EventDetailsError as exc:
            return [(at, str(exc))]
        return []
    if isinstance(value, dict):
        return [found for key, item in value.items()
                for found in _dates_outside(item, (*at, str(key)))]
    if isinstance(value, list):
        return [found for index, item in enumerate(value)
                for found in _dates_outside(item, (*at, index))]
    return []


def _duplicates(items: list[tuple[int, dict[str, Any]]], at: Location, what: str
                ) -> list[tuple[Location, str]]:
    seen: set[Any] = set()
    found: list[tuple[Location, str]] = []
    for index, item in items:
        item_id = item.get("id")
        if item_id in seen:
            found.append(((*at, index, "id"), f"{what} {item_id!r} is used more than once; "
                          "expected each id once"))
        seen.add(item_id)
    return found


@dataclass(frozen=True)
class StaleSource:
    """A contact source nobody has re-checked for a while."""

    agency_id: str
    url: str
    verified_on: date
    age_days: int
    note: str


def stale_sources(directory: Directory, *, today: date, older_than_days: int
                  ) -> list[StaleSource]:
    """Every agency source last verified more than ``older_than_days`` before ``today``."""
    found = [
        StaleSource(agency.id, source.url, source.verified_on,
                    (today - source.verified_on).days, source.note)
        for agency in directory.agencies
        for source in agency.sources
        if (today - source.verified_on).days > older_than_days
    ]
    return sorted(found, key=lambda s: -s.age_days)


def untranslated_records(directory: Directory) -> list[tuple[str, str, list[str]]]:
    """Each catalog record whose words a family reads (its title and why) have no translation
    in some language: (agency id, record id, the languages that show it in English)."""
    found = []
    for agency in directory.request_targets:
        for record in agency.records:
            missing = untranslated([record.title, record.why])
            if missing:
                found.append((agency.id, record.id, sorted(missing)))
    return found
