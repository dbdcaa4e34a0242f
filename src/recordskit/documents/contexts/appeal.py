"""The appeal packet: ``appeal.docx`` to the Supervisor of Records, ``appeal_cover.docx`` (the copy
to the records access officer) and ``appeal_checklist.txt``.

The letter and the checklist are built from one ``AppealPacket``, so the checklist lists exactly
what the letter says is attached, by the same deadline, to the same office.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from recordskit.deadlines.schedule import receipt_sentence
from recordskit.deadlines.timeline import AppealWindow, TimelineFacts, appeal_body
from recordskit.documents.contexts.letter import (
    agency_block,
    law_data,
    original_request_block,
    requester_block,
)
from recordskit.errors import FieldError
from recordskit.i18n import _, reads_the_letters
from recordskit.law import LAW, LAW_VERSION, free_hours, production_limit
from recordskit.logged import FollowedUp, Received, Response
from recordskit.models import Agency, Directory, LoggedEvent, Request, events_of
from recordskit.text import (
    capital,
    local_date,
    long_date,
    one_line,
    rule_statement,
    written_date,
)
from recordskit.tracking.log import LoggedRequest
from recordskit.tracking.service import timeline_of
from recordskit.vocabulary import GroundKind as GroundKey


@dataclass(frozen=True)
class KeptReply:
    """An agency's reply kept in the request's folder (``log ID reply``): where, its hash, and
    the name the packet encloses it under."""

    kept_as: str
    """Its path in the request's folder, such as ``replies/2026-12-09-1.eml``."""
    sha256: str
    enclosed_as: str
    """Its name in the appeal's folder, such as ``reply-2026-12-09-1.eml``."""


_KEPT = re.compile(r"replies/(\d{4}-\d{2}-\d{2}-\d{1,4}\.(?:eml|txt))")
"""The only shape of a kept reply's path: a file ``log ID reply`` writes in ``replies/``
(anything else, as an edited or imported log may hold, is never read)."""


def kept_replies(receipts: Sequence[LoggedEvent[Received]],
                 responses: Sequence[LoggedEvent[Response]]) -> tuple[KeptReply, ...]:
    """The distinct replies the logged receipt and responses were read from (one reply can be
    a receipt and a response at once), in the order logged."""
    found: dict[str, KeptReply] = {}
    events: list[LoggedEvent[Received | Response]] = [*receipts, *responses]
    for event in sorted(events, key=lambda e: e.seq):
        details = event.details
        named = _KEPT.fullmatch(details.reply) if details.reply else None
        if named and details.sha256 and details.sha256 not in found:
            found[details.sha256] = KeptReply(details.reply, details.sha256,
                                              f"reply-{named[1]}")
    return tuple(found.values())


def _enclosed(kept_as: str, kept: tuple[KeptReply, ...]) -> str:
    reply = next((r for r in kept if r.kept_as == kept_as), None)
    return (f" (the email as received, with its full headers: enclosed as {reply.enclosed_as})"
            if reply else "")


@dataclass(frozen=True)
class AppealPacket:
    """Everything an appeal says and carries, decided once for the letter and the checklist."""

    request: Request
    agency: Agency
    supervisor: Agency
    original: dict[str, Any]
    """The request as the letter describes it: template data, never read back."""
    responses: tuple[LoggedEvent[Response], ...]
    grounds: tuple[Ground, ...]
    objections: tuple[str, ...]
    earlier_appeal: str
    window: AppealWindow
    attachments: tuple[str, ...]
    written_on: date
    warnings: tuple[str, ...]
    request_id: str
    facts: TimelineFacts
    follow_ups: tuple[LoggedEvent[FollowedUp], ...] = ()
    receipts: tuple[LoggedEvent[Received], ...] = ()
    replies: tuple[KeptReply, ...] = ()
    """The agency's replies recordskit kept, which the packet encloses as they came."""

    @property
    def deadline(self) -> date:
        """The last day to file: the earliest closing of the windows its grounds rest on (a
        ground filed after its own window closed would be refused)."""
        return min([self.window.closes, *(g.window.closes for g in self.grounds)])


