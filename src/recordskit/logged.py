"""What was logged about a request: one frozen type per event kind, parsed once where it enters.

Events enter by three doors: the request log (``recordskit.tracking.log`` reads its rows), an
export being imported, and a front end (the command line, a web page) recording one. Each door
calls :func:`parse_details`, which refuses what the schedule could not count with, naming the
field. Past the door nothing reads a mapping by key or parses a date back: a ``Response`` has a
``kind`` and an ``until`` that is a date.

:func:`stored_details` gives the mapping the log keeps, the same keys and values it has always
kept (defaults left out), so logs written before these types read and compare the same.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterable, Mapping
from dataclasses import Field, dataclass, field, fields
from datetime import date
from typing import TYPE_CHECKING, Any, Generic, cast

from recordskit.errors import FieldError
from recordskit.i18n import _
from recordskit.vocabulary import EventKind, ResponseKind

EARLIEST, LATEST = date(1990, 1, 1), date(2100, 12, 31)
"""The dates a request, or anything that happened to it, can carry: outside them is a typo."""


class EventDetailsError(FieldError, ValueError):
    """An event's details that cannot be read: the field, and what is expected (translated).
    A ``FieldError`` for a front end, and a ``ValueError`` for the log, which reports a stored
    event it cannot read as damaged."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True, kw_only=True)
class Received:
    """The body received the request (its logged receipt replaces the assumed one)."""

    tracking: str = ""
    """The body's reference number, such as R004625-112426 (several: comma-separated)."""
    note: str = ""
    source: str = ""
    """``reply`` when the date was stated by the agency in a reply recordskit read and kept;
    empty when a person logged it."""
    reply: str = ""
    """The kept reply it was read from: its file name in the request's folder."""
    sha256: str = ""
    """The kept reply's SHA-256, in hex."""


@dataclass(frozen=True, kw_only=True)
class Response:
    """The body responded."""

    kind: ResponseKind
    until: date | None = None
    """An extension's production date."""
    amount: str = ""
    """A fee estimate's amount, in dollars, as the person wrote it."""
    no_exemption: bool = False
    """Records were withheld without a specific exemption."""
    note: str = ""
    tracking: str = ""
    """The reference numbers the reply gives (comma-separated), when no receipt holds them."""
    source: str = ""
    """``reply`` when read from an agency's reply that recordskit kept (see ``Received``)."""
    reply: str = ""
    """The kept reply: its file name in the request's folder."""
    sha256: str = ""
    """The kept reply's SHA-256, in hex."""


@dataclass(frozen=True, kw_only=True)
class FollowedUp:
    """A follow-up letter was sent, asking for a reply by ``until``."""

    until: date
    situation: str = field(default="", metadata={"stored_as": "kind"})
    """What the follow-up was about (``no_response``, ``late_fee`` …), kept as ``kind``."""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Petition:
    """The body petitioned the Supervisor of Records for more time."""

    note: str = ""


@dataclass(frozen=True, kw_only=True)
class PetitionGranted:
    """The Supervisor granted the body more time, as the order states."""

    until: date | None = None
    days: int
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Paid:
    """The requester paid a fee."""

    amount: str = ""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Appealed:
    """An appeal went to the Supervisor of Records."""

    number: str = ""
    """The Supervisor's appeal number (such as SPR26/1234)."""
    window: str = ""
    """The response appealed: its event number, ``no_response``, or empty for every window."""
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Decided:
    """The Supervisor decided the appeal; ``until`` is a date the order gives the body."""

    until: date | None = None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Closed:
    """The requester closed the request."""

    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Withdrawn:
    """The request was withdrawn (or replaced by another request for its folder)."""

    note: str = ""


@dataclass(frozen=True, kw_only=True)
class Undo:
    """A mistaken event undone; both stay in the log."""

    undoes: int
    event: EventKind
    note: str = ""


EventDetails = (Received | Response | FollowedUp | Petition | PetitionGranted | Paid | Appealed
                | Decided | Closed | Withdrawn | Undo)

TYPES: dict[EventKind, type[EventDetails]] = {
    EventKind.RECEIVED: Received, EventKind.RESPONSE: Response,
    EventKind.FOLLOWED_UP: FollowedUp, EventKind.PETITION: Petition,
    EventKind.PETITION_GRANTED: PetitionGranted, EventKind.PAID: Paid,
    EventKind.APPEALED: Appealed, EventKind.DECIDED: Decided, EventKind.CLOSED: Closed,
    EventKind.WITHDRAWN: Withdrawn, EventKind.UNDO: Undo,
}
_KINDS: dict[type[EventDetails], EventKind] = {kind: name for name, kind in TYPES.items()}


def kind_of(details: EventDetails) -> EventKind:
    """The event kind a details value belongs to."""
    return _KINDS[type(details)]


def field_names(kind: EventKind) -> tuple[str, ...]:
    """The fields an event of this kind can carry."""
    return tuple(item.name for item in fields(TYPES[kind]))


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
SOURCES = ("reply",)
"""Where an event's facts came from besides a person logging them: an agency's reply."""


def parse_day(value: object, field: str) -> date:
    """A date as the log and the front ends write it (YYYY-MM-DD, or a ``date``), within the
    range every date recordskit keeps must be in."""
    if isinstance(value, date):
        day = value
    elif isinstance(value, str) and _DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:  # 2026-02-30
            raise EventDetailsError(_("{field} {value} is not a date (YYYY-MM-DD)").format(
                field=field, value=repr(value)), field) from None
    else:
        raise EventDetailsError(_("{field} {value} is not a date (YYYY-MM-DD)").format(
            field=field, value=repr(value)[:40]), field)
    if not EARLIEST <= day <= LATEST:
        raise EventDetailsError(_("{date} is outside {first}–{last}; check the year").format(
            date=day, first=EARLIEST.year, last=LATEST.year), field)
    return day


