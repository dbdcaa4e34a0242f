"""The words recordskit's data is made of, as enums: a typo is a type error, not a silent miss.

Each value is the string the log, the answers file, the batch manifest and ``status --json``
have always held, so a ``StrEnum`` member compares, prints and serialises as that string and no
stored log or output changes.
"""

from __future__ import annotations

from enum import StrEnum


class EventKind(StrEnum):
    """What a person logs about a request (``recordskit log ID EVENT``), and ``undo``."""

    RECEIVED = "received"
    RESPONSE = "response"
    FOLLOWED_UP = "followed_up"
    PETITION = "petition"
    PETITION_GRANTED = "petition_granted"
    PAID = "paid"
    APPEALED = "appealed"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"
    UNDO = "undo"


LOGGABLE: tuple[EventKind, ...] = tuple(kind for kind in EventKind if kind != EventKind.UNDO)
"""What a person can log, in the order a request usually meets them (``undo`` has a command of
its own)."""


class ResponseKind(StrEnum):
    """What a body's response can be."""

    PRODUCED = "produced"
    PARTIAL = "partial"
    DENIED = "denied"
    FEE_ESTIMATE = "fee_estimate"
    EXTENSION = "extension"
    NO_RECORDS = "no_records"


class State(StrEnum):
    """Where a request stands. The values are the words ``status`` has always shown."""

    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    OVERDUE = "overdue"
    RESPONSE = "response"
    EXTENSION = "extension"
    FEE_ESTIMATE = "fee estimate"
    PARTIAL = "partial"
    PRODUCED = "produced"
    DENIED = "denied"
    NO_RECORDS = "no records"
    PETITION_FILED = "petition filed"
    EXTENSION_GRANTED = "extension granted"
    FEE_PAID = "fee paid"
    APPEALED = "appealed"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @classmethod
    def after_response(cls, kind: ResponseKind) -> State:
        """The state a response of this kind puts a request in."""
        return cls(kind.value.replace("_", " "))


FINAL_STATES: frozenset[State] = frozenset({State.CLOSED, State.WITHDRAWN})
"""States after which nothing more is due."""


class Delivery(StrEnum):
    """How a request is sent (the answers file's ``delivery``)."""

    EMAIL = "email"
    MAIL = "mail"
    PORTAL = "portal"
    HAND = "hand"


class BatchStatus(StrEnum):
    """What a batch run did with one row (the first column of its report)."""

    PRODUCED = "produced"
    REWRITTEN = "rewritten"
    SKIPPED = "skipped"
    """Already complete and unchanged: nothing written."""
    CHANGED = "changed"
    """Changed since it was produced, and not rewritten without ``force``."""
    FAILED = "failed"


class GroundKind(StrEnum):
    """A ground of an appeal recordskit can argue (``recordskit.deadlines.appeals``)."""

    NO_RESPONSE = "no_response"
    DENIAL_WITHOUT_EXEMPTION = "denial_without_exemption"
    UNLAWFUL_FEE = "unlawful_fee"
    EXCESSIVE_FEE = "excessive_fee"
    PRODUCTION_BEYOND_LIMIT = "production_beyond_limit"