def prepare_appeal(logged: LoggedRequest, directory: Directory, today: date, *,
                   grounds: tuple[str, ...] = (), objections: tuple[str, ...] = (),
                   earlier_appeal: str = "", response: int | None = None) -> AppealPacket:
    """The appeal the log supports; refuses when the window has closed or nothing is argued.

    ``response`` names the logged response appealed (its event number); by default, the most
    recent one whose window is still open and that the log gives a ground for. Only the
    grounds of that window are argued, each saying which response it rests on.
    """
    agency = logged.request.addressed(directory.agency(logged.request.agency))
    timeline = timeline_of(logged, directory, today)
    window = appeal_window(timeline, today, response, named=bool(grounds or objections))
    found = appeal_grounds(timeline, window, grounds, today=today)
    deadline = min([window.closes, *(g.window.closes for g in found)])
    if not found and not objections:
        raise FieldError(_("the log shows no ground for an appeal; state your objection in "
                           "your own words with --objection TEXT, or name a ground "
                           "({grounds})").format(grounds=", ".join(GroundKey)),
                         field="objections")
    warnings = []
    left = (deadline - today).days
    if left <= APPEAL_WARNING_DAYS:
        warnings.append(
            _("Today is the last day: the appeal must reach the Supervisor of Records today, "
              "{date}. Send it by email now.").format(date=deadline) if left == 0 else
            _("Only 1 day is left: the appeal must reach the Supervisor of Records by {date}. "
              "Send it today.").format(date=deadline) if left == 1 else
            _("Only {days} days are left: the appeal must reach the Supervisor of Records by "
              "{date}. Send it today.").format(days=left, date=deadline))
    for follow_up in unanswered_follow_ups(timeline.facts):
        reply_by = follow_up.details.until
        if reply_by >= today:
            warnings.append(_(
                "Your follow-up of {date} asked {agency} to reply by {reply_by}, which has not "
                "passed. Appealing before then is allowed, but your letter said you would wait; "
                "unless the window closes soon ({deadline}), wait until that date.").format(
                    date=follow_up.on_date, agency=agency.short_name, reply_by=reply_by,
                    deadline=deadline))
    for earlier in timeline.facts.appeals:
        warnings.append(_(
            "An appeal was already logged on {date}{number}. This one argues only what rests "
            "on {counted}, and cites the earlier appeal: give its number with "
            "--earlier-appeal NUMBER if it is not in the letter.").format(
                date=earlier.on_date,
                number=f" ({earlier.details.number})" if earlier.details.number else "",
                counted=window.said()))
    if not earlier_appeal:
        earlier_appeal = next((a.details.number for a in reversed(timeline.facts.appeals)
                               if a.details.number), "")
    original = original_request_block(logged.request, agency, logged.active_events,
                                      timeline.facts.received)
    responses = timeline.facts.responses
    receipts = events_of(logged.active_events, Received)
    attachments = [f"My request of {long_date(logged.request.sent_on)}, complete, as sent"
                   + (" (the email with its full headers)" if logged.request.delivery == "email"
                      else "")]
    kept = kept_replies(receipts, responses)
    attachments += [f"{agency.short_name}'s acknowledgment of receipt"
                    + (f" ({r.details.tracking})" if r.details.tracking else "")
                    + f", dated {long_date(r.on_date)}" + _enclosed(r.details.reply, kept)
                    for r in receipts]
    attachments += [f"{agency.short_name}'s response of {long_date(r.on_date)} "
                    f"({_kind(r)}), complete" + _enclosed(r.details.reply, kept)
                    for r in responses]
    attachments += [f"My follow-up letter of {long_date(f.on_date)}, complete"
                    for f in timeline.facts.follow_ups]
    return AppealPacket(
        request=logged.request, agency=agency, supervisor=appeal_body(directory),
        original=original, responses=responses, grounds=tuple(found),
        objections=tuple(objections), earlier_appeal=earlier_appeal, window=window,
        attachments=tuple(attachments), written_on=today, warnings=tuple(warnings),
        request_id=logged.id, follow_ups=tuple(timeline.facts.follow_ups),
        receipts=tuple(receipts), facts=timeline.facts, replies=kept)


