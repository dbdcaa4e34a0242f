"""Loading ``agencies.yaml`` and checking it, with errors that name the line to change."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from recordskit import inputfile
from recordskit.errors import DirectoryError, Problem
from recordskit.inputfile import Location
from recordskit.models import Directory
from recordskit.paths import agencies_file

CALENDAR_NAMES = ("massachusetts", "boston")  # kept equal to business_days.CALENDARS by a test


def load_directory(path: Path | None = None) -> Directory:
    """Read and check an agency directory (by default the one recordskit ships)."""
    path = path or agencies_file()
    data, node = inputfile.read(path, DirectoryError)
    try:
        directory = Directory.model_validate(data)
    except ValidationError as exc:
        raise DirectoryError(path, inputfile.problems_from(exc, node, Directory)) from None
    problems = [
        Problem(inputfile.field_path(loc), message, *inputfile.locate(node, loc))
        for loc, message in check_references(directory)
    ]
    if problems:
        raise DirectoryError(path, problems)
    return directory


def check_references(directory: Directory) -> list[tuple[Location, str]]:
    """What the schema cannot see: duplicate ids, references that do not resolve, contacts."""
    found: list[tuple[Location, str]] = []
    agency_ids = [agency.id for agency in directory.agencies]
    precedent_ids = {precedent.id for precedent in directory.precedents}
    found += _duplicates(agency_ids, ("agencies",), "agency id")
    found += _duplicates([p.id for p in directory.precedents], ("precedents",), "precedent id")
    for i, agency in enumerate(directory.agencies):
        at: Location = ("agencies", i)
        if agency.calendar not in CALENDAR_NAMES:
            found.append(((*at, "calendar"), f"unknown calendar {agency.calendar!r}; expected "
                          f"one of: {', '.join(CALENDAR_NAMES)}"))
        if agency.handled_by is not None and agency.handled_by not in agency_ids:
            found.append(((*at, "handled_by"), f"no agency has id {agency.handled_by!r}"))
        for j, channel in enumerate(agency.delivery):
            if agency.channel_contact(channel) is None:
                needs = {"email": "email", "portal": "portal_url"}.get(channel, "mailing_address")
                found.append(((*at, "delivery", j), f"takes requests by {channel!r} but "
                              f"records_officer has no {needs}"))
        found += _duplicates([r.id for r in agency.records], (*at, "records"), "record id")
        for j, record in enumerate(agency.records):
            for k, precedent_id in enumerate(record.precedents):
                if precedent_id not in precedent_ids:
                    found.append(((*at, "records", j, "precedents", k),
                                  f"no precedent has id {precedent_id!r}; expected one of: "
                                  f"{', '.join(sorted(precedent_ids))}"))
            if record.date_from and record.date_to and record.date_from > record.date_to:
                found.append(((*at, "records", j, "date_to"), "is before date_from"))
    if not any(agency.role == "appeals" for agency in directory.agencies):
        found.append(((), "no agency has role 'appeals' (the Supervisor of Records)"))
    for i, closure in enumerate(directory.closures):
        for j, name in enumerate(closure.calendars):
            if name not in CALENDAR_NAMES:
                found.append((("closures", i, "calendars", j), f"unknown calendar {name!r}"))
    return found


def _duplicates(ids: list[str], at: Location, what: str) -> list[tuple[Location, str]]:
    counts = Counter(ids)
    seen: set[str] = set()
    found: list[tuple[Location, str]] = []
    for index, item in enumerate(ids):
        if counts[item] > 1 and item in seen:
            found.append(((*at, index, "id"), f"{what} {item!r} is used more than once"))
        seen.add(item)
    return found
