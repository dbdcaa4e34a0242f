"""What reading an agency's reply found: frozen, typed, and each finding with its own words.

Every finding carries ``evidence``: the sentence of the reply it rests on, so a person (or a
log entry) can check it against the email. Dates are reported as the reply states them, never
moved or counted: deadlines are the schedule's business, not the reader's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from recordskit.vocabulary import ReplyKind

if TYPE_CHECKING:  # an annotation only: decimal is a millisecond of every command's start-up
    from decimal import Decimal

__all__ = [
    "Attachment",
    "CitedExemption",
    "KindCandidate",
    "MoneyAmount",
    "Reference",
    "ReplyKind",
    "ReplyReading",
    "Sender",
    "StatedDate",
]


@dataclass(frozen=True)
class KindCandidate:
    """One kind the reply could be, its score (the weight of its signals), and their words."""

    kind: ReplyKind
    score: float
    evidence: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "score": round(self.score, 2),
                "evidence": list(self.evidence)}


@dataclass(frozen=True)
class Reference:
    """A reference number the reply gives a request.

    ``system`` says which numbering it follows: ``city`` (the City's system, R004372-120323),
    ``police`` (the same system's police letter, B003626-112923), ``police_legacy`` (17-140) or
    ``supervisor`` (an appeal number of the Supervisor of Records, SPR17-001). ``dated`` is
    the date the City's numbers carry in their last six digits (MMDDYY), as written.
    """

    number: str
    system: str
    evidence: str
    dated: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number, "system": self.system,
                "dated": self.dated.isoformat() if self.dated else None,
                "evidence": self.evidence}


@dataclass(frozen=True)
class StatedDate:
    """A date (and time, when given) the reply states, with what it is for.

    ``role`` is ``received`` (when the agency says it received the request), ``until`` (the
    date an extension runs to), ``due`` (a date something is to be done by) or ``mentioned``
    (any other date, such as the letter's own date or a period of records).
    """

    on: date
    at: time | None
    role: str
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"date": self.on.isoformat(), "time": self.at.isoformat() if self.at else None,
                "weekday": self.on.strftime("%A"), "role": self.role,
                "evidence": self.evidence}


@dataclass(frozen=True)
class MoneyAmount:
    """A sum of money the reply names."""

    dollars: Decimal
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"dollars": str(self.dollars), "evidence": self.evidence}


@dataclass(frozen=True)
class CitedExemption:
    """An exemption of the exemptions statute (``law.EXEMPTIONS``) the reply cites, by clause
    letter.

    ``key`` is the exemption's key in ``recordskit.law.EXEMPTIONS`` when recordskit describes
    that clause, else None (the clause is still reported).
    """

    clause: str
    key: str | None
    evidence: str

    def to_json(self) -> dict[str, Any]:
        return {"clause": self.clause, "key": self.key, "evidence": self.evidence}


@dataclass(frozen=True)
class Sender:
    """Who the reply says it is from: its address and display name, either may be empty."""

    address: str
    display_name: str

    def to_json(self) -> dict[str, Any]:
        return {"address": self.address, "display_name": self.display_name}


@dataclass(frozen=True)
class Attachment:
    """A file attached to the reply, as declared; it is measured, never opened."""

    filename: str
    content_type: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"filename": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class ReplyReading:
    """Everything read from one reply.

    ``kind`` is set only when the reader is sure; otherwise it is None, and ``candidates``
    (always given, best first) say what the reply could be. ``received`` is the receipt date
    and time the agency states; ``dates`` holds every date found, each with its role.
    """

    source: str
    kind: ReplyKind | None
    candidates: tuple[KindCandidate, ...]
    references: tuple[Reference, ...]
    received: StatedDate | None
    dates: tuple[StatedDate, ...]
    exemptions: tuple[CitedExemption, ...]
    amounts: tuple[MoneyAmount, ...]
    sender: Sender | None
    subject: str
    sent: datetime | None
    attachments: tuple[Attachment, ...]
    echo_removed: bool
    notes: tuple[str, ...]

    @property
    def sure(self) -> bool:
        return self.kind is not None

    @property
    def best_guess(self) -> ReplyKind | None:
        """The highest-ranked candidate, sure or not."""
        return self.candidates[0].kind if self.candidates else None

    @property
    def no_exemption_cited(self) -> bool:
        """The reply withholds records and names no exemption (the log's ``--no-exemption``)."""
        return self.kind is not None and self.kind.withholds and not self.exemptions

    @property
    def due_dates(self) -> tuple[StatedDate, ...]:
        """The dates the reply sets: extension dates and dates things are due by."""
        return tuple(found for found in self.dates if found.role in ("due", "until"))

    def to_json(self) -> dict[str, Any]:
        """Plain data (str, int, float, bool, None, lists, dicts) for ``json.dumps``."""
        return {
            "source": self.source,
            "kind": self.kind.value if self.kind else None,
            "sure": self.sure,
            "best_guess": self.best_guess.value if self.best_guess else None,
            "response_kind": self.kind.response_kind if self.kind else None,
            "no_exemption_cited": self.no_exemption_cited,
            "candidates": [candidate.to_json() for candidate in self.candidates],
            "references": [reference.to_json() for reference in self.references],
            "received": self.received.to_json() if self.received else None,
            "dates": [found.to_json() for found in self.dates],
            "exemptions": [exemption.to_json() for exemption in self.exemptions],
            "amounts": [amount.to_json() for amount in self.amounts],
            "sender": self.sender.to_json() if self.sender else None,
            "subject": self.subject,
            "sent": self.sent.isoformat() if self.sent else None,
            "attachments": [attachment.to_json() for attachment in self.attachments],
            "echo_removed": self.echo_removed,
            "notes": list(self.notes),
        }
