"""``recordskit reply read FILE`` and ``recordskit log ID reply FILE``: when the agency answers.

``reply read`` reports what a reply says, each finding with the reply's own words, and which
logged request it may answer. ``log ID reply`` shows the events the reply calls for in the
person's language, asks about each (or takes them all with ``--yes``), keeps the reply in the
request's folder and logs what was confirmed. Nothing is logged that was not confirmed.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import click

from recordskit.cli import app
from recordskit.cli.app import LANG_HELP, choice, cli, invoked_as, say, speak, workspace_for
from recordskit.service import N_, ReplyKind, _, iso_day

if TYPE_CHECKING:
    from recordskit.service import (
        Asker,
        LoggedReply,
        ProposedEvent,
        Reply,
        ReplyProposal,
        ReplyReading,
        StatedReceipt,
        Workspace,
    )

NO_TERMINAL = N_("answering needs a terminal; nothing was logged. Run it in a terminal, or add "
                 "--yes to log what the reply says without asking")



def kind_words(kind: str) -> str:
    from recordskit.service import reply_kind_text

    return str(reply_kind_text(kind))


def _load(file: str) -> Reply:
    """The reply in FILE, or on standard input for ``-`` (bounded as a file is)."""
    from pathlib import Path

    from recordskit.service import load_reply, load_reply_stream

    if file == "-":
        return load_reply_stream(sys.stdin.buffer)
    return load_reply(Path(file))


def _quoted(words: str) -> str:
    text = " ".join(words.split())
    return "    " + _("the reply says: “{words}”").format(
        words=text if len(text) <= 300 else text[:299] + "…")


def _time(moment: time | None) -> str:
    return f"{moment:%H:%M}" if moment is not None else ""


@cli.group("reply")
def reply_group() -> None:
    """Read an agency's reply: what it says, with its own words; log it with `log ID reply`.

    \b
    Examples:
      recordskit reply read reply.eml
      recordskit reply read - --json < reply.txt
      recordskit log 3f9a2c81 reply reply.eml
    """


@reply_group.command("read")
@click.argument("file")
@click.option("--json", "as_json", is_flag=True, help="Print what was found as JSON.")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def reply_read(ctx: click.Context, file: str, as_json: bool, lang: str | None) -> None:
    """What an agency's reply says (FILE: a saved email or text, - for standard input), each
    finding with the words it rests on, and the logged request it may answer. Logs nothing.

    \b
    Examples:
      recordskit reply read reply.eml
      recordskit reply read - --json < reply.txt
    """
    from recordskit.service import find_reply_request

    speak(lang)
    reply = _load(file)
    reading = reply.reading
    workspace = workspace_for(ctx)
    matches = find_reply_request(workspace, reading) if workspace.log.exists() else []
    if as_json:
        data = reading.to_json()
        data["sha256"] = reply.sha256
        data["requests"] = [match.to_json() for match in matches]
        say(json.dumps(data, indent=2, ensure_ascii=False))
        return
    _say_reading(reading)
    if matches:
        say(_("It may answer:"))
        for match in matches[:5]:
            how = {"reference": _("the reference number {number} is logged on it"),
                   "subject": _("its subject names the request {number}"),
                   "agency": _("it comes from its agency ({number})")}[match.how]
            say("  " + _("request {id} to {agency}, sent {date}: {how}").format(
                id=match.request_id, agency=match.agency, date=match.sent_on,
                how=how.format(number=match.matched)))
        say(_("To log it: {command}").format(
            command=f"{invoked_as()} log {matches[0].request_id} reply {file}"))
    else:
        say(_("To log it: {command}").format(command=f"{invoked_as()} log ID reply {file}"))


def _say_reading(reading: ReplyReading) -> None:
    """What the reader found, each finding with the reply's words."""
    from recordskit.service import current_language, date_role_text, local_date

    if reading.kind is not None:
        say(_("What it is: {what}.").format(what=kind_words(reading.kind.value)))
        best = reading.candidates[0] if reading.candidates else None
        for words in best.evidence[:2] if best else ():
            say(_quoted(words))
    else:
        say(_("recordskit is not sure what this reply is. It could be, most likely first:"))
        for number, candidate in enumerate(reading.candidates[:4], 1):
            say(f"  {number}. " + kind_words(candidate.kind.value))
            for words in candidate.evidence[:1]:
                say("  " + _quoted(words))
    if reading.received is not None:
        stated = reading.received
        say(_("They state when they received the request: {date}{time}.").format(
            date=local_date(stated.on),
            time=" " + _time(stated.at) if stated.at else ""))
        say(_quoted(stated.evidence))
        if stated.at is not None:
            say("    " + _("That time is the one the agency's own system stated."))
    for reference in reading.references:
        say(_("Reference number: {number}").format(number=reference.number))
        say(_quoted(reference.evidence))
    for found in reading.dates:
        if found.role == "received":
            continue
        say(_("Date: {date} ({role})").format(date=local_date(found.on),
                                              role=date_role_text(found.role)))
        say(_quoted(found.evidence))
    for exemption in reading.exemptions:
        say(_("Exemption cited: ({clause})").format(clause=exemption.clause))
        say(_quoted(exemption.evidence))
    for amount in reading.amounts:
        say(_("Amount: ${amount}").format(amount=amount.dollars))
        say(_quoted(amount.evidence))
    if reading.no_exemption_cited:
        say(_("It keeps records back and names no exemption."))
    if reading.sender is not None:
        sender = reading.sender
        say(_("From: {sender}").format(sender=" ".join(
            part for part in (sender.display_name,
                              f"<{sender.address}>" if sender.address else "") if part)))
    # Left as a fork: the reader's notes (a message it could not read whole, a PDF attached)
    # are English text made by the replies subpackage, not catalog messages; a family reading
    # another language is not shown them rather than shown English.
    if current_language() == "en":
        for note in reading.notes:
            say(_("Note: {note}").format(note=note))


