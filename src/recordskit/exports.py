"""A schedule as files: ``schedule.csv`` for spreadsheets, ``schedule.ics`` for calendars."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

from recordskit.models import Agency, Deadline
from recordskit.schedule import event_title

CSV_HEADER = ("date", "event", "description", "citation")

# Reminders: the day before a deadline, 9 a.m. on the follow-up day, and a week ahead of the
# requester's own appeal deadline. Receipt needs none.
_ALARMS: dict[str, tuple[timedelta, ...]] = {
    "received": (),
    "follow_up": (timedelta(hours=9),),
    "appeal_deadline_no_response": (timedelta(days=-7), timedelta(days=-1)),
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
    """The schedule as an iCalendar file of all-day events with reminders.

    UIDs are ``<request id>-<event>@recordskit.invalid``, so importing a re-generated file
    updates the events instead of adding them twice. DTSTAMP is the first event's date, so the
    same request always gives the same bytes.
    """
    from icalendar import Alarm, Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//recordskit//Massachusetts public records schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"Records request to {agency.name}")
    stamp = datetime.combine(min(d.date for d in deadlines), time(), tzinfo=UTC)
    for deadline in deadlines:
        event = Event()
        summary = event_title(deadline.event, agency)
        event.add("uid", f"{request_id}-{deadline.event}@recordskit.invalid")
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.date)
        event.add("dtend", deadline.date + timedelta(days=1))
        event.add("summary", summary)
        event.add("description", f"{deadline.description}\n\nLaw: {deadline.citation}")
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
