"""Families' intake links: a staff member makes one, sends it herself (the server sends
nothing), and the family fills the interview through it alone, with no account.

A link's secret is long and random (256 bits) and the log keeps only its hash. Through it the
family saves her answers as she goes and comes back until she submits; after that the link shows
only what she submitted, until it expires. Staff then review the intake, produce the request
from it, and mark it sent. Every step is one conditional write: a link used after it expired,
or a second submission, changes nothing.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from recordskit.clinic.accounts import secret_hash
from recordskit.clinic.audit import entry, stamp
from recordskit.errors import FieldError, UserError
from recordskit.i18n import N_, _
from recordskit.intake.answers import request_from
from recordskit.limits import LIMITS
from recordskit.models import Directory, Request
from recordskit.tracking.log import RequestLog, stored_json

LINK_DAYS = 14
"""Not law: how long a new link stays open unless the clinic sets another."""


class IntakeStatus(StrEnum):
    """Where an intake stands; ``STATUS_WORDS`` says it in a person's words."""

    OPEN = "open"
    """The family is filling it."""
    SUBMITTED = "submitted"
    """Waiting for staff review."""
    PRODUCED = "produced"
    """The request's letter and schedule were made from it."""
    SENT = "sent"
    """Staff sent the letter to the agency."""


STATUS_WORDS: dict[str, str] = {
    IntakeStatus.OPEN: N_("being filled by the family"),
    IntakeStatus.SUBMITTED: N_("waiting for review"),
    IntakeStatus.PRODUCED: N_("letter made, not sent yet"),
    IntakeStatus.SENT: N_("letter sent"),
}
"""Each status in words, marked for translation (``_(STATUS_WORDS[status])``)."""


@dataclass(frozen=True)
class Intake:
    id: str
    status: IntakeStatus
    language: str
    label: str
    made_by: str
    made_at: str
    expires_at: str
    answers: dict[str, Any]
    updated_at: str
    submitted_at: str
    request_id: str


@dataclass(frozen=True)
class NewLink:
    intake: Intake
    token: str
    """The link's secret: shown once, to the staff member who sends it; never kept."""


class LinkRefused(UserError):
    """A link that opens nothing: unknown, expired, or used for what it no longer allows. The
    words are the same whatever the reason, so a guess learns nothing."""


_COLUMNS = ("id, status, language, label, made_by, made_at, expires_at, answers, updated_at, "
            "submitted_at, request_id")


def _intake(row: tuple[Any, ...]) -> Intake:
    answers = stored_json(str(row[7]))
    text = [str(value) for value in row]
    return Intake(id=text[0], status=IntakeStatus(text[1]), language=text[2], label=text[3],
                  made_by=text[4], made_at=text[5], expires_at=text[6],
                  answers=answers if isinstance(answers, dict) else {}, updated_at=text[8],
                  submitted_at=text[9], request_id=text[10])


def make_link(log: RequestLog, *, by: str, at: datetime, language: str = "", label: str = "",
              days: int = LINK_DAYS) -> NewLink:
    """A new intake and its link's secret."""
    if not 1 <= days <= 90:
        raise FieldError(_("a link stays open from 1 to 90 days"), field="days")
    if len(label) > 200:
        raise FieldError(_("the note is at most 200 characters"), field="label")
    token = secrets.token_urlsafe(32)
    intake_id = secrets.token_hex(5)
    made, expires = stamp(at), stamp(at + timedelta(days=days))
    log.create()
    log.write([
        (f"INSERT INTO intakes ({_COLUMNS.replace('answers, ', '')}, token_hash) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
         [intake_id, IntakeStatus.OPEN.value, language, label, by, made, expires, made, "", "",
          secret_hash(token)]),
        entry(at, by, "link made", intake_id, f"open until {expires}")])
    return NewLink(Intake(intake_id, IntakeStatus.OPEN, language, label, by, made, expires, {},
                          made, "", ""), token)


