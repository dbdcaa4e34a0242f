"""A schedule as files: ``schedule.csv`` for spreadsheets, ``schedule.ics`` for calendars."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

from icalendar import Alarm, Calendar, Event

from recordskit.deadlines.events import DATED
from recordskit.documents.contexts.family_words import deadline_in_words
from recordskit.i18n import N_, _, current_language
from recordskit.models import Agency, Deadline
from recordskit.text import csv_document

CSV_HEADER = ("date", "event", "description", "citation", "basis")
_DEFAULT_ALARMS = (timedelta(days=-1),)


def schedule_csv(deadlines: tuple[Deadline, ...] | list[Deadline]) -> str:
    """The schedule as CSV: one row per event, ISO dates, header ``CSV_HEADER``."""
    return csv_document(CSV_HEADER, ((d.date.isoformat(), d.event, d.description, d.citation,
                                      d.basis_text) for d in deadlines))


def schedule_ics(deadlines: tuple[Deadline, ...] | list[Deadline], agency: Agency,
                 request_id: str, *, student: bool = False) -> bytes:
    """One request's schedule as an iCalendar file of all-day events with reminders.

    UIDs are ``<request id>-<event>@recordskit.invalid``, so importing a re-generated file
    updates the events instead of adding them twice.
    """
    return wrap_events(event_blocks(request_id, agency, tuple(deadlines), student=student),
                       name=_("Records request to {agency}").format(agency=agency.name))


def wrap_events(blocks: bytes, *, name: str) -> bytes:
    """A VCALENDAR around VEVENT blocks made by ``event_blocks``."""
    return _calendar_head(name) + blocks + CALENDAR_END


CALENDAR_END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=64)
def _calendar_head(name: str) -> bytes:
    """An empty calendar named ``name``, without its last line; made once per name (a batch's
    rows share a few): serializing it was about 0.3 ms, near a tenth of a row's time."""
    calendar = Calendar()
    calendar.add("prodid", "-//recordskit//Massachusetts public records schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    empty: bytes = calendar.to_ical()
    return empty[: -len(CALENDAR_END)]


def split_events(ics: bytes) -> bytes:
    """The VEVENT blocks of an iCalendar file made by ``wrap_events`` (to combine files)."""
    start, end = ics.find(b"BEGIN:VEVENT"), ics.rfind(b"END:VEVENT\r\n")
    return ics[start:end + len(b"END:VEVENT\r\n")] if start >= 0 <= end else b""


_ID_PLACEHOLDER = "0" * 10  # request ids are 10 hex characters: the same length, never folded


CATEGORIES = {False: N_("Public records"), True: N_("Student records")}
"""The calendar category of a request's events: a student record is not a public record."""


def event_blocks(request_id: str, agency: Agency, deadlines: tuple[Deadline, ...], *,
                 name_request: bool = False, student: bool = False) -> bytes:
    """The VEVENT blocks of one request's deadlines.

    Requests of one batch usually share their deadlines, so the blocks are made once per set
    of deadlines and the request id is put into the UID lines afterwards.
    """
    if name_request or len(request_id) != len(_ID_PLACEHOLDER):
        return _serialize(request_id, agency.short_name, deadlines, name_request, student)
    blocks = _cached_blocks(agency.short_name, deadlines, current_language(), student)
    return blocks.replace(f"UID:{_ID_PLACEHOLDER}-".encode(), f"UID:{request_id}-".encode())


@lru_cache(maxsize=256)
def _cached_blocks(short_name: str, deadlines: tuple[Deadline, ...], language: str,
                   student: bool) -> bytes:
    del language  # part of the cache key: the titles are written in it
    return _serialize(_ID_PLACEHOLDER, short_name, deadlines, False, student)


def _serialize(request_id: str, short_name: str, deadlines: tuple[Deadline, ...],
               name_request: bool, student: bool) -> bytes:
    stamp = datetime.combine(min((d.date for d in deadlines), default=date(2000, 1, 1)),
                             time(), tzinfo=UTC)
    out = []
    for deadline in deadlines:
        event = Event()
        summary, description = _words(deadline, short_name, request_id, name_request)
        event.add("uid", f"{request_id}-{deadline.key}@recordskit.invalid")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", description)
        event.add("transp", "TRANSPARENT")
        event.add("categories", [_(CATEGORIES[student])])
        kind = DATED.get(deadline.event)
        for trigger in kind.alarms if kind else _DEFAULT_ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", summary)
            alarm.add("trigger", trigger)
            event.add_component(alarm)
        out.append(event.to_ical())
    return b"".join(out)


def _words(deadline: Deadline, short_name: str, request_id: str, name_request: bool
           ) -> tuple[str, str]:
    """An event's title and description as ``deadline_in_words`` says them, with its law and
    its request, in the language in use."""
    title, what = deadline_in_words(deadline, short_name)
    request_line = ("\n\n" + _("Request {id}").format(id=request_id)) if name_request else ""
    law = ("\n\n" + _("Law: {citation}").format(citation=deadline.citation)
           if deadline.citation else "")  # a date the family's own letter gave cites no law
    return (title, what + law + request_line)