def argue(packet: AppealPacket, ground: Ground) -> tuple[str, str, str]:
    """A ground in the appeal's English: its title, its argument, and the citation that
    closes it. Every rule comes from the law table; where facts.md is silent, the letter only
    asks."""
    who, facts = packet.agency.short_name, packet.facts
    response = ground.rests_on
    on = long_date(response.on_date) if response is not None else ""
    kind = ground.kind
    if kind == GroundKey.NO_RESPONSE:
        rule, fee = LAW["response_time"], LAW["no_fee_if_late"]
        first = facts.responses[0].on_date if facts.responses else None
        assumed = "" if facts.received_logged else ", counted from that assumed day"
        receipt = receipt_sentence(packet.request, who, facts.received,
                                   logged=facts.received_logged)
        return ("No response within the time the law allows",
                f"{receipt} {capital(who)} had to respond within "
                f"{rule.days} business days of receipt, by {long_date(facts.response_due)}"
                f"{assumed} ({rule.citation}). "
                + ("It has not responded at all." if first is None else
                   f"Its first response came only on {long_date(first)}.")
                + " Because it did not respond in time, no fee may be charged for these "
                "records.", fee.citation)
    if kind == GroundKey.DENIAL_WITHOUT_EXEMPTION:
        rule, segregable = LAW["withholding_reasons"], LAW["segregable"]
        return ("Records withheld without a specific exemption",
                f"{who}'s response of {on} withheld records without identifying the specific "
                "exemption relied on and explaining how it applies to each record, as the law "
                f"requires ({rule.citation}). Any segregable, non-exempt portion must in any "
                "case be released.", segregable.citation)
    if kind == GroundKey.EXEMPTION_CONTESTED:
        presumption, segregable = LAW["presumption_public"], LAW["segregable"]
        return ("An exemption that does not justify the withholding",
                f"{who}'s response of {on} withheld records under an exemption. I contest that "
                "the exemption applies to the records I asked for. Records are presumed public, "
                f"and {who} bears the burden of showing with specificity that an exemption "
                f"applies and why each record should be withheld ({presumption.citation}). Even "
                "where an exemption applies, every segregable, non-exempt portion must be "
                "released.", segregable.citation)
    if kind == GroundKey.UNLAWFUL_FEE:
        fee = LAW["no_fee_if_late"]
        asked = _asked(ground, who)
        return ("A fee after a late response",
                f"{asked} Its first response came after the response date of "
                f"{long_date(facts.response_due)}, and no fee may be charged when the response "
                "was not made in time.", fee.citation)
    if kind == GroundKey.EXCESSIVE_FEE:
        copies, labor = LAW["copy_fee_paper"], LAW["labor_rate_cap"]
        electronic = LAW["copy_fee_electronic"]
        hours = free_hours(packet.agency.kind, packet.agency.population_over_20000)
        free = f" {capital(hours.statement)} ({hours.citation})." if hours else ""
        return ("A fee above what the law allows",
                f"{_asked(ground, who)} I object that it is more than the law allows. "
                f"{capital(copies.statement)} ({copies.citation}); {electronic.statement} "
                f"({electronic.citation}). {capital(labor.statement)} ({labor.citation}).{free} "
                "I ask you to strike the fee, or to reduce it to what these limits allow.", "")
    if kind == GroundKey.PRODUCTION_BEYOND_LIMIT and response is not None:
        limit = production_limit(packet.agency.kind)
        return ("A production date beyond the limit",
                f"In its response of {on}, {who} set "
                f"{long_date(response.details.until or facts.production_due_max)} for "
                f"production, later than {long_date(facts.production_due_max)}, {limit.days} "
                "business days after receipt, without an extension granted by the Supervisor "
                "of Records.", limit.citation)
    if kind == GroundKey.PRODUCTION_MISSED:
        rule, fee = LAW["without_delay"], LAW["no_fee_if_late"]
        set_on = (f"In its response of {on}, {who} set "
                  f"{long_date(response.details.until)} for producing the records"
                  if response is not None and response.details.until else
                  f"{who} set a date for producing the records")
        standing = facts.production_due
        ordered = (f"; the date that stands is {long_date(standing)}"
                   if standing and response is not None and standing != response.details.until
                   else "")
        late = (f" Because its first response came after the response date, no fee may be "
                f"charged ({fee.citation})." if facts.late_response else "")
        return ("A production date that passed without the records",
                f"{set_on}{ordered}. That date has passed, and I have not received the "
                f"records.{late} Records must be provided without unreasonable delay.",
                rule.citation)
    if kind == GroundKey.INCOMPLETE_PRODUCTION:
        reasons, held = LAW["withholding_reasons"], LAW["not_held"]
        what = f"{who}'s response of {on}" if response is not None else f"{who}'s response"
        return ("An incomplete production",
                f"{what} produced records, but not all the records I asked for. A response "
                "that withholds a record must identify it and give the specific exemption "
                f"({reasons.citation}), and one that does not hold a record must say so "
                "and name, if known, the body that may hold it.", held.citation)
    if kind == GroundKey.NO_RECORDS:
        held = LAW["not_held"]
        return ("A \"no records\" answer after an inadequate search",
                f"{who} answered on {on or 'its response'} that it has no records responsive "
                "to my request. I believe the search was not adequate to find them, and I ask "
                f"that {who} search again and say where and how it searched. A response that "
                "does not hold a record must say so and name, if known, the body that may "
                "hold it.", held.citation)
    if kind == GroundKey.NO_SEARCH_DESCRIBED:
        held = LAW["not_held"]
        return ("A \"no records\" answer that does not describe the search",
                f"{who} answered on {on or 'its response'} that it has no records responsive "
                "to my request, without saying where or how it searched. I ask that it "
                "describe the search it made. A response that does not hold a record must "
                "say so and name, if known, the body that may hold it.", held.citation)
    if kind == GroundKey.CLOSED_INACTIVE:
        reasons, delay = LAW["withholding_reasons"], LAW["without_delay"]
        return ("A request closed without an answer",
                f"{who} closed my request on {on or 'a date it did not give'}, citing no recent "
                "activity. I did not withdraw the request, and I still want the records. The "
                "closure neither produced them nor identified any record withheld with the "
                f"specific exemption relied on ({reasons.citation}). Records must be provided "
                "without unreasonable delay.", delay.citation)
    if kind == GroundKey.LATE_PETITION:
        rule = LAW["extension_petition"]
        petition = ground.petition or facts.late_petition
        when = long_date(petition.on_date) if petition is not None else "a later date"
        last = long_date(facts.petition_limit) if facts.petition_limit else ""
        return ("A petition for more time made after the limit",
                f"{who} petitioned the Supervisor of Records for more time on {when}, after "
                f"{last}, the last day to do so: {rule.days} business days after receipt.",
                rule.citation)
    # A ground named for a window it cannot rest on (a production limit with no extension).
    return (_TITLES.get(kind, kind.value.replace("_", " ")),
            f"I object to {who}'s response{f' of {on}' if on else ''} on this ground.", "")


