"""The sentences every front end says about a request's state and next step, once.

They are written in English as the catalog's source, and read out in the language in use.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.i18n import N_, _
from recordskit.service.tracking import Action, StatusRow
from recordskit.vocabulary import State

STATE_WORDS: dict[State, str] = {
    State.SENT: N_("sent"), State.ACKNOWLEDGED: N_("acknowledged"), State.OVERDUE: N_("overdue"),
    State.RESPONSE: N_("response"), State.EXTENSION: N_("extension"),
    State.FEE_ESTIMATE: N_("fee estimate"), State.PARTIAL: N_("partial"),
    State.PRODUCED: N_("produced"), State.DENIED: N_("denied"), State.NO_RECORDS: N_("no records"),
    State.PETITION_FILED: N_("petition filed"), State.EXTENSION_GRANTED: N_("extension granted"),
    State.FEE_PAID: N_("fee paid"), State.APPEALED: N_("appealed"), State.DECIDED: N_("decided"),
    State.CLOSED: N_("closed"), State.WITHDRAWN: N_("withdrawn"),
}
"""Every state's words, marked for translation (a test checks that each state has them)."""


def state_text(state: State | str) -> str:
    """A state in the language in use."""
    try:
        return _(STATE_WORDS[State(state)])
    except ValueError:
        return str(state)


def command_line(arguments: tuple[str, ...]) -> str:
    """A command as a person types it."""
    return " ".join(("recordskit", *arguments))


def action_text(action: Action) -> str:
    """The next step in words, with the command that does it and the request's real id."""
    on = action.date.isoformat() if action.date else ""
    command = command_line(action.command)
    if action.kind == "follow_up":
        return _("Send a follow-up now: {command}").format(command=command)
    if action.kind == "appeal":
        return _("Appeal by {date} (the last day): {command}").format(date=on, command=command)
    if action.kind == "wait_reply":
        return _("Wait for the reply your follow-up asked for by {date}").format(date=on)
    if action.kind == "wait_response":
        return _("Wait for the response, due {date}; when it comes: {command}").format(
            date=on, command=command)
    if action.kind == "wait_production":
        return _("The records are due {date}; when they come: {command}").format(
            date=on, command=command)
    if action.kind == "wait_decision":
        return (_("The Supervisor of Records decides by {date}; then: {command}").format(
            date=on, command=command) if on else
            _("The Supervisor of Records decides; then: {command}").format(command=command))
    if action.kind == "close":
        return _("Records came: when you are satisfied, {command}").format(command=command)
    return ""


def status_data(row: StatusRow, today: date) -> dict[str, Any]:
    """A status row as plain data (``status --json``); ``do`` is the next step in words."""
    upcoming = row.timeline.next_deadline(today)
    action = row.action
    return {
        "id": row.logged.id,
        "agency": row.logged.request.agency,
        "asked": row.asked,
        "state": row.timeline.state.value,
        "sent_on": row.logged.request.sent_on.isoformat(),
        "folder": row.logged.folder,
        "batch": row.logged.batch_id,
        "next": ({"date": upcoming.date.isoformat(), "event": upcoming.event}
                 if upcoming else None),
        "next_step": {"kind": action.kind,
                      "date": action.date.isoformat() if action.date else None,
                      "do": action_text(action)},
        "schedule": [{"date": d.date.isoformat(), "event": d.event,
                      "description": d.description, "citation": d.citation,
                      "basis": d.basis_text} for d in row.timeline.deadlines],
        "notes": [note.text for note in row.timeline.notes],
        "warnings": [warning.text for warning in row.timeline.warnings],
    }
