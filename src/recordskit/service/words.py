"""The sentences every front end says about a request's state and next step, once.

They are written in English as the catalog's source, and read out in the language in use.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from recordskit.i18n import N_, _, current_language
from recordskit.logged import EventDetails, LoggedEvent, Response, stored_details
from recordskit.service.tracking import Action, StatusRow, references_of
from recordskit.text import written_date
from recordskit.vocabulary import EventKind, ResponseKind, State

if TYPE_CHECKING:
    from recordskit.service.clinic import SentIntake

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


EVENT_WORDS: dict[EventKind, str] = {
    EventKind.RECEIVED: N_("They wrote that they received the request"),
    EventKind.FOLLOWED_UP: N_("You sent a follow-up letter"),
    EventKind.PETITION: N_("They asked the Supervisor of Records for more time"),
    EventKind.PETITION_GRANTED: N_("The Supervisor of Records gave them more time"),
    EventKind.PAID: N_("You paid"),
    EventKind.APPEALED: N_("You appealed to the Supervisor of Records"),
    EventKind.DECIDED: N_("The Supervisor of Records decided"),
    EventKind.CLOSED: N_("You closed the request"),
    EventKind.WITHDRAWN: N_("The request was withdrawn"),
    EventKind.UNDO: N_("An event was undone"),
}
"""What each logged event means, as a family reads it (the command and the log keep the
event's own name, which English speaks)."""

RESPONSE_WORDS: dict[ResponseKind, str] = {
    ResponseKind.EXTENSION: N_("They need more time"),
    ResponseKind.FEE_ESTIMATE: N_("They asked for money"),
    ResponseKind.DENIED: N_("They refused to give the records"),
    ResponseKind.PARTIAL: N_("They sent some of the records"),
    ResponseKind.PRODUCED: N_("They sent all the records"),
    ResponseKind.NO_RECORDS: N_("They say they have no such records"),
    ResponseKind.CLOSED_INACTIVE: N_("They closed the request for no recent activity"),
}
"""What each kind of response means, as a family says it."""

MEANINGS: tuple[tuple[str, str, str], ...] = (
    ("acknowledged", N_("They wrote that they received my request"),
     N_("As the date, give the day they say your request arrived (every deadline counts "
        "from it), and their reference number, if any.")),
    ("extension", N_("They need more time, until a date they gave"),
     N_("Give the date they said the records will come.")),
    ("fee_estimate", N_("They asked for money"),
     N_("Give the amount they asked for.")),
    ("denied", N_("They refused to give the records"), ""),
    ("partial", N_("They sent some of the records, and kept back others"), ""),
    ("produced", N_("They sent all the records"), ""),
    ("no_records", N_("They say they have no such records"), ""),
    ("closed_inactive", N_("They closed the request for no recent activity"), ""),
)
"""What the agency answered, by its meaning, as a family chooses it: (the event or response
kind it logs, its words, what to add)."""

NEXT_STEPS: dict[str, str] = {
    "wait_response": N_("Wait for the answer: it is due by {date}. When the agency answers, "
                        "tell recordskit what it said."),
    "follow_up": N_("Send a follow-up letter now: the agency has not done what the law asks."),
    "wait_reply": N_("Wait for the reply your follow-up letter asked for by {date}."),
    "appeal": N_("You can appeal to the Supervisor of Records until {date}."),
    "wait_production": N_("The records are due by {date}. When they come, tell recordskit."),
    "wait_decision": N_("The Supervisor of Records decides your appeal by {date}."),
    "wait_decision_undated": N_("Wait for the decision of the Supervisor of Records."),
    "close": N_("The agency has answered. When you are satisfied, close the request."),
    "none": N_("Nothing more to do."),
    "wait_response_student": N_("Wait for the school's answer: it must give access by {date}. "
                                "When the school answers, tell recordskit what it said."),
    "follow_up_student": N_("Send a follow-up letter now: the school has not given access in "
                            "time."),
}
"""The next step in a family's words, with no command (a page offers the button instead); a
student record's own where the school, not an agency, is the one to act."""

FILE_ROLES: dict[str, str] = {
    "letter.docx": N_("the letter to send"),
    "letter.pdf": N_("the letter as PDF"),
    "email.eml": N_("an email draft to the agency, with the letter attached"),
    "how_to_send.txt": N_("where and how to send it, and what proof to keep"),
    "summary.docx": N_("for you, in your language: what you asked and each date"),
    "schedule.docx": N_("every date on one printable page"),
    "schedule.pdf": N_("the same page as PDF"),
    "schedule.csv": N_("every deadline, for a spreadsheet"),
    "schedule.ics": N_("every deadline, to import into a calendar"),
    "answers.yaml": N_("your answers, to make these files again"),
    "follow_up.docx": N_("the follow-up letter to send"),
    "student_follow_up.docx": N_("the follow-up letter to send"),
    "follow_up_summary.docx": N_("for you, in your language: what the follow-up asks and what "
                                 "to do next"),
    "appeal.docx": N_("the appeal, to send to the Supervisor of Records"),
    "appeal_cover.docx": N_("the copy of the appeal, to send to the agency's records officer"),
    "appeal_checklist.txt": N_("what to attach, where to send it and by when"),
    "appeal_summary.docx": N_("for you, in your language: what the appeal asks and what to do "
                              "next"),
}
"""What each file recordskit writes is, for whoever reads the list of files."""

ENGLISH_FILES = frozenset({"letter.docx", "letter.pdf", "email.eml", "follow_up.docx",
                           "student_follow_up.docx", "appeal.docx", "appeal_cover.docx",
                           "schedule.csv"})
"""Files that stay in English: the letters, which the agency and the Supervisor read, and the
schedule's data."""

SITUATIONS: dict[str, str] = {
    "no_response": N_("The agency did not answer by the day the law gives. The letter reminds "
                      "it of that day, says it may no longer charge fees, and asks for an "
                      "answer."),
    "extension_beyond_limit": N_("The agency set a date for the records later than the law "
                                 "allows. The letter asks for the records by the legal limit."),
    "late_fee": N_("The agency asked for money after the day its answer was due. The letter "
                   "says no fee may be charged now."),
    "no_exemption": N_("The agency kept back records without naming the law that allows it. "
                       "The letter asks which law, and for every part that can be released."),
    "production_missed": N_("The date the agency set for the records has passed. The letter "
                            "asks for them."),
    "student_no_access": N_("The school did not give access in time. The letter to the "
                            "principal asks for it, with a copy to the BPS Office of Legal "
                            "Advisor."),
}
"""What a follow-up answers, in a family's words."""


def event_text(kind: EventKind | str, response: ResponseKind | str = "", *,
               family: bool = False) -> str:
    """A logged event in the language in use: its own name in English (the log's word, which
    the commands take), its meaning in a family's language or wherever ``family`` says a
    family reads it (a response by what the agency answered)."""
    # Left as a fork: the log's own word is a value the commands take (log ID petition_granted),
    # not a sentence, and its meaning is another text; no one message can be both.
    if current_language() == "en" and not family:
        return str(kind)
    if str(kind) == EventKind.RESPONSE and response:
        return response_text(response)
    try:
        return _(EVENT_WORDS[EventKind(kind)])
    except (ValueError, KeyError):
        return str(kind)


def logged_event_text(event: LoggedEvent, *, family: bool = False) -> str:
    """What a logged event is, in the language in use (``event_text``)."""
    response = event.details.kind if isinstance(event.details, Response) else ""
    return event_text(event.event, response, family=family)


def response_text(kind: ResponseKind | str) -> str:
    """A kind of response in the language in use, by its meaning."""
    try:
        return _(RESPONSE_WORDS[ResponseKind(kind)])
    except (ValueError, KeyError):
        return str(kind).replace("_", " ")


def details_text(details: EventDetails) -> str:
    """A logged event's details in one line: ``kind: extension, until: 2027-01-15`` in
    English; in another language the dates and numbers alone, the response's meaning being the
    event's own words (``event_text``)."""
    stored = stored_details(details)
    # Left as a fork, like event_text's: the log's keys and values as the log keeps them.
    if current_language() == "en":
        return ", ".join(f"{key}: {value}" for key, value in stored.items())
    return ", ".join(str(value) for key, value in stored.items()
                     if key not in ("kind", "event", "no_exemption", "window", "undoes",
                                    "source", "sha256", "reply"))


def next_step_words(kind: str, day: str, student: bool = False) -> str:
    """The next step in a family's words, without a command."""
    if kind == "wait_decision" and not day:
        kind = "wait_decision_undated"
    if student and f"{kind}_student" in NEXT_STEPS:
        kind = f"{kind}_student"
    return _(NEXT_STEPS.get(kind, NEXT_STEPS["none"])).format(date=day)


def meanings() -> list[tuple[str, str, str]]:
    """What the agency answered, by its meaning, in the language in use: (the event or
    response kind it logs, its words, what to add)."""
    return [(value, _(words), _(more) if more else "") for value, words, more in MEANINGS]


def file_role(name: str) -> str:
    """What a file is, in the language in use ("" for a file this list does not know)."""
    return _(FILE_ROLES[name]) if name in FILE_ROLES else ""


def situation_words(kind: str) -> str:
    """What a follow-up answers, in the language in use."""
    return _(SITUATIONS[kind]) if kind in SITUATIONS else ""


def state_text(state: State | str) -> str:
    """A state in the language in use."""
    try:
        return _(STATE_WORDS[State(state)])
    except ValueError:
        return str(state)


def command_line(arguments: tuple[str, ...], program: str = "recordskit") -> str:
    """A command as a person types it; ``program`` is how she runs recordskit (the command
    line says how it was itself started: ``.venv/bin/recordskit`` when that is not on PATH)."""
    return " ".join((program, *arguments))


def action_text(action: Action, program: str = "recordskit") -> str:
    """The next step in words, with the command that does it and the request's real id."""
    on = action.date.isoformat() if action.date else ""
    command = command_line(action.command, program)
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
    if action.kind == "close":  # the records, or an answer that no window is left to appeal
        return _("The agency has answered: when you are satisfied, {command}").format(
            command=command)
    return ""


def status_data(row: StatusRow, today: date, program: str = "recordskit") -> dict[str, Any]:
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
        "references": references_of(row.logged),
        "next": ({"date": upcoming.date.isoformat(), "event": upcoming.event}
                 if upcoming else None),
        "next_step": {"kind": action.kind,
                      "date": action.date.isoformat() if action.date else None,
                      "do": action_text(action, program)},
        "schedule": [{"date": d.date.isoformat(), "event": d.event,
                      "description": d.description, "citation": d.citation,
                      "basis": d.basis_text} for d in row.timeline.deadlines],
        "notes": [note.text for note in row.timeline.notes],
        "warnings": [warning.text for warning in row.timeline.warnings],
    }


