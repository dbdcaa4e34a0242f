"""Appeals to the Supervisor of Records: the window to file one, and the grounds the log supports.

Each ground is argued in a sentence or two from the logged facts and cited through the law table;
the appeal letter and its checklist are built from these (``recordskit.documents.appeal``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from recordskit.deadlines.schedule import receipt_sentence
from recordskit.deadlines.timeline import AppealWindow, Timeline
from recordskit.errors import FieldError, UserError
from recordskit.i18n import N_, _, current_language
from recordskit.law import LAW, free_hours, production_limit
from recordskit.logged import PetitionGranted
from recordskit.models import Agency, LoggedEvent, Request, events_of
from recordskit.text import capital, long_date
from recordskit.vocabulary import GroundKind as GroundKey
from recordskit.vocabulary import ResponseKind

APPEAL_WARNING_DAYS = 7
"""Not law: how close to the end of the appeal window recordskit starts warning."""



@dataclass(frozen=True)
class Ground:
    """One reason for an appeal, argued briefly, with its citation."""

    key: str
    title: str
    argument: str
    citation: str


def appeal_grounds(request: Request, events: Sequence[LoggedEvent], timeline: Timeline,
                   agency: Agency, chosen: tuple[str, ...] = ()) -> list[Ground]:
    """The grounds the log supports, plus those the person names (``chosen``)."""
    who = agency.short_name
    facts = timeline.facts
    responses = facts.responses
    due, received = facts.response_due, facts.received
    grounds: list[Ground] = []
    keys = set(chosen)
    if not responses and facts.overdue:
        keys.add("no_response")
    if any(r.details.kind in (ResponseKind.DENIED, ResponseKind.PARTIAL)
           and r.details.no_exemption for r in responses):
        keys.add("denial_without_exemption")
    fee_estimates = [r for r in responses if r.details.kind == ResponseKind.FEE_ESTIMATE]
    if fee_estimates and facts.late_response:
        keys.add("unlawful_fee")
    extensions = [r for r in responses if r.details.kind == ResponseKind.EXTENSION]
    limit = production_limit(agency.kind)
    late_extensions = [r for r in extensions
                       if r.details.until and r.details.until > facts.production_due_max]
    if late_extensions and not events_of(events, PetitionGranted):
        keys.add("production_beyond_limit")
    for key in keys - set(GroundKey):
        raise FieldError(f"unknown ground {key!r}; expected one of: "
                         f"{', '.join(GroundKey)}", field="grounds")

    if "no_response" in keys:
        rule, fee = LAW["response_time"], LAW["no_fee_if_late"]
        grounds.append(Ground(
            "no_response", "No response within the time the law allows",
            f"{receipt_sentence(request, who, received, logged=facts.received_logged)} "
            f"{capital(who)} had to respond within {rule.days} business days of receipt, by "
            f"{long_date(due)} ({rule.citation}). "
            + ("It has not responded at all." if not responses else
               f"Its first response came only on {long_date(responses[0].on_date)}.")
            + f" Because it did not respond in time, no fee may be charged for these records "
            f"({fee.citation}).",
            ""))
    if "denial_without_exemption" in keys:
        rule, segregable = LAW["withholding_reasons"], LAW["segregable"]
        dates = ", ".join(long_date(r.on_date) for r in responses if r.details.no_exemption)
        grounds.append(Ground(
            "denial_without_exemption", "Records withheld without a specific exemption",
            f"The response of {dates} withheld records without identifying the specific "
            "exemption relied on and explaining how it applies to each record, as the law "
            f"requires ({rule.citation}). Any segregable, non-exempt portion must in any case "
            f"be released ({segregable.citation}).", ""))
    if "unlawful_fee" in keys:
        fee = LAW["no_fee_if_late"]
        first = fee_estimates[0]
        amount = f" of ${first.details.amount}" if first.details.amount else ""
        grounds.append(Ground(
            "unlawful_fee", "A fee after a late response",
            f"{capital(who)} asked for a fee{amount} on {long_date(first.on_date)}, but its "
            f"first response came after the response date of {long_date(due)}, and no fee may be "
            "charged when the response was not made in time.", fee.citation))
    if "excessive_fee" in keys:
        copies, labor = LAW["copy_fee_paper"], LAW["labor_rate_cap"]
        electronic = LAW["copy_fee_electronic"]
        hours = free_hours(agency.kind, agency.population_over_20000)
        free = f" {capital(hours.statement)} ({hours.citation})." if hours else ""
        grounds.append(Ground(
            "excessive_fee", "A fee above what the law allows",
            f"The fee {who} asked for exceeds the limits of the law. {capital(copies.statement)}"
            f"; {electronic.statement} ({electronic.citation}). {capital(labor.statement)} "
            f"({labor.citation}).{free}", ""))
    if "production_beyond_limit" in keys:
        latest = late_extensions[-1] if late_extensions else extensions[-1]
        grounds.append(Ground(
            "production_beyond_limit", "A production date beyond the limit",
            f"In its response of {long_date(latest.on_date)}, {who} set "
            f"{long_date(latest.details.until or facts.production_due_max)} for production, "
            "later "
            f"than {long_date(facts.production_due_max)}, {limit.days} business days after "
            "receipt, without an extension granted by the Supervisor of Records.",
            limit.citation))
    return grounds


def appeal_window(timeline: Timeline, today: date, response: int | None = None
                  ) -> AppealWindow:
    """The window an appeal is filed in: the named response's, or by default the most recent
    one still open. Refuses a closed window, saying which are still open."""
    facts = timeline.facts
    if facts.student:
        raise UserError(_("appeals to the Supervisor of Records are for public records "
                          "requests; for a student record, follow up with the principal and the "
                          "BPS Office of Legal Advisor (see the request's schedule)"))
    windows = list(facts.windows)
    if not windows:
        if facts.appeals:
            raise UserError(_("an appeal was already logged on {date} for every response that "
                              "can be appealed").format(date=facts.appeals[-1].on_date))
        raise UserError(_("no logged response can be appealed: a denial, a partial response, "
                          "a fee estimate or an extension past the limit opens a window; log "
                          "the response first"))
    if response is not None:
        chosen = next((w for w in windows if w.ref == str(response)), None)
        if chosen is None:
            raise FieldError(_("event {number} is not a response that can be appealed; "
                               "{listing}").format(number=response,
                                                   listing=_listing(windows, today)),
                             field="response")
    elif not facts.responses and not facts.overdue:
        raise UserError(_("nothing to appeal yet: no response has been logged and the "
                          "response is not due until {date}. If one came, log the response "
                          "first").format(date=facts.response_due))
    else:
        open_now = [w for w in windows if w.is_open(today)]
        chosen = max(open_now, key=lambda w: w.closes) if open_now else windows[-1]
    if not chosen.is_open(today):
        rule, court = LAW["appeal_window"], LAW["superior_court"]
        court_text = (f"{capital(court.statement)} ({court.citation})"
                      if current_language() == "en" else
                      _(SUPERIOR_COURT).format(citation=court.citation))
        raise UserError(_(
            "the appeal window closed on {date}: an appeal must be filed within {days} calendar "
            "days of {counted} ({citation}); {listing}. {court}; ask a lawyer about it.").format(
                date=chosen.closes, days=rule.days, counted=_counted(chosen),
                citation=rule.citation, listing=_listing(windows, today), court=court_text))
    return chosen


SUPERIOR_COURT = N_("You may also bring an action in Superior Court; an appeal to the Supervisor "
                    "of Records is not required first ({citation})")
"""The law table's ``superior_court`` in the family's words (in English, its own statement)."""


def _counted(window: AppealWindow) -> str:
    """What a window counts from: as the appeal says it, or in the family's words."""
    return window.counted if current_language() == "en" else window.in_family_words()


def _listing(windows: list[AppealWindow], today: date) -> str:
    open_now = [w for w in windows if w.is_open(today)]
    if not open_now:
        return _("no appeal window is open")
    return _("open: {windows}").format(windows="; ".join(
        (_("{counted} (until {date})") if w.response is None else
         _("{counted} (until {date}, event {number})")).format(
            counted=_counted(w), date=w.closes, number=w.ref)
        for w in open_now))
