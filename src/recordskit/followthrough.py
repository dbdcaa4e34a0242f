"""Carrying a request to its end: logging what happened, follow-up letters, appeal packets.

The library behind ``recordskit status``, ``show``, ``log``, ``undo``, ``followup``, ``appeal``
and ``calendar``. Every date comes from ``recordskit.timeline``; every rule from the law table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from recordskit.business_days import get_calendar
from recordskit.errors import UserError
from recordskit.law import LAW, LAW_VERSION, free_hours, production_limit
from recordskit.letter import agency_block, delivery_line, law_data, long_date, requester_block
from recordskit.models import Agency, Directory
from recordskit.render import Stamp
from recordskit.timeline import Timeline, build_timeline, check_event, event_title
from recordskit.tracker import LoggedEvent, LoggedRequest, RequestLog

APPEAL_WARNING_DAYS = 7
"""Not law: how close to the end of the appeal window recordskit starts warning."""

REPLY_BUSINESS_DAYS = 5
"""Not law: the courtesy time a follow-up letter gives before the requester considers appealing."""

GROUNDS = ("no_response", "denial_without_exemption", "unlawful_fee", "excessive_fee",
           "production_beyond_limit")


def appeal_body(directory: Directory) -> Agency:
    return next(a for a in directory.agencies if a.role == "appeals")


def timeline_for(logged: LoggedRequest, directory: Directory, today: date) -> Timeline:
    agency = directory.agency(logged.request.agency)
    supervisor = appeal_body(directory)
    return build_timeline(
        logged.request, logged.active_events, agency,
        get_calendar(agency.calendar, directory.closures_for(agency.calendar)),
        get_calendar(supervisor.calendar, directory.closures_for(supervisor.calendar)),
        today,
    )


def log_event(log: RequestLog, request_id: str, event: str, on: date, details: dict[str, Any],
              directory: Directory, today: date
              ) -> tuple[LoggedEvent, Timeline, LoggedRequest]:
    """Check and record an event; return it, the recomputed timeline, and the request."""
    logged = log.get(request_id)
    clean = {key: value for key, value in details.items() if value not in (None, "", False)}
    check_event(logged.request, logged.active_events, event, on, clean, today)
    recorded = log.record_event(logged.id, event, on, clean)
    updated = log.get(logged.id)
    return recorded, timeline_for(updated, directory, today), updated


def undo_event(log: RequestLog, request_id: str, seq: int, today: date) -> LoggedEvent:
    """Undo a mistaken event: a new ``undo`` event names it; both stay in the log."""
    logged = log.get(request_id)
    target = next((e for e in logged.events if e.seq == seq), None)
    if target is None or target.event == "undo":
        numbers = ", ".join(str(e.seq) for e in logged.active_events) or "none"
        raise UserError(f"request {logged.id} has no event {seq} to undo; its events: {numbers}")
    if target not in logged.active_events:
        raise UserError(f"event {seq} ({target.event}) was already undone")
    return log.record_event(logged.id, "undo", today, {"undoes": seq, "event": target.event})


@dataclass(frozen=True)
class Ground:
    """One reason for an appeal, argued briefly, with its citation."""

    key: str
    title: str
    argument: str
    citation: str


def appeal_grounds(logged: LoggedRequest, timeline: Timeline, agency: Agency,
                   chosen: tuple[str, ...] = ()) -> list[Ground]:
    """The grounds the log supports, plus those the person names (``chosen``)."""
    who = agency.short_name
    facts = timeline.facts
    responses: list[LoggedEvent] = facts["responses"]
    due, received = facts["response_due"], facts["received"]
    grounds: list[Ground] = []
    keys = set(chosen)
    if not responses and facts["overdue"]:
        keys.add("no_response")
    if any(r.details.get("kind") in ("denied", "partial") and r.details.get("no_exemption")
           for r in responses):
        keys.add("denial_without_exemption")
    fee_estimates = [r for r in responses if r.details.get("kind") == "fee_estimate"]
    if fee_estimates and facts["late_response"]:
        keys.add("unlawful_fee")
    extensions = [r for r in responses if r.details.get("kind") == "extension"]
    limit = production_limit(agency.kind)
    late_extensions = [r for r in extensions
                       if date.fromisoformat(r.details["until"]) > facts["production_due_max"]]
    if late_extensions and not any(e.event == "petition_granted"
                                   for e in logged.active_events):
        keys.add("production_beyond_limit")
    for key in keys - set(GROUNDS):
        raise UserError(f"unknown ground {key!r}; expected one of: {', '.join(GROUNDS)}")

    if "no_response" in keys:
        rule, fee = LAW["response_time"], LAW["no_fee_if_late"]
        grounds.append(Ground(
            "no_response", "No response within the time the law allows",
            f"{_capital(who)} received the request on {long_date(received)} and had to respond "
            f"within {rule.days} business days, by {long_date(due)}. "
            + ("It has not responded at all." if not responses else
               f"Its first response came only on {long_date(responses[0].on_date)}.")
            + f" Because it did not respond in time, {fee.statement} ({fee.citation}).",
            rule.citation))
    if "denial_without_exemption" in keys:
        rule, segregable = LAW["withholding_reasons"], LAW["segregable"]
        dates = ", ".join(long_date(r.on_date) for r in responses
                          if r.details.get("no_exemption"))
        grounds.append(Ground(
            "denial_without_exemption", "Records withheld without a specific exemption",
            f"The response of {dates} withheld records without identifying the specific "
            "exemption relied on and explaining how it applies to each record, as the law "
            f"requires ({rule.citation}). Any segregable, non-exempt portion must in any case "
            f"be released ({segregable.citation}).", ""))
    if "unlawful_fee" in keys:
        fee = LAW["no_fee_if_late"]
        first = fee_estimates[0]
        amount = f" of ${first.details['amount']}" if first.details.get("amount") else ""
        grounds.append(Ground(
            "unlawful_fee", "A fee after a late response",
            f"{_capital(who)} asked for a fee{amount} on {long_date(first.on_date)}, but its "
            f"first response came after the response date of {long_date(due)}, and "
            f"{fee.statement}.", fee.citation))
    if "excessive_fee" in keys:
        copies, labor = LAW["copy_fee_paper"], LAW["labor_rate_cap"]
        electronic = LAW["copy_fee_electronic"]
        hours = free_hours(agency.kind, agency.population_over_20000)
        free = f" {_capital(hours.statement)} ({hours.citation})." if hours else ""
        grounds.append(Ground(
            "excessive_fee", "A fee above what the law allows",
            f"The fee {who} asked for exceeds the limits of the law. {_capital(copies.statement)}"
            f"; {electronic.statement} ({electronic.citation}). {_capital(labor.statement)} "
            f"({labor.citation}).{free}", ""))
    if "production_beyond_limit" in keys:
        latest = late_extensions[-1] if late_extensions else extensions[-1]
        grounds.append(Ground(
            "production_beyond_limit", "A production date beyond the limit",
            f"In its response of {long_date(latest.on_date)}, {who} set "
            f"{long_date(date.fromisoformat(latest.details['until']))} for production, later "
            f"than {long_date(facts['production_due_max'])}, {limit.days} business days after "
            "receipt, without an extension granted by the Supervisor of Records.",
            limit.citation))
    return grounds


def appeal_window(timeline: Timeline, today: date) -> tuple[date, str]:
    """The last day to appeal and what it counts from; refuses when there is nothing to appeal."""
    facts = timeline.facts
    responses: list[LoggedEvent] = facts["responses"]
    if facts.get("student"):
        raise UserError("appeals to the Supervisor of Records are for public records requests; "
                        "for a student record, follow up with the principal and the BPS Office "
                        "of Legal Advisor (see the request's schedule)")
    if facts["appeals"]:
        raise UserError(f"an appeal was already logged on {facts['appeals'][-1].on_date}; "
                        "recordskit makes one appeal packet per request")
    if responses:
        deadline = timeline.date_of("appeal_deadline")
        counted = f"the response of {long_date(responses[-1].on_date)}"
    elif facts["overdue"]:
        deadline = timeline.date_of("appeal_deadline_no_response")
        counted = "the request, since there was no response"
    else:
        raise UserError(f"nothing to appeal yet: no response has been logged and the response "
                        f"is not due until {facts['response_due']}. If one came, log it first: "
                        "recordskit log ID response --kind KIND --on DATE")
    if deadline is None:  # cannot happen: the timeline always has the window it was asked for
        raise UserError("the appeal deadline could not be computed")
    if today > deadline:
        window, court = LAW["appeal_window"], LAW["superior_court"]
        raise UserError(
            f"the appeal window closed on {deadline}: an appeal must be filed within "
            f"{window.days} calendar days of {counted} ({window.citation}). "
            f"{_capital(court.statement)} ({court.citation}); ask a lawyer about it.")
    return deadline, counted


def letter_stamp(title: str, template_name: str) -> Stamp:
    from recordskit.generate import recordskit_version

    return Stamp(title=title, subject="Massachusetts Public Records Law",
                 law_version=LAW_VERSION, template_name=template_name,
                 recordskit_version=recordskit_version())


def _original(logged: LoggedRequest, agency: Agency, timeline: Timeline) -> dict[str, Any]:
    request = logged.request
    receipts = [e for e in logged.active_events if e.event == "received"]
    titles = [agency.record(r).title for r in request.records]
    if request.other_records:
        titles.append("other records described in my own words")
    return {
        "sent": long_date(request.sent_on),
        "received": long_date(timeline.facts["received"]),
        "received_confirmed": bool(receipts),
        "tracking": str(receipts[-1].details.get("tracking", "")) if receipts else "",
        "subjects": _join(titles),
        "delivery": request.delivery,
    }


def followup_context(logged: LoggedRequest, directory: Directory, today: date
                     ) -> dict[str, Any]:
    """What ``follow_up.docx`` says; refuses when there is nothing to follow up yet."""
    agency = directory.agency(logged.request.agency)
    timeline = timeline_for(logged, directory, today)
    facts = timeline.facts
    if facts.get("student"):
        raise UserError("follow_up.docx is for public records requests; for a student record, "
                        "write to the principal again, with a copy to the BPS Office of Legal "
                        "Advisor")
    production_due = timeline.date_of("production_due")
    produced = any(r.details.get("kind") in ("produced", "no_records")
                   for r in facts["responses"])
    if facts["overdue"]:
        situation = "no_response"
    elif production_due and today > production_due and not produced:
        situation = "production_missed"
    elif timeline.state in ("closed", "withdrawn"):
        raise UserError(f"the request is {timeline.state}; there is nothing to follow up")
    else:
        raise UserError(f"nothing to follow up yet: the request is {timeline.state}, and the "
                        f"next deadline is {_next_text(timeline, agency, today)}")
    calendar = get_calendar(agency.calendar, directory.closures_for(agency.calendar))
    appeal_deadline = timeline.date_of("appeal_deadline") or timeline.date_of(
        "appeal_deadline_no_response")
    return {
        "letter_date": long_date(today),
        "agency": agency_block(agency),
        "delivery_line": delivery_line(logged.request, agency),
        "original": _original(logged, agency, timeline),
        "situation": situation,
        "late_response": facts["late_response"] or situation == "no_response",
        "dates": {
            "response_due": long_date(facts["response_due"]),
            "production_due": long_date(production_due) if production_due else "",
            "reply_by": long_date(calendar.add_business_days(today, REPLY_BUSINESS_DAYS)),
            "appeal_deadline": long_date(appeal_deadline) if appeal_deadline else "",
        },
        "law": law_data(),
        "requester": requester_block(logged.request),
        "law_version": LAW_VERSION,
    }


def appeal_context(logged: LoggedRequest, directory: Directory, today: date, *,
                   grounds: tuple[str, ...] = (), objections: tuple[str, ...] = (),
                   earlier_appeal: str = "") -> tuple[dict[str, Any], list[str]]:
    """What the appeal packet says, and the warnings to show the person."""
    agency = directory.agency(logged.request.agency)
    supervisor = appeal_body(directory)
    timeline = timeline_for(logged, directory, today)
    deadline, counted = appeal_window(timeline, today)
    found = appeal_grounds(logged, timeline, agency, grounds)
    if not found and not objections:
        raise UserError("the log shows no ground for an appeal; name one with --ground "
                        f"({', '.join(GROUNDS)}) or state your objection with --objection TEXT")
    warnings = []
    if (deadline - today).days <= APPEAL_WARNING_DAYS:
        warnings.append(f"Only {(deadline - today).days} days are left: the appeal must reach "
                        f"the Supervisor of Records by {deadline}. Send it today.")
    responses = [{"date": long_date(r.on_date), "kind": str(r.details.get("kind", "")).replace(
        "_", " ")} for r in timeline.facts["responses"]]
    original = _original(logged, agency, timeline)
    attachments = [f"My request of {original['sent']}, complete, as sent"
                   + (" (the email with its full headers)" if logged.request.delivery == "email"
                      else "")]
    attachments += [f"{agency.short_name}'s response of {r['date']} ({r['kind']}), complete"
                    for r in responses]
    supervisor_context = agency_block(supervisor)
    context = {
        "letter_date": long_date(today),
        "supervisor": supervisor_context,
        "supervisor_delivery": (f"By email to {supervisor.records_officer.email}"
                                if supervisor.records_officer.email else "By mail"),
        "agency": agency_block(agency),
        "original": original,
        "responses": responses,
        "grounds": [{"number": i, "title": g.title, "argument": g.argument,
                     "citation": g.citation} for i, g in enumerate(found, start=1)],
        "objections": list(objections),
        "earlier_appeal": earlier_appeal,
        "no_fee": any(g.key in ("no_response", "unlawful_fee") for g in found),
        "window": {"deadline": long_date(deadline), "counted": counted},
        "attachments": attachments,
        "law": law_data(),
        "requester": requester_block(logged.request),
        "law_version": LAW_VERSION,
    }
    return context, warnings


def appeal_checklist(context: dict[str, Any]) -> str:
    """The list of what must go with the appeal, for the person to tick off."""
    law = context["law"]
    supervisor = context["supervisor"]
    lines = [
        f"Appeal checklist: request to {context['agency']['name']} of "
        f"{context['original']['sent']}",
        "",
        f"What an appeal needs ({law['appeal_contents']['citation']}): "
        f"{law['appeal_contents']['statement']}.",
        "",
        "[ ] appeal.docx: read it, add anything it misses, sign and date it.",
    ]
    lines += [f"[ ] Attach: {item}." for item in context["attachments"]]
    lines += [
        f"[ ] For every email among them, include "
        f"{law['email_headers']['statement'].removeprefix('for email, the copies must include ')}"
        f" ({law['email_headers']['citation']}). In most mail programs: 'Show original' or "
        "'View source', then print or save that.",
        f"[ ] Send appeal_cover.docx with a copy of the appeal and attachments to "
        f"{context['agency']['short_name']}'s records access officer, the same day.",
        "[ ] If this relates to an earlier appeal, its number is in the letter"
        + (f" ({context['earlier_appeal']})." if context["earlier_appeal"] else
           ": run again with --earlier-appeal NUMBER if there is one."),
        f"[ ] Send it to the {supervisor['officer_title']} by {context['window']['deadline']} "
        f"(the last day; sooner is safer): "
        + (f"by email to {supervisor['email']}, or " if supervisor["email"] else "")
        + f"by mail to {supervisor['office']}, {supervisor['address'].replace(chr(10), ', ')}.",
        "[ ] Keep a copy of everything you send, and log it: recordskit log ID appealed --on DATE",
        "",
    ]
    return "\n".join(lines)


def _next_text(timeline: Timeline, agency: Agency, today: date) -> str:
    upcoming = timeline.next_deadline(today)
    if upcoming is None:
        return "none"
    return f"{event_title(upcoming.event, agency).lower()} on {upcoming.date}"


def _join(items: list[str]) -> str:
    items = [i[:1].lower() + i[1:] if not i[:2].isupper() else i for i in items]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def output_files(folder: Path, files: dict[str, bytes], force: bool, *, pdf: bool = False
                 ) -> list[Path]:
    """Write the files; with ``pdf``, then PDFs of the DOCX ones (a missing LibreOffice says so)."""
    from recordskit.sendkit import write_with_pdfs

    documents = tuple(name for name in files if name.endswith(".docx")) if pdf else ()
    pdfs = write_with_pdfs(folder, files, force=force, pdf_of=documents)
    return [folder / name for name in [*files, *pdfs]]