def parse_details(kind: EventKind | str, raw: Mapping[str, Any], *, strict: bool = False
                  ) -> EventDetails:
    """The typed details of an event of ``kind`` from a mapping (a stored row, an import, a
    front end's options). Refuses what the schedule cannot count with, naming the field.

    A stored mapping may hold keys that do not belong to its kind (older releases kept any
    option given); they are left out. ``strict`` (for what a person is entering now) refuses
    them instead: an option given to the wrong event is a mistake to point out."""
    try:
        name = EventKind(kind)
    except ValueError:
        known = ", ".join(k.value for k in EventKind if k != EventKind.UNDO)
        raise EventDetailsError(_("unknown event {event}; expected one of: {events}").format(
            event=repr(kind), events=known), "event") from None
    if not isinstance(raw, Mapping):
        raise EventDetailsError("its details are not a mapping", "details")
    values: dict[str, Any] = {}
    for item in fields(TYPES[name]):
        value = raw.get(_key(item))
        if value is None or value == "":
            continue
        values[item.name] = _parse_field(name, item.name, value)
    if strict:
        keys = {_key(item) for item in fields(TYPES[name])}
        for key, value in raw.items():
            if key not in keys and value not in (None, "", False):
                raise _stray(name, key)
    try:
        return TYPES[name](**values)
    except TypeError:  # a required field is missing
        raise _missing(name) from None


def _key(item: Field[Any]) -> str:
    """The key a field is stored under."""
    return str(item.metadata.get("stored_as", item.name))


def _stray(kind: EventKind, key: str) -> EventDetailsError:
    if key == "window":
        return EventDetailsError(_("only an appeal names the response it appeals: its event "
                                   "number, or no_response"), key)
    return EventDetailsError(_("{field} does not belong to a {event} event").format(
        field=key, event=kind.value), key)


def _parse_field(kind: EventKind, field: str, value: object) -> object:
    if field == "situation":
        return str(value)
    if field == "until":
        return parse_day(value, field)
    if field == "kind":
        try:
            return ResponseKind(str(value))
        except ValueError:
            raise EventDetailsError(_("a response needs its kind, one of: {kinds}").format(
                kinds=", ".join(k.value for k in ResponseKind)), field) from None
    if field in ("days", "undoes"):
        if type(value) is not int or value < 1:
            raise EventDetailsError(f"{field} {value!r} is not a whole number", field)
        return value
    if field == "event":
        try:
            return EventKind(str(value))
        except ValueError:
            raise EventDetailsError(f"event {value!r} is not an event", field) from None
    if field == "no_exemption":
        if not isinstance(value, bool):
            raise EventDetailsError(f"no_exemption {value!r} is not true or false", field)
        return value
    if field == "source":
        if value not in SOURCES:
            raise EventDetailsError(f"source {str(value)[:40]!r} is not one of: "
                                    f"{', '.join(SOURCES)}", field)
        return str(value)
    if field == "sha256":
        if not isinstance(value, str) or not _SHA256.fullmatch(value):
            raise EventDetailsError(f"sha256 {str(value)[:80]!r} is not a SHA-256 in hex", field)
        return value
    if field == "window":
        text = str(value)
        if text != "no_response" and not text.isdigit():
            raise EventDetailsError(_("only an appeal names the response it appeals: its event "
                                      "number, or no_response"), field)
        return text
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise EventDetailsError(f"{field} {value!r} is not text", field)
    return str(value)


def _missing(kind: EventKind) -> EventDetailsError:
    if kind == EventKind.RESPONSE:
        return EventDetailsError(_("a response needs its kind, one of: {kinds}").format(
            kinds=", ".join(k.value for k in ResponseKind)), "kind")
    if kind == EventKind.FOLLOWED_UP:
        return EventDetailsError(_("followed_up needs the day your letter asked for a reply by"),
                                 "until")
    if kind == EventKind.PETITION_GRANTED:
        return EventDetailsError(_(
            "petition_granted needs the number of business days the Supervisor granted, as the "
            "order states"), "days")
    return EventDetailsError("an undo names the number of the event it undoes", "undoes")


def stored_details(details: EventDetails) -> dict[str, Any]:
    """The mapping the log keeps: every field that is set, dates as YYYY-MM-DD, enums as their
    value, in the order the fields are declared."""
    stored: dict[str, Any] = {}
    for item in fields(details):
        value = getattr(details, item.name)
        if value is None or value == "" or value is False:
            continue
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, ResponseKind | EventKind):
            value = value.value
        stored[_key(item)] = value
    return stored


# --- An event as the log keeps it ------------------------------------------------------------


if TYPE_CHECKING:
    from typing_extensions import TypeVar

    Details = TypeVar("Details", bound=EventDetails, default=EventDetails, covariant=True)
else:  # the default is the type checker's alone: typing_extensions is ~10 ms of start-up
    Details = typing.TypeVar("Details", bound=EventDetails, covariant=True)


@dataclass(frozen=True)
class LoggedEvent(Generic[Details]):
    """One thing that happened to a request, as recorded in the request log: its number, its
    date, and its typed details (whose type says what kind of event it is).
    ``LoggedEvent[Response]`` is a response; :func:`events_of` picks the events of one kind."""

    seq: int
    on_date: date
    details: Details
    recorded_at: str = ""
    recorded_by: str = ""

    @property
    def event(self) -> EventKind:
        return kind_of(self.details)


def events_of(events: Iterable[LoggedEvent], kind: type[Details]) -> list[LoggedEvent[Details]]:
    """The events whose details are of one type, typed as such, in the order given."""
    return [cast("LoggedEvent[Details]", event) for event in events
            if isinstance(event.details, kind)]
