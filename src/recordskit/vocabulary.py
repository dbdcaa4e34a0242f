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
    CLOSED_INACTIVE = "closed_inactive"
    """The body closed the request itself (for "no recent activity", say) without producing
    the records or withholding them with a reason."""


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
        """The state a response of this kind puts a request in. A body's own closure is a
        response like any other (it can be appealed), not the requester's ``closed``."""
        if kind == ResponseKind.CLOSED_INACTIVE:
            return cls.RESPONSE
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
    EXEMPTION_CONTESTED = "exemption_contested"
    """A withholding that names an exemption: the exemption does not apply, or the records
    are segregable."""
    INCOMPLETE_PRODUCTION = "incomplete_production"
    """Records came, but not all of those asked for."""
    PRODUCTION_MISSED = "production_missed"
    """The production date the body set passed without the records."""
    NO_RECORDS = "no_records"
    """A "no records" answer the requester believes rests on an inadequate search."""
    NO_SEARCH_DESCRIBED = "no_search_described"
    """A "no records" answer that did not say where or how the body searched."""
    CLOSED_INACTIVE = "closed_inactive"
    """The body closed the request (for "no recent activity") without an answer the law
    provides."""
    LATE_PETITION = "late_petition"
    """The body petitioned for more time after the limit for doing so."""


class ReplyKind(StrEnum):
    """What an agency's reply does. The first six are the log's response kinds."""

    PRODUCED = "produced"
    PARTIAL = "partial"
    DENIED = "denied"
    FEE_ESTIMATE = "fee_estimate"
    EXTENSION = "extension"
    NO_RECORDS = "no_records"
    ACKNOWLEDGMENT = "acknowledgment"
    CLARIFICATION_REQUEST = "clarification_request"
    REFERRAL = "referral"
    CLOSURE_INACTIVITY = "closure_inactivity"
    STATUS_UPDATE = "status_update"

    @property
    def response_kind(self) -> str | None:
        """The log's ``response --kind`` for this reply, or None when it is not a response.

        A closure for "no recent activity" answers nothing and names no exemption: for the log
        it is a denial without an exemption, which can be appealed (it is not "produced").
        """
        if self is ReplyKind.CLOSURE_INACTIVITY:
            return ReplyKind.DENIED.value
        return self.value if self in _RESPONSE_KINDS else None

    @property
    def withholds(self) -> bool:
        """Whether the reply keeps records back, so that citing no exemption matters."""
        return self in (ReplyKind.DENIED, ReplyKind.PARTIAL, ReplyKind.CLOSURE_INACTIVITY)


_RESPONSE_KINDS = frozenset({ReplyKind.PRODUCED, ReplyKind.PARTIAL, ReplyKind.DENIED,
                             ReplyKind.FEE_ESTIMATE, ReplyKind.EXTENSION, ReplyKind.NO_RECORDS})