# --- log ID reply FILE ---------------------------------------------------------------------


def log_from_reply(ctx: click.Context, request_id: str, file: str, kind: str | None,
                   on: datetime | None, yes: bool, by: str | None, lang: str | None) -> None:
    """The body of ``log ID reply FILE`` (registered in ``cli.tracking``)."""
    from recordskit.service import (
        UserError,
        find_reply_request,
        find_request,
        log_reply,
        propose_reply_events,
    )

    workspace = workspace_for(ctx)
    speak(lang)
    logged = find_request(workspace, request_id)
    speak(lang, logged.request.language)
    reply = _load(file)
    reading = reply.reading
    day = on.date() if on else None
    proposal = propose_reply_events(workspace, logged.id, reply, kind=kind, on=day)
    if proposal.already is not None:
        raise UserError(_("this reply was already logged, as event {number}; nothing was "
                          "logged").format(number=proposal.already))
    say(_("Read {source}.").format(source=reading.source))
    for match in find_reply_request(workspace, reading):
        if match.how == "reference" and match.request_id != logged.id:
            say(_("Warning: the reply's reference number {number} is logged on request {id}, "
                  "not on this one.").format(number=match.matched, id=match.request_id),
                bold=True)
    asker: Asker | None = None
    if not proposal.sure:
        names = ", ".join(c.value for c in proposal.candidates) or ", ".join(
            k.value for k in ReplyKind)
        command = f"{invoked_as()} log {logged.id} reply {file} --kind KIND"
        if yes:
            raise UserError(_("recordskit is not sure what this reply is (it could be: "
                              "{candidates}); nothing was logged. Choose with --kind, such as: "
                              "{command}").format(candidates=names, command=command))
        _say_reading(reading)
        asker = app.terminal_asker(NO_TERMINAL)
        chosen = _ask_kind(asker, proposal)
        if not chosen:
            say(_("Nothing was logged, and the reply was not kept."))
            return
        proposal = propose_reply_events(workspace, logged.id, reply, kind=chosen, on=day)
    else:
        say(_("What it is: {what}.").format(what=kind_words(proposal.kind.value)
                                            if proposal.kind else ""))
    if not proposal.events:
        say(_("Nothing in this reply changes the schedule, so nothing was logged and the reply "
              "was not kept. Log what it asks of you when it happens."))
        return
    events = list(proposal.events)
    if proposal.needs_date:
        if yes:
            raise UserError(_("the reply does not say when it was sent; nothing was logged. "
                              "Give the day it came with --on, such as: {command}").format(
                command=f"{invoked_as()} log {logged.id} reply {file} --on YYYY-MM-DD"))
        asker = asker or app.terminal_asker(NO_TERMINAL)
        came = _ask_date(asker, _("The reply does not say when it was sent. On what day did it "
                                  "come?"), workspace.today)
        events = [e.changed(came) if e.event.value == "response" else e for e in events]
    if proposal.needs_until:
        if yes:
            raise UserError(_("the reply sets no date for the records; nothing was logged. Log "
                              "the extension with the date it gives: {command}").format(
                command=f"{invoked_as()} log {logged.id} response --kind extension --until "
                        "DATE --on DATE"))
        asker = asker or app.terminal_asker(NO_TERMINAL)
        until = _ask_date(asker, _("The reply sets no date for the records. By what day are "
                                   "they to come?"), workspace.today)
        events = [e.until(until) for e in events]
    confirmed: list[ProposedEvent] = []
    for proposed in events:
        _say_event(proposed, proposal)
        if yes:
            confirmed.append(proposed)
            continue
        asker = asker or app.terminal_asker(NO_TERMINAL)
        confirmed += _ask_event(asker, proposed)
    if not confirmed:
        say(_("Nothing was logged, and the reply was not kept."))
        return
    done = log_reply(workspace, logged.id, reply, confirmed, by=by)
    say(_("Kept the reply as {path} (SHA-256 {sha256}).").format(path=done.kept,
                                                                sha256=done.sha256))
    _say_logged(workspace, done)


