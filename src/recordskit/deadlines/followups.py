"""What calls for a follow-up letter, and what to do next on a request, from its timeline.

A follow-up is called for when the body missed the response date, withheld records without a
specific exemption, asked for a fee after the response date, set a production date past the
limit, or let its own production date pass (unless it has since denied the request outright,
which is appealed instead); for a student record, when the school has not given access in time.
``next_step`` names the one thing to do now, for every state of a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from recordskit.deadlines.timeline import Timeline, TimelineFacts
from recordskit.logged import FollowedUp, Response
from recordskit.models import LoggedEvent
from recordskit.vocabulary import FINAL_STATES, ResponseKind

_RECORDS_CAME = (ResponseKind.PRODUCED,)

Situation = Literal["no_response", "extension_beyond_limit", "late_fee", "no_exemption",
                    "production_missed", "order_not_followed", "student_no_access"]
StepKind = Literal["none", "wait_response", "follow_up", "wait_reply", "appeal",
                   "wait_decision", "wait_production", "close"]


@dataclass(frozen=True)
class FollowUpSituation:
    """Why a follow-up is called for, and the response it answers (None: no response)."""

    kind: Situation
    response: LoggedEvent[Response] | None = None


@dataclass(frozen=True)
class NextStep:
    """The one thing to do now: what, from or until when, and which appeal window."""

    kind: StepKind
    date: date | None = None
    window: str = ""
    situation: FollowUpSituation | None = None


def followup_situation(timeline: Timeline, today: date) -> FollowUpSituation | None:
    """The most pressing reason for a follow-up today, or None when nothing calls for one."""
    facts = timeline.facts
    if timeline.state in FINAL_STATES:
        return None
    if facts.student:
        return FollowUpSituation("student_no_access") if facts.overdue else None
    if facts.overdue:
        return FollowUpSituation("no_response")
    if facts.decided is not None:
        # After the Supervisor's order, only the order's date counts.
        compliance = facts.decided.details.until
        came = any(r.on_date >= facts.decided.on_date and r.details.kind in _RECORDS_CAME
                   for r in facts.responses)
        if compliance is not None and today > compliance and not came:
            return FollowUpSituation("order_not_followed")
        return None
    denied_on: date | None = None
    for response in reversed(facts.responses):
        kind, until = response.details.kind, response.details.until
        if (kind == ResponseKind.EXTENSION and until and not facts.extension_granted
                and until > facts.production_due_max):
            return FollowUpSituation("extension_beyond_limit", response)
        if kind == ResponseKind.FEE_ESTIMATE and facts.late_response:
            return FollowUpSituation("late_fee", response)
        if kind in (ResponseKind.DENIED, ResponseKind.PARTIAL) and response.details.no_exemption:
            return FollowUpSituation("no_exemption", response)
        if kind == ResponseKind.DENIED:
            # The body's last word: what it said before (an extension, a fee, a production
            # date) is moot, and no records will come. The denial is appealed, not followed up.
            denied_on = response.on_date
            break
    # A production date counts unless records, or a denial, came after it was set.
    extension = next((r for r in reversed(facts.responses)
                      if r.details.kind == ResponseKind.EXTENSION), None)
    promised = denied_on is None or (extension is not None and extension.on_date > denied_on)
    if facts.production_missed and promised:
        return FollowUpSituation("production_missed", extension)
    return None


def unanswered_follow_ups(facts: TimelineFacts) -> list[LoggedEvent[FollowedUp]]:
    """The follow-ups that gave a reply-by date and have had no response since. A response
    logged after a follow-up's day answers it: the family then acts on that response, not on
    the date its letter gave. (One of the same day is more likely what the follow-up was
    written about.)"""
    answered_on = facts.responses[-1].on_date if facts.responses else None
    return [f for f in facts.follow_ups
            if answered_on is None or answered_on <= f.on_date]


def next_step(timeline: Timeline, today: date) -> NextStep:
    """What to do now on a request, whatever its state."""
    facts = timeline.facts
    if timeline.state in FINAL_STATES:
        return NextStep("none")
    if facts.decided is not None:
        return _after_decision(timeline, today)
    if facts.appeals:
        later = [w for w in facts.windows if w.is_open(today)
                 and w.response is not None and w.response.on_date > facts.appeals[-1].on_date]
        if not later:
            return NextStep("wait_decision", timeline.date_of("appeal_decision_due"))
    if facts.responses and facts.responses[-1].details.kind in _RECORDS_CAME:
        return NextStep("close")
    waiting = [f.details.until for f in unanswered_follow_ups(facts)]
    pending_reply = max(waiting) if waiting and max(waiting) >= today else None
    open_windows = [w for w in facts.windows if w.is_open(today)]
    situation = followup_situation(timeline, today)
    latest_follow_up = facts.follow_ups[-1].on_date if facts.follow_ups else None
    answered = situation is not None and latest_follow_up is not None and (
        situation.response is None or latest_follow_up >= situation.response.on_date)
    if pending_reply is not None:
        return NextStep("wait_reply", pending_reply)
    if situation is not None and not answered:
        return NextStep("follow_up", today, situation=situation)
    if open_windows and not facts.student and (facts.overdue or facts.responses):
        window = max(open_windows, key=lambda w: w.closes)
        return NextStep("appeal", window.closes, window.ref)
    if facts.responses and facts.responses[-1].details.kind in (
            ResponseKind.NO_RECORDS, ResponseKind.PARTIAL, ResponseKind.CLOSED_INACTIVE):
        return NextStep("close")
    if situation is not None:  # followed up, no reply, and no appeal window: write again
        return NextStep("follow_up", today, situation=situation)
    production_due = timeline.date_of("production_due")
    if production_due and production_due >= today:
        return NextStep("wait_production", production_due)
    if not facts.responses:
        return NextStep("wait_response", facts.response_due)
    return NextStep("none")


def _after_decision(timeline: Timeline, today: date) -> NextStep:
    """After the Supervisor's decision: wait for the date the order gives the body, then, if
    nothing came, write to the body (and tell the Supervisor, who may refer the matter to the
    Attorney General)."""
    facts = timeline.facts
    decided = facts.decided
    if decided is None:
        return NextStep("none")
    came = any(r.on_date >= decided.on_date and r.details.kind in _RECORDS_CAME
               for r in facts.responses)
    if came:
        return NextStep("close")
    compliance = decided.details.until
    if compliance is None:
        return NextStep("none")
    if compliance >= today:
        return NextStep("wait_production", compliance)
    situation = followup_situation(timeline, today)
    waiting = [f.details.until for f in unanswered_follow_ups(facts)
               if f.on_date >= decided.on_date]
    if waiting and max(waiting) >= today:
        return NextStep("wait_reply", max(waiting))
    return NextStep("follow_up", today, situation=situation)
