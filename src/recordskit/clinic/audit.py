"""The clinic's audit trail: staff sign-ins (and refusals), links made, intakes produced and
purged. Rows are only added, in the same transaction as what they record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from recordskit.i18n import N_
from recordskit.tracking.log import RequestLog

ACTION_WORDS: dict[str, str] = {
    "signed in": N_("signed in"),
    "signed out": N_("signed out"),
    "sign-in refused": N_("sign-in refused"),
    "staff added": N_("staff added"),
    "password set": N_("password set"),
    "staff turned on": N_("staff turned on"),
    "staff turned off": N_("staff turned off"),
    "link made": N_("link made"),
    "intake submitted": N_("intake submitted"),
    "intake edited": N_("intake edited"),
    "request produced": N_("request produced"),
    "marked sent": N_("marked sent"),
    "intakes purged": N_("intakes purged"),
}
"""Each line's action as it is stored (English, so the trail reads the same whoever wrote it)
and the message that shows it in the reader's language."""

ADD = "INSERT INTO audit (at, who, action, subject, detail) VALUES (?, ?, ?, ?, ?)"


def entry(at: datetime, who: str, action: str, subject: str = "", detail: str = ""
          ) -> tuple[str, Sequence[object]]:
    """The statement that adds one line to the trail (run it with what it records)."""
    return ADD, [stamp(at), who, action, subject, detail]


def stamp(at: datetime) -> str:
    """A moment as the clinic's tables keep it: UTC, to the second, so that text order is
    time order (a moment without a zone is taken as UTC)."""
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    who: str
    action: str
    subject: str
    detail: str


def entries(log: RequestLog, *, limit: int = 200) -> list[AuditEntry]:
    """The latest lines of the trail, newest first."""
    return [AuditEntry(int(r[0]), *map(str, r[1:])) for r in log.fetch(
        "SELECT seq, at, who, action, subject, detail FROM audit ORDER BY seq DESC LIMIT ?",
        [limit])]