def _ask_kind(asker: Asker, proposal: ReplyProposal) -> str:
    from recordskit.service import Option

    ranked = list(dict.fromkeys([*proposal.candidates, *ReplyKind]))
    options = [Option(kind_words(kind.value), kind.value) for kind in ranked]
    options.append(Option(_("None of these: log nothing"), ""))
    return asker.select(_("recordskit is not sure what this reply is. What does it say?"),
                        options, default=ranked[0].value if ranked else None)


def _ask_date(asker: Asker, message: str, default: date) -> date:
    def valid(text: str) -> bool | str:
        return iso_day(text) is not None or _("write the date YYYY-MM-DD, such as 2027-01-22")

    answer = asker.text(message, default=default.isoformat(), validate=valid)
    day = iso_day(answer)
    if day is None:  # the validator refused it already
        raise click.BadParameter(_("write the date YYYY-MM-DD, such as 2027-01-22"))
    return day


def _ask_event(asker: Asker, proposed: ProposedEvent) -> list[ProposedEvent]:
    from recordskit.service import Option, Response

    details = proposed.details
    options = [Option(_("Yes, log it"), "yes"), Option(_("Yes, on another date"), "date")]
    if isinstance(details, Response) and details.until is not None:
        options.append(Option(_("Yes, with another date for the records"), "until"))
    if isinstance(details, Response) and details.kind == "fee_estimate":
        options.append(Option(_("Yes, with another amount"), "amount"))
    options.append(Option(_("No, do not log it"), "no"))
    answer = asker.select(_("Log this?"), options, default="yes")
    if answer == "no":
        return []
    if answer == "date":
        return [proposed.changed(_ask_date(asker, _("On what day?"), proposed.on))]
    if answer == "until" and isinstance(details, Response) and details.until is not None:
        return [proposed.until(_ask_date(asker, _("By what day are the records to come?"),
                                         details.until))]
    if answer == "amount":
        return [proposed.amount(asker.text(
            _("What amount do they ask for, in dollars?"), default=(
                details.amount if isinstance(details, Response) else ""),
            validate=lambda text: bool(re.fullmatch(r"\$?\s*\d[\d,]*(\.\d{1,2})?", text.strip()))
            or _("write the amount in dollars, such as 200.00")))]
    return [proposed]