def _refused() -> LinkRefused:
    return LinkRefused(_("this link does not open a request: it may have expired, or been "
                         "mistyped. Ask the clinic for a new link"))


def intake_by_link(log: RequestLog, token: str, *, at: datetime) -> Intake:
    """The intake a link opens, while it has not expired; else ``LinkRefused``."""
    if not token or len(token) > 200:
        raise _refused()
    rows = log.fetch(f"SELECT {_COLUMNS} FROM intakes WHERE token_hash = ? AND expires_at > ?",
                     [secret_hash(token), stamp(at)])
    if not rows:
        raise _refused()
    return _intake(rows[0])


def _stored(answers: Mapping[str, Any]) -> str:
    text = json.dumps(dict(answers), ensure_ascii=False, sort_keys=True)
    limit = LIMITS["input_bytes"]
    if len(text.encode("utf-8")) > limit.value:
        raise FieldError(limit.exceeded("the answers", len(text.encode("utf-8"))),
                         field="answers")
    return text


def save_answers(log: RequestLog, token: str, answers: Mapping[str, Any], *, at: datetime
                 ) -> None:
    """Keep the family's answers so far (she may stop and come back); only while the link is
    open and not yet submitted."""
    [changed] = log.write([(
        "UPDATE intakes SET answers = ?, updated_at = ? WHERE token_hash = ? AND status = ? "
        "AND expires_at > ?", [_stored(answers), stamp(at), secret_hash(token),
                               IntakeStatus.OPEN.value, stamp(at)])])
    if not changed:
        raise _refused()


def submit(log: RequestLog, token: str, directory: Directory, *, at: datetime) -> Request:
    """Submit the answers saved through a link, once: checked as ``new --answers`` checks a
    file (an ``InputFileError`` names each problem); then the link shows only them."""
    intake = intake_by_link(log, token, at=at)
    if intake.status != IntakeStatus.OPEN:
        raise _refused()
    request = request_from(intake.answers, directory)
    [changed, _audit] = log.write([
        ("UPDATE intakes SET status = ?, submitted_at = ? WHERE token_hash = ? AND status = ? "
         "AND expires_at > ?", [IntakeStatus.SUBMITTED.value, stamp(at), secret_hash(token),
                                IntakeStatus.OPEN.value, stamp(at)]),
        entry(at, "family", "intake submitted", intake.id)])
    if not changed:
        raise _refused()
    return request


def intake_by_id(log: RequestLog, intake_id: str) -> Intake:
    """An intake by its id (for staff)."""
    rows = log.fetch(f"SELECT {_COLUMNS} FROM intakes WHERE id = ?", [intake_id])
    if not rows:
        raise FieldError(_("no intake has id {id}").format(id=repr(intake_id[:40])), field="id")
    return _intake(rows[0])


def intakes(log: RequestLog, status: IntakeStatus | None = IntakeStatus.SUBMITTED, *,
            limit: int = 200) -> list[Intake]:
    """The intakes in ``status`` (every one: None), oldest first: the staff's queue."""
    if status is None:
        rows = log.fetch(f"SELECT {_COLUMNS} FROM intakes ORDER BY made_at, id LIMIT ?",
                         [limit])
    else:
        rows = log.fetch(f"SELECT {_COLUMNS} FROM intakes WHERE status = ? "
                         "ORDER BY made_at, id LIMIT ?", [status.value, limit])
    return [_intake(row) for row in rows]


def intakes_of_request(log: RequestLog, request_id: str) -> list[Intake]:
    """The intakes a request was produced from (one, unless made again by hand)."""
    return [_intake(row) for row in log.fetch(
        f"SELECT {_COLUMNS} FROM intakes WHERE request_id = ? ORDER BY made_at, id",
        [request_id])]


