"""Golden tables: every closed day of 2024–2028, and deadlines counted by hand.

The tables were written from the holiday rules (M.G.L. c. 4, § 7, cl. 18; c. 136, § 12) and a
printed calendar, not from the code. A change in the pinned ``holidays`` package that moves any
of these dates fails here, loudly.
"""

from __future__ import annotations

from datetime import date

import pytest

from recordskit.deadlines.calendars import CALENDARS, get_calendar
from recordskit.directory.load import CALENDAR_NAMES
from recordskit.service import UserError

D = date.fromisoformat

MASSACHUSETTS_HOLIDAYS: dict[int, list[str]] = {
    2024: ["2024-01-01", "2024-01-15", "2024-02-19", "2024-04-15", "2024-05-27", "2024-06-19",
           "2024-07-04", "2024-09-02", "2024-10-14", "2024-11-11", "2024-11-28", "2024-12-25"],
    2025: ["2025-01-01", "2025-01-20", "2025-02-17", "2025-04-21", "2025-05-26", "2025-06-19",
           "2025-07-04", "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27", "2025-12-25"],
    # 2026-07-04 is a Saturday: kept on the Saturday, no Friday off.
    2026: ["2026-01-01", "2026-01-19", "2026-02-16", "2026-04-20", "2026-05-25", "2026-06-19",
           "2026-07-04", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"],
    # 2027: Juneteenth and Christmas on Saturdays stay there; July 4 on a Sunday moves to Monday.
    2027: ["2027-01-01", "2027-01-18", "2027-02-15", "2027-04-19", "2027-05-31", "2027-06-19",
           "2027-07-04", "2027-07-05", "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25",
           "2027-12-25"],
    # 2028: New Year's Day and Veterans Day on Saturdays stay there.
    2028: ["2028-01-01", "2028-01-17", "2028-02-21", "2028-04-17", "2028-05-29", "2028-06-19",
           "2028-07-04", "2028-09-04", "2028-10-09", "2028-11-11", "2028-11-23", "2028-12-25"],
}

# Evacuation Day and Bunker Hill Day; a Sunday moves to the Monday, a Saturday does not.
SUFFOLK_DAYS: dict[int, list[str]] = {
    2024: ["2024-03-17", "2024-03-18", "2024-06-17"],  # Mar 17 is a Sunday
    2025: ["2025-03-17", "2025-06-17"],
    2026: ["2026-03-17", "2026-06-17"],
    2027: ["2027-03-17", "2027-06-17"],
    2028: ["2028-03-17", "2028-06-17"],  # Jun 17 is a Saturday: not moved
}


@pytest.mark.parametrize("year", sorted(MASSACHUSETTS_HOLIDAYS))
def test_massachusetts_closed_days(year: int) -> None:
    calendar = get_calendar("massachusetts")
    assert sorted(calendar.holidays_in(year)) == [D(d) for d in MASSACHUSETTS_HOLIDAYS[year]]


# Boston bodies: the Friday before a Saturday legal holiday counts as closed (Boston's municipal
# buildings closed on Friday, November 10, 2023, before a Saturday Veterans Day; facts.md 7.1).
# Not for the Suffolk days (2028-06-17 is a Saturday: its Friday stays open).
BOSTON_FRIDAYS: dict[int, list[str]] = {
    2024: [],
    2025: [],
    2026: ["2026-07-03"],                              # July 4 on a Saturday
    2027: ["2027-06-18", "2027-12-24", "2027-12-31"],  # Juneteenth, Christmas, New Year 2028
    2028: ["2028-11-10"],                              # Veterans Day on a Saturday
}


@pytest.mark.parametrize("year", sorted(MASSACHUSETTS_HOLIDAYS))
def test_boston_closed_days(year: int) -> None:
    calendar = get_calendar("boston")
    expected = sorted(D(d) for d in MASSACHUSETTS_HOLIDAYS[year] + SUFFOLK_DAYS[year]
                      + BOSTON_FRIDAYS[year])
    assert sorted(calendar.holidays_in(year)) == expected


def test_saturday_holiday_leaves_the_state_friday_open() -> None:
    calendar = get_calendar("massachusetts")
    for friday in ("2026-07-03", "2027-12-24", "2027-12-31", "2023-11-10"):
        assert calendar.is_business_day(D(friday)), friday
        assert calendar.assumed(D(friday)) is None
    assert calendar.closed_reason(D("2027-07-05")) is not None
    assert calendar.closed_reason(D("2026-07-04")) == "Saturday"


def test_boston_closes_the_friday_before_a_saturday_holiday_and_labels_it() -> None:
    calendar = get_calendar("boston")
    assert calendar.closed_reason(D("2023-11-10")) == "Friday before Veterans Day (a Saturday)"
    assert calendar.assumed(D("2023-11-10")) == "Friday before Veterans Day (a Saturday)"
    assert calendar.assumed(D("2027-12-31")) == "Friday before New Year's Day (a Saturday)"
    assert calendar.assumed(D("2026-03-17")) == "Evacuation Day"
    assert calendar.assumed(D("2026-11-26")) is None  # Thanksgiving is the law's, not assumed
    assert calendar.assumed(D("2026-11-28")) is None  # a Saturday
    assert calendar.is_business_day(D("2028-06-16"))  # Bunker Hill Day on a Saturday


# (deemed receipt or arrival, Massachusetts response due, Boston response due), counted by hand.
RESPONSE_DUE = [
    ("2025-03-14", "2025-03-28", "2025-03-31"),  # Evacuation Day, Mon Mar 17
    ("2024-03-15", "2024-03-29", "2024-04-01"),  # Evacuation Day on Sunday -> Mon Mar 18
    ("2026-06-12", "2026-06-29", "2026-06-30"),  # Bunker Hill Day and Juneteenth
    ("2026-07-02", "2026-07-16", "2026-07-17"),  # Jul 3: a business day; Boston: closed
    ("2027-12-23", "2028-01-06", "2028-01-10"),  # Dec 24, Dec 31: likewise
    ("2027-12-31", "2028-01-14", "2028-01-18"),  # Boston: received Mon Jan 3; MLK Jan 17
    ("2023-11-09", "2023-11-24", "2023-11-27"),  # Boston closed Fri Nov 10, 2023
    ("2023-11-10", "2023-11-27", "2023-11-28"),  # arrives that Friday: Boston receives Mon
    ("2025-04-17", "2025-05-02", "2025-05-02"),  # Patriots' Day
    ("2025-11-27", "2025-12-12", "2025-12-12"),  # arrives on Thanksgiving: received Fri 28
    ("2026-11-21", "2026-12-08", "2026-12-08"),  # arrives Saturday: received Mon 23
    ("2027-06-16", "2027-06-30", "2027-07-02"),  # Bunker Hill Thu; Juneteenth Sat, Fri closed
    ("2028-03-16", "2028-03-30", "2028-03-31"),  # Evacuation Day Friday
    ("2024-12-24", "2025-01-09", "2025-01-09"),  # Christmas, New Year's Day
    ("2028-11-09", "2028-11-24", "2028-11-27"),  # Veterans Day Sat (Boston: Fri closed)
]


@pytest.mark.parametrize(("arrives", "massachusetts", "boston"), RESPONSE_DUE)
def test_ten_business_days_after_receipt(arrives: str, massachusetts: str, boston: str) -> None:
    for name, expected in (("massachusetts", massachusetts), ("boston", boston)):
        calendar = get_calendar(name)
        received = calendar.next_business_day(D(arrives))
        assert calendar.add_business_days(received, 10) == D(expected), name


def test_twenty_five_business_days_over_the_holidays() -> None:
    calendar = get_calendar("boston")
    assert calendar.add_business_days(D("2026-11-23"), 25) == D("2026-12-30")
    assert calendar.add_business_days(D("2026-06-12"), 25) == D("2026-07-22")  # Jul 3 closed


def test_counting_helpers() -> None:
    calendar = get_calendar("boston")
    assert calendar.add_business_days(D("2026-06-12"), 0) == D("2026-06-12")
    assert calendar.next_business_day(D("2026-06-13")) == D("2026-06-15")
    assert calendar.business_days_between(D("2026-06-12"), D("2026-06-30")) == 10
    with pytest.raises(ValueError, match="negative"):
        calendar.add_business_days(D("2026-06-12"), -1)


def test_closures_from_the_directory_are_closed_days() -> None:
    storm = (D("2026-02-02"), "City Hall closed (storm)")
    calendar = get_calendar("boston", [storm])
    assert calendar.closed_reason(D("2026-02-02")) == "City Hall closed (storm)"
    assert get_calendar("boston").is_business_day(D("2026-02-02"))


def test_unknown_calendar_is_a_user_error() -> None:
    with pytest.raises(UserError, match="expected one of: boston, massachusetts"):
        get_calendar("suffolk")


def test_directory_knows_every_calendar() -> None:
    assert set(CALENDAR_NAMES) == set(CALENDARS)


def test_a_calendars_memory_is_bounded_and_its_answers_unchanged(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A server keeps its calendars as long as it runs: what each remembers of its counts
    starts again past a bound, and the answers stay those of a calendar that never forgot."""
    from recordskit.deadlines import calendars
    from recordskit.deadlines.calendars import BusinessCalendar

    fresh = BusinessCalendar(CALENDARS["boston"])
    expected = {(day, count): fresh.add_business_days(date(2026, 1, day), count)
                for day in range(1, 29) for count in (10, 15, 25)}
    monkeypatch.setattr(calendars, "_KEPT_ANSWERS", 20)
    bounded = BusinessCalendar(CALENDARS["boston"])
    for (day, count), answer in expected.items():
        assert bounded.add_business_days(date(2026, 1, day), count) == answer
        assert bounded.assumed_between(date(2026, 1, day), answer) is not None
        assert len(bounded._counted) <= 20 and len(bounded._closed) <= 20
        assert len(bounded._assumed_spans) <= 20