def _say_event(proposed: ProposedEvent, proposal: ReplyProposal) -> None:
    """One proposed event in the person's language, with the reply's words it rests on."""
    from recordskit.service import Received, local_date

    details = proposed.details
    if isinstance(details, Received):
        say(_("To log: the agency received your request on {date}.").format(
            date=local_date(proposed.on)))
        if details.tracking:
            say("    " + _("Reference number: {number}").format(number=details.tracking))
        if proposal.receipt is not None and proposed.on == proposal.receipt.on:
            _say_receipt(proposal.receipt)
    else:
        what = kind_words("closure_inactivity" if details.kind == "closed_inactive"
                          else details.kind.value)
        say(_("To log: their answer of {date}: {what}.").format(date=local_date(proposed.on),
                                                               what=what))
        if details.until is not None:
            say("    " + _("The records are to come by {date}.").format(
                date=local_date(details.until)))
        if details.amount:
            say("    " + _("Amount asked: ${amount}").format(amount=details.amount))
        if details.no_exemption:
            say("    " + _("It keeps records back and names no exemption."))
        if details.tracking:
            say("    " + _("Reference number: {number}").format(number=details.tracking))
    for words in proposed.evidence:
        say(_quoted(words))


def _say_receipt(receipt: StatedReceipt) -> None:
    from recordskit.service import closed_day_words, local_date

    if receipt.at is not None:
        say("    " + _("The agency's own system stated the time it received your request: "
                       "{time} on {date}.").format(time=_time(receipt.at),
                                                   date=local_date(receipt.on)))
    if receipt.closed and receipt.assumed:
        say("    " + _("recordskit counts that day ({reason}) as a day the office is closed, "
                       "which is an assumption: it may have been open. So the schedule counts "
                       "from {date}; if the office was open, every date is one business day "
                       "earlier.").format(reason=closed_day_words(receipt.closed),
                                          date=local_date(receipt.counts_from)))
    elif receipt.closed:
        say("    " + _("The office was closed that day ({reason}). A request that arrives on "
                       "a Saturday, Sunday, legal holiday or a day the office is closed is "
                       "treated as received on the next business day, so the schedule counts "
                       "from {date} ({citation}).").format(
            reason=closed_day_words(receipt.closed), date=local_date(receipt.counts_from),
            citation=receipt.citation))
    elif receipt.after_hours:
        say("    " + _("That time is outside usual office hours. recordskit logs the day the "
                       "agency stated and does not move it."))


def _say_logged(workspace: Workspace, done: LoggedReply) -> None:
    from recordskit.service import (
        action_text,
        deadline_in_words,
        logged_event_text,
        state_text,
    )

    view = done.view
    for event in done.events:
        say(_("Logged {event} on {date} as event {number}.").format(
            event=logged_event_text(event), date=event.on_date, number=event.seq))
    if view.timeline is None or view.agency is None:
        return
    timeline = view.timeline
    say(_("State: {state}.").format(state=state_text(timeline.state)))
    if upcoming := timeline.next_deadline(workspace.today):
        title, description = deadline_in_words(upcoming, view.agency.short_name)
        say(_("Next: {date} {title}. {description}").format(
            date=upcoming.date, title=title, description=description))
    if view.action is not None and (to_do := action_text(view.action, invoked_as())):
        say(_("What to do: {todo}").format(todo=to_do))


def kind_choice() -> click.Choice[str]:
    """``--kind``: a kind of reply."""
    return choice(kind.value for kind in ReplyKind)


__all__ = ["kind_choice", "log_from_reply", "reply_group"]