def edit_answers(log: RequestLog, intake_id: str, answers: Mapping[str, Any], *, by: str,
                 at: datetime) -> None:
    """Staff correct a submitted intake before producing it."""
    [changed, _audit] = log.write([
        ("UPDATE intakes SET answers = ?, updated_at = ? WHERE id = ? AND status = ?",
         [_stored(answers), stamp(at), intake_id, IntakeStatus.SUBMITTED.value]),
        entry(at, by, "intake edited", intake_id)])
    if not changed:
        raise UserError(_("intake {id} is not waiting for review: only a submitted intake "
                          "can be edited").format(id=intake_id))


def same_request(intake_id: str, request_id: str, folder: str) -> UserError:
    return UserError(_("intake {id} asks exactly what request {request} asks (the same answers, "
                       "sent the same day), whose letter is in {folder}; it was not made "
                       "again. Send that one letter, or correct this intake's answers (the "
                       "family's own name, say) to make its own").format(
                           id=intake_id, request=request_id, folder=folder))


def intake_not_waiting(intake_id: str) -> UserError:
    return UserError(_("intake {id} is not waiting for review; it was not produced again")
                     .format(id=intake_id))


def mark_produced(log: RequestLog, intake_id: str, request_id: str, folder: str, *, by: str,
                  at: datetime) -> None:
    [changed, _audit] = log.write([
        ("UPDATE intakes SET status = ?, request_id = ?, updated_at = ? WHERE id = ? AND "
         "status = ?", [IntakeStatus.PRODUCED.value, request_id, stamp(at), intake_id,
                        IntakeStatus.SUBMITTED.value]),
        entry(at, by, "request produced", intake_id, f"request {request_id} in {folder}")])
    if not changed:
        raise intake_not_waiting(intake_id)


def mark_sent(log: RequestLog, intake_id: str, *, by: str, at: datetime,
              sent_on: date | None = None) -> None:
    """Mark a produced intake's letter sent (audited, with the day it went when given)."""
    [changed, _audit] = log.write([
        ("UPDATE intakes SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
         [IntakeStatus.SENT.value, stamp(at), intake_id, IntakeStatus.PRODUCED.value]),
        entry(at, by, "marked sent", intake_id, sent_on.isoformat() if sent_on else "")])
    if not changed:
        raise UserError(_("intake {id} has not been produced yet").format(id=intake_id))


@dataclass(frozen=True)
class Purged:
    unsubmitted: int
    submitted: int


def purge(log: RequestLog, *, unsubmitted_days: int, submitted_days: int, by: str,
          at: datetime) -> Purged:
    """Delete the intakes the clinic no longer keeps: those never submitted, ``unsubmitted_days``
    after their link expired; the others, ``submitted_days`` after submission (the request
    itself stays in the log, and its files in the clinic's folder). The purge is audited."""
    for value, name in ((unsubmitted_days, "unsubmitted_days"),
                        (submitted_days, "submitted_days")):
        if not 0 <= value <= 3650:
            raise FieldError(_("{field} is a number of days from 0 to 3650").format(
                field=name), field=name)
    open_before = stamp(at - timedelta(days=unsubmitted_days))
    submitted_before = stamp(at - timedelta(days=submitted_days))
    unsubmitted = [str(r[0]) for r in log.fetch(
        "SELECT id FROM intakes WHERE status = ? AND expires_at <= ?",
        [IntakeStatus.OPEN.value, open_before])]
    submitted = [str(r[0]) for r in log.fetch(
        "SELECT id FROM intakes WHERE status != ? AND submitted_at != '' AND submitted_at <= ?",
        [IntakeStatus.OPEN.value, submitted_before])]
    doomed = unsubmitted + submitted
    # The rows and the audit line that says so, in one transaction
    log.write([(f"DELETE FROM intakes WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
               for chunk in (doomed[start:start + 500] for start in range(0, len(doomed), 500))]
              + [entry(at, by, "intakes purged", "", f"{len(unsubmitted)} unsubmitted (expired "
                       f"{unsubmitted_days} days before), {len(submitted)} submitted (over "
                       f"{submitted_days} days before)")])
    return Purged(len(unsubmitted), len(submitted))
