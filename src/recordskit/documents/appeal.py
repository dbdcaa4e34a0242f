"""The appeal packet: ``appeal.docx`` to the Supervisor of Records, ``appeal_cover.docx`` (the copy
to the records access officer) and ``appeal_checklist.txt``.

The letter and the checklist are built from one ``AppealPacket``, so the checklist lists exactly
what the letter says is attached, by the same deadline, to the same office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from recordskit.deadlines.appeals import (
    APPEAL_WARNING_DAYS,
    Ground,
    appeal_grounds,
    appeal_window,
)
from recordskit.deadlines.followups import unanswered_follow_ups
from recordskit.deadlines.timeline import AppealWindow, appeal_body
from recordskit.documents.letter import (
    agency_block,
    law_data,
    original_request_block,
    requester_block,
)
from recordskit.errors import FieldError
from recordskit.i18n import _, current_language
from recordskit.law import LAW, LAW_VERSION
from recordskit.logged import FollowedUp, Response
from recordskit.models import Agency, Directory, LoggedEvent, Request
from recordskit.text import capital, local_date, long_date, one_line, rule_statement
from recordskit.tracking.log import LoggedRequest
from recordskit.tracking.service import timeline_of
from recordskit.vocabulary import GroundKind as GroundKey


@dataclass(frozen=True)
class AppealPacket:
    """Everything an appeal says and carries, decided once for the letter and the checklist."""

    request: Request
    agency: Agency
    supervisor: Agency
    original: dict[str, Any]
    responses: tuple[LoggedEvent[Response], ...]
    grounds: tuple[Ground, ...]
    objections: tuple[str, ...]
    earlier_appeal: str
    window: AppealWindow
    attachments: tuple[str, ...]
    written_on: date
    warnings: tuple[str, ...]
    request_id: str
    follow_ups: tuple[LoggedEvent[FollowedUp], ...] = ()

    @property
    def deadline(self) -> date:
        return self.window.closes


def prepare_appeal(logged: LoggedRequest, directory: Directory, today: date, *,
                   grounds: tuple[str, ...] = (), objections: tuple[str, ...] = (),
                   earlier_appeal: str = "", response: int | None = None) -> AppealPacket:
    """The appeal the log supports; refuses when the window has closed or nothing is argued.

    ``response`` names the logged response appealed (its event number); by default, the most
    recent one whose window is still open.
    """
    agency = logged.request.addressed(directory.agency(logged.request.agency))
    timeline = timeline_of(logged, directory, today)
    window = appeal_window(timeline, today, response)
    deadline = window.closes
    found = appeal_grounds(logged.request, logged.active_events, timeline, agency, grounds)
    if not found and not objections:
        raise FieldError(_("the log shows no ground for an appeal; name a ground ({grounds}) "
                           "or state your objection in your own words").format(
                               grounds=", ".join(GroundKey)), field="grounds")
    warnings = []
    if (deadline - today).days <= APPEAL_WARNING_DAYS:
        warnings.append(_("Only {days} days are left: the appeal must reach the Supervisor of "
                          "Records by {date}. Send it today.").format(
                              days=(deadline - today).days, date=deadline))
    for follow_up in unanswered_follow_ups(timeline.facts):
        reply_by = follow_up.details.until
        if reply_by >= today:
            warnings.append(_(
                "Your follow-up of {date} asked {agency} to reply by {reply_by}, which has not "
                "passed. Appealing before then is allowed, but your letter said you would wait; "
                "unless the window closes soon ({deadline}), wait until that date.").format(
                    date=follow_up.on_date, agency=agency.short_name, reply_by=reply_by,
                    deadline=deadline))
    original = original_request_block(logged.request, agency, logged.active_events,
                                      timeline.facts.received)
    responses = timeline.facts.responses
    attachments = [f"My request of {original['sent']}, complete, as sent"
                   + (" (the email with its full headers)" if logged.request.delivery == "email"
                      else "")]
    attachments += [f"{agency.short_name}'s response of {long_date(r.on_date)} "
                    f"({_kind(r)}), complete" for r in responses]
    attachments += [f"My follow-up letter of {long_date(f.on_date)}, complete"
                    for f in timeline.facts.follow_ups]
    return AppealPacket(
        request=logged.request, agency=agency, supervisor=appeal_body(directory),
        original=original, responses=responses, grounds=tuple(found),
        objections=tuple(objections), earlier_appeal=earlier_appeal, window=window,
        attachments=tuple(attachments), written_on=today, warnings=tuple(warnings),
        request_id=logged.id, follow_ups=tuple(timeline.facts.follow_ups))


def appeal_context(packet: AppealPacket) -> dict[str, Any]:
    """What ``appeal.docx`` and ``appeal_cover.docx`` say."""
    supervisor = packet.supervisor
    return {
        "letter_date": long_date(packet.written_on),
        "supervisor": agency_block(supervisor),
        "supervisor_delivery": (f"By email to {supervisor.records_officer.email}"
                                if supervisor.records_officer.email else "By mail"),
        "agency": agency_block(packet.agency),
        "original": packet.original,
        "responses": [{"date": long_date(r.on_date), "kind": _kind(r)}
                      for r in packet.responses],
        # The citation closes the argument's last sentence, inside its full stop.
        "grounds": [{"number": i, "title": g.title, "citation": "",
                     "argument": (f"{g.argument.rstrip('.')} ({g.citation})." if g.citation
                                  else g.argument)}
                    for i, g in enumerate(packet.grounds, start=1)],
        "objections": list(packet.objections),
        "earlier_appeal": packet.earlier_appeal,
        "no_fee": any(g.key in ("no_response", "unlawful_fee") for g in packet.grounds),
        "window": {"deadline": long_date(packet.deadline), "counted": packet.window.counted},
        "attachments": list(packet.attachments),
        "law": law_data(),
        "requester": requester_block(packet.request),
        "law_version": LAW_VERSION,
    }


def appeal_checklist(packet: AppealPacket) -> str:
    """The list of what must go with the appeal, for the person to tick off, in their language
    (the attachments named as the appeal names them, in English, when that is the language)."""
    contents, headers = LAW["appeal_contents"], LAW["email_headers"]
    officer = packet.supervisor.records_officer
    english = current_language() == "en"
    when = long_date if english else local_date
    lines = [
        _("Appeal checklist: request to {agency} of {date}").format(
            agency=packet.agency.name if english else _(packet.agency.name),
            date=when(packet.request.sent_on)),
        "",
        _("What an appeal needs ({citation}): {rule}.").format(
            citation=contents.citation, rule=rule_statement(contents.key)),
        "",
        _("[ ] appeal.docx: read it, add anything it misses, sign and date it."),
    ]
    attachments = packet.attachments if english else _attachments(packet)
    lines += [_("[ ] Attach: {item}.").format(item=item) for item in attachments]
    lines += [
        _("[ ] {rule} ({citation}). In most mail programs: 'Show original' or 'View source', "
          "then print or save that.").format(
              rule=capital(rule_statement(headers.key)), citation=headers.citation),
        _("[ ] Send appeal_cover.docx with a copy of the appeal and attachments to {agency}'s "
          "records access officer, the same day.").format(agency=packet.agency.short_name),
        (_("[ ] If this relates to an earlier appeal, its number is in the letter ({number}).")
         .format(number=packet.earlier_appeal) if packet.earlier_appeal else
         _("[ ] If this relates to an earlier appeal, its number is in the letter: run again "
           "with --earlier-appeal NUMBER if there is one.")),
        (_("[ ] Send it to the {officer} by {date} (the last day; sooner is safer): by email to "
           "{email}, or by mail to {address}.") if officer.email else
         _("[ ] Send it to the {officer} by {date} (the last day; sooner is safer): by mail to "
           "{address}.")).format(
             officer=officer.title if english else _(officer.title), date=when(packet.deadline),
             email=officer.email, address=f"{officer.office}, "
                                          f"{one_line(officer.mailing_address)}"),
        _("[ ] Keep a copy of everything you send, and log it: {command}").format(
            command=f"recordskit log {packet.request_id} appealed --response "
                    f"{packet.window.ref} --on DATE"),
        "",
    ]
    return "\n".join(lines)


def _attachments(packet: AppealPacket) -> list[str]:
    """The attachments in the family's language (the appeal itself lists them in English)."""
    items = [(_("My request of {date}, complete, as sent (the email with its full headers)")
              if packet.request.delivery == "email" else
              _("My request of {date}, complete, as sent")).format(
                  date=local_date(packet.request.sent_on))]
    items += [_("{agency}'s response of {date}, complete").format(
        agency=packet.agency.short_name, date=local_date(r.on_date)) for r in packet.responses]
    items += [_("My follow-up letter of {date}, complete").format(date=local_date(f.on_date))
              for f in packet.follow_ups]
    return items


def _kind(response: LoggedEvent[Response]) -> str:
    return response.details.kind.replace("_", " ")