_TITLES = {GroundKey.PRODUCTION_BEYOND_LIMIT: "A production date beyond the limit"}


def _asked(ground: Ground, who: str) -> str:
    """The fee sentence: the amount and the day it was asked for, as logged."""
    fee = ground.fee
    if fee is None:
        return f"{capital(who)} asked for a fee."
    amount = f" of ${fee.details.amount}" if fee.details.amount else ""
    return f"On {long_date(fee.on_date)}, {who} asked for a fee{amount}."


def relief(packet: AppealPacket) -> str:
    """What the appeal asks the Supervisor to order, from its grounds."""
    who = packet.agency.short_name
    kinds = {g.kind for g in packet.grounds}
    segregable, reasons = LAW["segregable"], LAW["withholding_reasons"]
    no_fee = bool(kinds & {GroundKey.NO_RESPONSE, GroundKey.UNLAWFUL_FEE})
    fee = ""
    if no_fee:
        fee = ", without charge"
    # A ground that already argued segregability is not repeated here, only asked for.
    argued = kinds & {GroundKey.DENIAL_WITHOUT_EXEMPTION, GroundKey.EXEMPTION_CONTESTED}
    release = ("releasing every segregable portion" if argued else
               f"releasing every segregable portion ({segregable.citation})")
    explain = ("identifying any exemption it claims, and why it applies, for each record it "
               "withholds" + ("" if GroundKey.DENIAL_WITHOUT_EXEMPTION in kinds
                              else f" ({reasons.citation})"))
    parts = [f"I ask you to find that {who} has not complied with the Public Records Law, and "
             f"to order it to produce the requested records promptly{fee}, {release} and "
             f"{explain}."]
    if no_fee:
        parts.append("I ask you to strike any fee it has asked for.")
    elif GroundKey.EXCESSIVE_FEE in kinds:
        amount = next((g.amount for g in packet.grounds if g.amount), "")
        parts.append(f"I ask you to strike the fee{f' of ${amount}' if amount else ''}, or to "
                     "reduce it to what the law allows.")
    if kinds & {GroundKey.NO_RECORDS, GroundKey.NO_SEARCH_DESCRIBED}:
        parts.append(f"I ask you to order {who} to search again and to describe its search.")
    return " ".join(parts)


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
        "grounds": [_worded(packet, i, g) for i, g in enumerate(packet.grounds, start=1)],
        "grounds_heading": ("My objections and their grounds." if packet.grounds else
                            "My objections."),
        "objections": list(packet.objections),
        "objections_intro": ("I also object specifically to the following:" if packet.grounds
                             else "I object specifically to the following:"),
        "relief": relief(packet),
        "earlier_appeal": packet.earlier_appeal,
        "no_fee": any(g.key in ("no_response", "unlawful_fee") for g in packet.grounds),
        "window": {"deadline": long_date(packet.deadline), "counted": _counted_all(packet)},
        "attachments": list(packet.attachments),
        "law": law_data(),
        "requester": requester_block(packet.request),
        "law_version": LAW_VERSION,
    }


