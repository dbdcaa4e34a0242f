"""A schedule as files: ``schedule.csv`` for spreadsheets, ``schedule.ics`` for calendars."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta

from recordskit.models import Agency, Deadline

CSV_HEADER = ("date", "event", "description", "citation")

# Reminders: the day before a deadline, 9 a.m. on the follow-up day, and a week ahead of the
# requester's own appeal deadline. Receipt needs none.
_ALARMS: dict[str, tuple[timedelta, ...]] = {
    "received": (),
    "follow_up": (timedelta(hours=9),),
    "appeal_deadline_no_response": (timedelta(days=-7), timedelta(days=-1)),
    "appeal_deadline": (timedelta(days=-7), timedelta(days=-1)),
}
_DEFAULT_ALARMS = (timedelta(days=-1),)


def schedule_csv(deadlines: tuple[Deadline, ...] | list[Deadline]) -> str:
    """The schedule as CSV: one row per event, ISO dates, header ``CSV_HEADER``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for deadline in deadlines:
        writer.writerow((deadline.date.isoformat(), deadline.event, deadline.description,
                         deadline.citation))
    return out.getvalue()


def schedule_ics(deadlines: tuple[Deadline, ...] | list[Deadline], agency: Agency,
                 request_id: str) -> bytes:
    """One request's schedule as an iCalendar file of all-day events with reminders."""
    return calendar_ics([(request_id, agency, list(deadlines))],
                        name=f"Records request to {agency.name}")


def calendar_ics(entries: list[tuple[str, Agency, list[Deadline]]], *, name: str) -> bytes:
    """Deadlines of one or many requests as an iCalendar file.

    UIDs are ``<request id>-<event>@recordskit.invalid``, so importing a re-generated file
    updates the events instead of adding them twice. DTSTAMP is the earliest event's date, so
    the same deadlines always give the same bytes.
    """
    from icalendar import Alarm, Calendar, Event

    from recordskit.timeline import event_title

    calendar = Calendar()
    calendar.add("prodid", "-//recordskit//Massachusetts public records schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    dates = [d.date for _id, _agency, deadlines in entries for d in deadlines]
    stamp = datetime.combine(min(dates, default=date(2000, 1, 1)), time(), tzinfo=UTC)
    for request_id, agency, deadlines in entries:
        for deadline in deadlines:
            event = Event()
            summary = event_title(deadline.event, agency)
            event.add("uid", f"{request_id}-{deadline.event}@recordskit.invalid")
            event.add("dtstamp", stamp)
            event.add("dtstart", deadline.date)
            event.add("dtend", deadline.date + timedelta(days=1))
            event.add("summary", summary)
            event.add("description", f"{deadline.description}\n\nLaw: {deadline.citation}"
                      f"\n\nRequest {request_id}")
            event.add("transp", "TRANSPARENT")
            event.add("categories", ["Public records"])
            for trigger in _ALARMS.get(deadline.event, _DEFAULT_ALARMS):
                alarm = Alarm()
                alarm.add("action", "DISPLAY")
                alarm.add("description", summary)
                alarm.add("trigger", trigger)
                event.add_component(alarm)
            calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
