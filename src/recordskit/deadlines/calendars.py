"""Business-day arithmetic for Massachusetts public bodies.

A business day is a weekday that is not a Massachusetts legal holiday (the law table's
``legal_holidays``, as the pinned ``holidays`` package encodes them: a Sunday holiday moves to
Monday, a Saturday holiday does not move), nor, on a calendar that counts them, one of Suffolk
County's own days or the Friday before a Saturday holiday, nor a closure listed in the
directory. Which calendar a body uses is a setting of the body in ``agencies.yaml``.

Two kinds of day are counted closed on the Boston calendar by assumption, not because the law
or the City says so (facts.md 7.1, 7.2): the Suffolk County days, and the Friday before a
Saturday holiday (Boston's municipal buildings closed on Friday, November 10, 2023, before a
Saturday Veterans Day). Each gives the later, safer date, and :meth:`BusinessCalendar.assumed`
says which days they are, so every date they move can say so.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from recordskit.errors import UserError
from recordskit.law import SUFFOLK_DAYS
from recordskit.models import Agency, Directory


@dataclass(frozen=True)
class CalendarSpec:
    """A named business-day calendar an agency can choose in ``agencies.yaml``."""

    name: str
    description: str
    suffolk_days: bool
    friday_before_saturday_holiday: bool = False
    """Count the Friday before a Saturday legal holiday as closed (Boston's practice in 2023)."""


CALENDARS: dict[str, CalendarSpec] = {
    spec.name: spec
    for spec in (
        CalendarSpec(
            name="massachusetts",
            description="Massachusetts legal holidays only",
            suffolk_days=False,
        ),
        CalendarSpec(
            name="boston",
            description="Massachusetts legal holidays plus Suffolk County's Evacuation Day and "
            "Bunker Hill Day, and the Friday before a Saturday holiday",
            suffolk_days=True,
            friday_before_saturday_holiday=True,
        ),
    )
}


@lru_cache(maxsize=1)
def _holidays_class() -> type[Any]:
    """The ``holidays`` subclass, built on first use: importing ``holidays`` is slow."""
    _load_united_states_alone()
    from holidays.countries.united_states import UnitedStates

    class MassachusettsHolidays(UnitedStates):
        """``holidays``' Massachusetts list, plus Suffolk County's days and listed closures."""

        def __init__(self, *, suffolk_days: bool, fridays: bool,
                     closures: dict[date, str]) -> None:
            self._suffolk_days = suffolk_days
            self._fridays = fridays
            self._closures = closures
            super().__init__(subdiv="MA")  # type: ignore[no-untyped-call]

        def _populate(self, year: int) -> None:  # the hook the library documents for extension
            super()._populate(year)
            if self._fridays:
                # The state's own holidays only (not the Suffolk days, which move only from
                # Sunday to Monday); next year's New Year's Day closes this year's 31 December.
                saturdays = [(holiday, str(name)) for holiday, name in self.items()
                             if holiday.year == year and holiday.weekday() == 5]
                new_year = date(year + 1, 1, 1)
                if new_year.weekday() == 5:
                    saturdays.append((new_year, "New Year's Day"))
                for saturday, name in saturdays:
                    self[saturday - timedelta(days=1)] = f"{FRIDAY_BEFORE}{name} (a Saturday)"
            if self._suffolk_days:
                for month, day, name in SUFFOLK_DAYS:
                    holiday = date(year, month, day)
                    self[holiday] = name
                    if holiday.weekday() == 6:  # suffolk_days: a Sunday moves to Monday
                        self[holiday + timedelta(days=1)] = f"{name} (observed)"
            for closed, reason in self._closures.items():
                if closed.year == year:
                    self[closed] = reason

    return MassachusettsHolidays


_COUNTRIES = "holidays.countries"
_UNITED_STATES = "holidays.countries.united_states"
_ALONE = threading.Lock()


def _load_united_states_alone() -> None:
    """Import ``holidays``' United States module without the index of every country.

    The ``holidays.countries`` package's ``__init__`` imports the modules of all its 250
    countries to name them, which is most of the time ``holidays`` takes to load (a tenth of a
    second of every command that counts a day); the United States' module needs none of them.
    While it is imported, a bare package over the same folder stands in for ``holidays.countries``;
    then it is taken away, so that anything that asks for the whole package later gets the real
    one, which finds this module loaded already (the same class)."""
    with _ALONE:
        if _COUNTRIES in sys.modules or _UNITED_STATES in sys.modules:
            return
        found = importlib.util.find_spec(_COUNTRIES)  # imports ``holidays`` itself
        stand_in = types.ModuleType(_COUNTRIES)
        stand_in.__path__ = list(found.submodule_search_locations or []) if found else []
        sys.modules[_COUNTRIES] = stand_in
        try:
            importlib.import_module(_UNITED_STATES)
        finally:
            if sys.modules.get(_COUNTRIES) is stand_in:
                del sys.modules[_COUNTRIES]


FRIDAY_BEFORE = "Friday before "
"""How a Friday closed before a Saturday holiday is named (the holiday's name follows)."""


_KEPT_ANSWERS = 100_000
"""How many answers each of a calendar's memories keeps: a server's calendars live as long as
it does, and the spans it is asked about have no end; past this, a memory starts again."""


def _kept(memory: dict[Any, Any]) -> dict[Any, Any]:
    """``memory``, emptied first when it is full."""
    if len(memory) >= _KEPT_ANSWERS:
        memory.clear()
    return memory


class BusinessCalendar:
    """Counts business days for one body: its holidays, its county's days, its closures."""

    def __init__(self, spec: CalendarSpec, closures: dict[date, str] | None = None) -> None:
        self.spec = spec
        # Every count asks about the same few weeks again (a batch's rows share their dates),
        # and asking ``holidays`` costs far more than a lookup here.
        self._closed: dict[date, str | None] = {}
        self._assumed_spans: dict[tuple[date, date], tuple[tuple[date, str], ...]] = {}
        # A log's timelines count the same few hundred days ahead by the same counts: each
        # count is walked day by day once (it was a fifth of working out a standing)
        self._counted: dict[tuple[date, int], date] = {}
        self._holidays = _holidays_class()(
            suffolk_days=spec.suffolk_days, fridays=spec.friday_before_saturday_holiday,
            closures=dict(closures or {})
        )

    @property
    def name(self) -> str:
        return self.spec.name

    def closed_reason(self, day: date) -> str | None:
        """Why the office is closed on ``day`` (a holiday's name or "Saturday"/"Sunday")."""
        if day in self._closed:
            return self._closed[day]
        reason: str | None
        if day.weekday() == 5:
            reason = "Saturday"
        elif day.weekday() == 6:
            reason = "Sunday"
        else:
            reason = self._holidays.get(day)
        _kept(self._closed)[day] = reason
        return reason

    def assumed(self, day: date) -> str | None:
        """The day's name when it is counted closed only by recordskit's assumption (a Suffolk
        County day, or the Friday before a Saturday holiday), else None."""
        reason = self.closed_reason(day)
        if reason is None or reason in ("Saturday", "Sunday"):
            return None
        names = tuple(name for _month, _day, name in SUFFOLK_DAYS)
        if reason.startswith(names) or reason.startswith(FRIDAY_BEFORE):
            return reason
        return None

    def assumed_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """The assumed closed days after ``start`` up to and including ``end``."""
        # Asked again and again for the same spans (a log's requests share their dates)
        key = (start, end)
        if key not in self._assumed_spans:
            found = []
            day = start
            while day < end:
                day += timedelta(days=1)
                reason = self.assumed(day)
                if reason:
                    found.append((day, reason))
            _kept(self._assumed_spans)[key] = tuple(found)
        return list(self._assumed_spans[key])

    def is_business_day(self, day: date) -> bool:
        return self.closed_reason(day) is None

    def holidays_in(self, year: int) -> dict[date, str]:
        """Every holiday and closure of ``year`` on this calendar, weekends not included."""
        self._holidays.get(date(year, 1, 1))  # expands the lazy year
        return {
            day: str(name) for day, name in sorted(self._holidays.items()) if day.year == year
        }

    def next_business_day(self, day: date) -> date:
        """``day`` itself when it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, count: int) -> date:
        """The ``count``-th business day after ``start`` (``start`` itself is not counted)."""
        if count < 0:
            raise ValueError("count must not be negative")
        if (found := self._counted.get((start, count))) is not None:
            return found
        day = start
        for _ in range(count):
            day = self.next_business_day(day + timedelta(days=1))
        _kept(self._counted)[start, count] = day
        return day

    def business_days_between(self, start: date, end: date) -> int:
        """How many business days fall after ``start`` up to and including ``end``."""
        total, day = 0, start
        while day < end:
            day += timedelta(days=1)
            total += self.is_business_day(day)
        return total


@lru_cache(maxsize=32)
def _cached(name: str, closures: tuple[tuple[date, str], ...]) -> BusinessCalendar:
    return BusinessCalendar(CALENDARS[name], dict(closures))


def get_calendar(name: str, closures: Iterable[tuple[date, str]] = ()) -> BusinessCalendar:
    """The business-day calendar called ``name``, with extra closure days."""
    if name not in CALENDARS:
        known = ", ".join(sorted(CALENDARS))
        raise UserError(f"unknown business-day calendar {name!r}; expected one of: {known}")
    return _cached(name, tuple(sorted(closures)))


def calendar_for(agency: Agency, directory: Directory) -> BusinessCalendar:
    """The calendar ``agency`` counts its business days on, with the directory's closures."""
    return get_calendar(agency.calendar, directory.closures_for(agency.calendar))
