"""Recording what happened to a request, and recomputing where it stands.

The library behind ``recordskit log``, ``undo``, ``status`` and ``show``: every event is checked
against the request's history before it is recorded, and every timeline is recomputed from the
log by ``recordskit.deadlines.timeline``.
"""

from __future__ import annotations

from datetime import date

from recordskit.deadlines.timeline import Timeline, check_event, timeline_for
from recordskit.errors import UserError
from recordskit.i18n import _
from recordskit.logged import EventDetails, Undo
from recordskit.models import Directory, LoggedEvent
from recordskit.tracking.log import LoggedRequest, RequestLog


class UnknownAgencyError(UserError):
    """A logged request names an agency the directory in use does not list."""

    def __init__(self, request_id: str, agency: str) -> None:
        super().__init__(request_id, agency)
        self.request_id, self.agency = request_id, agency

    def __str__(self) -> str:
        # Worded when shown, not when raised: a command learns the family's language from
        # the request, sometimes only after reading every request of the log
        return _("request {id} was made with a directory that lists the agency {agency}, and "
                 "the directory in use does not; give that directory to see its "
                 "schedule").format(id=self.request_id, agency=repr(self.agency))


def timeline_of(logged: LoggedRequest, directory: Directory, today: date) -> Timeline:
    """A logged request's timeline, from the events that count (undone ones left out)."""
    agency = logged.request.agency
    if agency not in {a.id for a in directory.agencies}:
        raise UnknownAgencyError(logged.id, agency)
    return timeline_for(logged.request, logged.active_events, directory, today)


def log_event(log: RequestLog, request_id: str, on: date, details: EventDetails,
              directory: Directory, today: date, *, by: str | None = None
              ) -> tuple[LoggedEvent, Timeline, LoggedRequest]:
    """Check an event against the request's history and record it; return it, the recomputed
    timeline, and the request.

    ``by`` is who logs it (by default ``RECORDSKIT_USER``, or the login name)."""
    logged = log.get(request_id)
    check_event(logged.request, logged.active_events, details, on, today)
    recorded = log.record_event(logged.id, on, details, by=by)
    updated = log.get(logged.id)
    return recorded, timeline_of(updated, directory, today), updated


def undo_event(log: RequestLog, request_id: str, seq: int, today: date, *,
               by: str | None = None) -> LoggedEvent[Undo]:
    """Undo a mistaken event: a new ``undo`` event names it; both stay in the log."""
    logged = log.get(request_id)
    target = next((e for e in logged.events if e.seq == seq), None)
    if target is None or isinstance(target.details, Undo):
        numbers = ", ".join(str(e.seq) for e in logged.active_events) or "none"
        raise UserError(_("request {id} has no event {number} to undo; its events: {events}")
                        .format(id=logged.id, number=seq, events=numbers))
    if target not in logged.active_events:
        raise UserError(_("event {number} ({event}) was already undone").format(
            number=seq, event=target.event))
    return log.record_event(logged.id, today, Undo(undoes=seq, event=target.event), by=by)
