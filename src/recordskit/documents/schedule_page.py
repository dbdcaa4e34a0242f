"""``schedule.docx``: every date of a new request on one printable page, for keeping on paper."""

from __future__ import annotations

from typing import Any

from recordskit.deadlines.events import event_title
from recordskit.deadlines.schedule import Schedule
from recordskit.law import LAW_VERSION
from recordskit.models import Directory, Request
from recordskit.text import long_date


def schedule_context(request: Request, directory: Directory, schedule: Schedule
                     ) -> dict[str, Any]:
    """What the printable one-page schedule (``schedule.docx``) shows."""
    agency = directory.agency(request.agency)
    channel = {"email": "by email", "portal": "through the portal", "mail": "by mail",
               "hand": "by hand"}[request.delivery]
    student = request.student is not None
    if request.student is not None:
        title = f"Your request for {request.student.name}'s student record: the dates"
        counting = ("The school's days are counted as calendar days, every day included; dates "
                    "marked as assumed move when you learn the real day.")
    else:
        title = f"Your public records request to {agency.name}: the dates"
        counting = ("Business days leave out weekends and holidays; the appeal deadline counts "
                    "every day. Dates marked as assumed move when you learn the real day.")
    return {
        "title": title,
        "intro": f"Sent {channel} on {long_date(request.sent_on)}. {counting}",
        "rows": [{"date": f"{d.date:%a} {long_date(d.date)}",
                  "title": event_title(d.event, agency.short_name, student=student),
                  "description": _without(d.description, schedule.notes),
                  "citation": d.citation}
                 for d in schedule.deadlines],
        "notes": list(schedule.notes),
        "law_version": LAW_VERSION,
    }


def _without(text: str, notes: tuple[str, ...]) -> str:
    """A description without the notes the page prints once below the table."""
    for note in notes:
        text = text.replace(" " + note, "")
    return text