def argued_windows(packet: AppealPacket) -> list[AppealWindow]:
    """Every window a ground of the packet is argued in, oldest first."""
    windows: list[AppealWindow] = []
    for ground in packet.grounds:
        if ground.window not in windows:
            windows.append(ground.window)
    if packet.window not in windows:
        windows.append(packet.window)
    return windows


def _counted_all(packet: AppealPacket) -> str:
    """What the appeal is filed within 90 days of: each response it argues."""
    counted = [w.counted for w in argued_windows(packet)]
    return counted[0] if len(counted) == 1 else (
        ", ".join(counted[:-1]) + " and " + counted[-1])


def _worded(packet: AppealPacket, number: int, ground: Ground) -> dict[str, Any]:
    title, argument, citation = argue(packet, ground)
    if len(argued_windows(packet)) > 1 and ground.window.response is not None:
        argument = (f"{argument.rstrip('.')}"
                    + (f" ({citation})" if citation else "")
                    + f". This ground rests on {ground.window.counted}.")
        citation = ""
    return {"number": number, "title": title, "citation": "",
            "argument": f"{argument.rstrip('.')} ({citation})." if citation else argument}


def appeal_checklist(packet: AppealPacket) -> str:
    """The list of what must go with the appeal, for the person to tick off, in their language
    (the attachments named as the appeal names them, in English, when that is the language)."""
    contents, headers = LAW["appeal_contents"], LAW["email_headers"]
    officer = packet.supervisor.records_officer
    # Where the person reads the appeal's language, the attachments are named as the appeal
    # names them, so that she ticks off the very lines of the letter (which name each receipt
    # too); elsewhere as her page names them, in her words.
    english = reads_the_letters()
    lines = [
        _("Appeal checklist: request to {agency} of {date}").format(
            agency=_(packet.agency.name),
            date=written_date(packet.request.sent_on)),
        "",
        _("What an appeal needs ({citation}): {rule}.").format(
            citation=contents.citation, rule=rule_statement(contents.key)),
        "",
        _("[ ] appeal.docx: read it, add anything it misses, and sign it (it is dated {date}; "
          "change the date if you send it another day).").format(
              date=written_date(packet.written_on)),
    ]
    attachments = packet.attachments if english else _attachments(packet)
    lines += [_("[ ] Attach: {item}.").format(item=item) for item in attachments]
    lines += [_("[ ] Attach {file} (in this folder): the agency's email as it came, with its "
                "full headers.").format(file=reply.enclosed_as) for reply in packet.replies]
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
             officer=_(officer.title), date=written_date(packet.deadline),
             email=officer.email, address=f"{officer.office}, "
                                          f"{one_line(officer.mailing_address)}"),
        _("[ ] Keep a copy of everything you send, and log it: {command}").format(
            command=f"recordskit log {packet.request_id} appealed"
                    + (f" --response {packet.window.ref}"
                       if len(argued_windows(packet)) == 1 else "") + " --on DATE"),
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