REPLY_WORDS: dict[str, str] = {
    "acknowledgment": N_("They wrote that they received the request"),
    "extension": N_("They need more time"),
    "fee_estimate": N_("They asked for money"),
    "denied": N_("They refused to give the records"),
    "partial": N_("They sent some of the records"),
    "produced": N_("They sent all the records"),
    "no_records": N_("They say they have no such records"),
    "clarification_request": N_("They ask you to make the request clearer"),
    "referral": N_("They say another office has the records"),
    "closure_inactivity": N_("They closed the request for no recent activity"),
    "status_update": N_("They say the request is still being worked on"),
}
"""What each kind of an agency's reply means, as a family says it (a test checks that every
kind the reader finds has words)."""


DATE_ROLE_WORDS: dict[str, str] = {
    "received": N_("when they received the request"),
    "until": N_("the date they set for the records"),
    "due": N_("a date something is due"),
    "mentioned": N_("mentioned"),
}
"""What a date a reply gives is, as a family says it."""


def reply_kind_text(kind: str) -> str:
    """A kind of the agency's reply (``acknowledgment``, ``referral`` …) in the language in
    use, by its meaning."""
    return _(REPLY_WORDS[kind]) if kind in REPLY_WORDS else kind


def date_role_text(role: str) -> str:
    """What a date found in a reply is, in the language in use."""
    return _(DATE_ROLE_WORDS[role]) if role in DATE_ROLE_WORDS else role


def sent_words(marked: SentIntake) -> str:
    """What staff are told when a letter is marked sent: when it went after the day it is
    dated, that its deadlines count from that earlier day until the agency's receipt is
    logged (a day assumed is never shown as the law's)."""
    if not marked.late:
        return _("The letter is marked sent.")
    return _("The letter went on {sent} and is dated {dated}: its deadlines are counted from "
             "{dated}, so they come earlier than the law's. When the agency says the day it "
             "received the request, log it as received: the deadlines are then counted from "
             "that day.").format(
        sent=written_date(marked.sent_on), dated=written_date(marked.dated))
