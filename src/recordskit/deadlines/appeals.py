"""Appeals to the Supervisor of Records: the window to file one, and the grounds argued in it.

A ground is data (its kind, the response it rests on, the window it is argued in, the fee or
petition it is about); the appeal letter words it for the Supervisor with its citation from the
law table (``recordskit.documents.contexts.appeal``), and the companion page for the family.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from recordskit.deadlines.timeline import AppealWindow, Timeline
from recordskit.errors import FieldError, UserError
from recordskit.i18n import N_, _
from recordskit.law import LAW
from recordskit.logged import Appealed, Petition, Response
from recordskit.models import LoggedEvent
from recordskit.vocabulary import GroundKind, ResponseKind

APPEAL_WARNING_DAYS = 7
"""Not law: how close to the end of the appeal window recordskit starts warning."""



@dataclass(frozen=True)
class Ground:
    """One reason for an appeal, as data: its kind, the response it rests on (None: the
    silence, or a petition), the window it is argued in, and the amounts and dates its wording
    needs. ``recordskit.documents.contexts.appeal`` words it for the Supervisor, and
    ``recordskit.documents.contexts.companion`` for the family."""

    kind: GroundKind
    window: AppealWindow
    rests_on: LoggedEvent[Response] | None = None
    """The response the ground rests on (the window's own), or None for no response."""
    petition: LoggedEvent[Petition] | None = None
    """For ``late_petition``: the petition made after the limit."""
    fee: LoggedEvent[Response] | None = None
    """For a fee ground: the fee estimate, with its amount."""
    chosen: bool = False
    """Named by the requester, not found in the log."""

    @property
    def key(self) -> str:
        return self.kind.value

    @property
    def amount(self) -> str:
        """The fee asked for, in dollars as logged, or ""."""
        return self.fee.details.amount if self.fee is not None else ""


def appeal_grounds(timeline: Timeline, window: AppealWindow, chosen: Sequence[str] = (), *,
                   today: date | None = None) -> list[Ground]:
    """The grounds an appeal filed in ``window`` argues: those the log supports in every
    window still open ``today`` (oldest first, each resting on its own response), then those
    the person names (``chosen``), resting on ``window``'s response. A ground whose own window
    has closed is never argued."""
    found: list[Ground] = []
    if today is not None:
        for other in timeline.facts.windows:
            if other is not window and other.is_open(today) and (other.grounds
                                                                 or other.petition):
                found += _window_grounds(timeline, other, ())
    found += _window_grounds(timeline, window, chosen)
    return found


def _window_grounds(timeline: Timeline, window: AppealWindow, chosen: Sequence[str]
                    ) -> list[Ground]:
    """The grounds of one window: the log's, then the person's."""
    kinds: list[GroundKind] = list(window.grounds)
    for key in chosen:
        try:
            kind = GroundKind(key)
        except ValueError:
            raise FieldError(f"unknown ground {key!r}; expected one of: "
                             f"{', '.join(GroundKind)}", field="grounds") from None
        if kind not in kinds:
            kinds.append(kind)
    facts = timeline.facts
    fee = _fee_of(window, facts.responses)
    found = [Ground(kind, window, window.response, fee=fee, chosen=kind not in window.grounds)
             for kind in kinds]
    if window.petition is not None and GroundKind.LATE_PETITION not in kinds:
        found.append(Ground(GroundKind.LATE_PETITION, window, window.response,
                            petition=window.petition))
    elif window.petition is not None:
        found = [replace(g, petition=window.petition) if g.kind == GroundKind.LATE_PETITION
                 else g for g in found]
    return found


def _fee_of(window: AppealWindow, responses: Sequence[LoggedEvent[Response]]
            ) -> LoggedEvent[Response] | None:
    """The fee estimate a fee ground is about: the window's own, else the latest logged."""
    if window.response is not None and window.response.details.kind == ResponseKind.FEE_ESTIMATE:
        return window.response
    estimates = [r for r in responses if r.details.kind == ResponseKind.FEE_ESTIMATE]
    return estimates[-1] if estimates else None


def appeal_window(timeline: Timeline, today: date, response: int | None = None, *,
                  named: bool = False) -> AppealWindow:
    """The window an appeal is filed in: the named response's, or by default the most recent
    one still open that the log gives a ground for (with ``named``, a ground or an objection
    the person gives, any response's). Refuses a closed window, saying which are still open."""
    facts = timeline.facts
    if facts.student:
        raise UserError(_("recordskit writes appeals to the Supervisor of Records only for "
                          "public records requests; for a student record, follow up with the "
                          "principal and the BPS Office of Legal Advisor (see the request's "
                          "schedule)"))
    windows = list(facts.windows)
    every = list(facts.all_windows) or windows
    if response is not None:
        chosen = next((w for w in every if w.ref == str(response)), None)
        if chosen is None:
            used = next((a for a in facts.appeals if a.details.window == str(response)), None)
            if used is not None:
                raise FieldError(_already(timeline, used), field="response")
            raise FieldError(_("event {number} is not a response that can be appealed; "
                               "{listing}").format(number=response,
                                                   listing=_listing(windows, today)),
                             field="response")
        if not chosen.grounds and chosen.petition is None and not named:
            raise FieldError(_no_ground(chosen), field="objections")
    elif not facts.responses and not facts.overdue:
        raise UserError(_("nothing to appeal yet: no response has been logged and the "
                          "response is not due until {date}. If one came, log the response "
                          "first").format(date=facts.response_due))
    else:
        pool = windows or (every if named else [])
        if not pool:
            if facts.appeals:
                raise UserError(_already(timeline, facts.appeals[-1]))
            raise UserError(_("the log shows no ground for an appeal of {agency}'s "
                              "responses; if you believe a response breaks the law, say how "
                              "with --objection TEXT (or name a ground with --ground), and "
                              "the response with --response NUMBER").format(
                                  agency=every[-1].who if every else ""))
        open_now = [w for w in pool if w.is_open(today)]
        chosen = max(open_now, key=lambda w: w.closes) if open_now else pool[-1]
    if not chosen.is_open(today):
        rule, court = LAW["appeal_window"], LAW["superior_court"]
        court_text = _(SUPERIOR_COURT).format(citation=court.citation)
        raise UserError(_(
            "the appeal window closed on {date}: an appeal must be filed within {days} calendar "
            "days of {counted} ({citation}); {listing}. {court}; ask a lawyer about it.").format(
                date=chosen.closes, days=rule.days, counted=chosen.said(),
                citation=rule.citation, listing=_listing(windows, today), court=court_text))
    return chosen


def _already(timeline: Timeline, appealed: LoggedEvent[Appealed]) -> str:
    """The refusal of a second appeal of what was appealed: the Supervisor's decision date."""
    decides = timeline.date_of("appeal_decision_due")
    number = f" ({appealed.details.number})" if appealed.details.number else ""
    if decides is not None and timeline.facts.decided is None:
        return _("an appeal{number} was already logged on {date} for this; the Supervisor of "
                 "Records decides by {decides}. A second appeal would repeat it: wait for the "
                 "decision, then log it (recordskit log ID decided)").format(
                     number=number, date=appealed.on_date, decides=decides)
    return _("an appeal{number} was already logged on {date} for this; a second appeal would "
             "repeat it").format(number=number, date=appealed.on_date)


def _no_ground(window: AppealWindow) -> str:
    return _("the log shows no ground for an appeal of {counted}; if you believe it breaks the "
             "law, say how with --objection TEXT (or name a ground with --ground)").format(
                 counted=window.said())


SUPERIOR_COURT = N_("A requester may also bring an action in Superior Court; an appeal to the "
                    "Supervisor of Records is not required first ({citation})")
"""The law table's ``superior_court`` statement, as a sentence (a test keeps it the table's)."""


def _listing(windows: list[AppealWindow], today: date) -> str:
    open_now = [w for w in windows if w.is_open(today)]
    if not open_now:
        return _("no appeal window is open")
    return _("open: {windows}").format(windows="; ".join(
        (_("{counted} (until {date})") if w.response is None else
         _("{counted} (until {date}, event {number})")).format(
            counted=w.said(), date=w.closes, number=w.ref)
        for w in open_now))
