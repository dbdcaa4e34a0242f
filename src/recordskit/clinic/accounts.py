"""The clinic's staff: accounts, passwords, sign-in and sessions.

Passwords are hashed with Argon2id (argon2-cffi, its recommended parameters) and never kept
or shown. Sign-in is refused for a while after repeated failures (``LOCK_AFTER`` in a row locks
the account for ``LOCK_MINUTES``), and an unknown name costs as much time as a known one, so
that neither a guesser nor a stopwatch learns who works at the clinic. A session is a random
secret in the staff member's cookie; the log keeps only its hash, with its expiry and its
end (signing out ends it for good).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from recordskit.clinic.audit import entry, stamp
from recordskit.errors import FieldError, UserError
from recordskit.i18n import N_, _
from recordskit.tracking.log import RequestLog, storable

LOCK_AFTER = 5
"""Failed sign-ins in a row that lock an account."""
LOCK_MINUTES = 15
SESSION_HOURS = 10
"""How long a staff session lasts (a working day); then she signs in again."""
NAME_CHARS = 100
MIN_PASSWORD = 12
"""Not law: the shortest password accepted (NIST SP 800-63B asks at least 8; a clinic holds
families' details, so more)."""


class Role(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"
    """Also manages staff accounts and the clinic's retention."""


ROLE_WORDS: dict[str, str] = {Role.STAFF: N_("staff"), Role.ADMIN: N_("admin")}
"""Each role in words, marked for translation."""


@dataclass(frozen=True)
class Staff:
    name: str
    role: Role
    active: bool = True
    locked_until: str = ""


@dataclass(frozen=True)
class StaffSession:
    """A signed-in staff member: ``token`` goes in her cookie, ``csrf`` in her forms."""

    token: str
    csrf: str
    staff: Staff
    expires_at: str


class SignInRefused(UserError):
    """A sign-in refused: the message never says whether the name exists."""


def _hasher() -> Any:
    try:
        from argon2 import PasswordHasher
    except ImportError:
        raise UserError("staff accounts need the web extra: pip install 'recordskit[web]'"
                        ) from None
    return PasswordHasher()


def secret_hash(secret: str) -> str:
    """What the log keeps of a session's or a link's secret: its SHA-256 (the secrets are
    random and long, so a fast hash is enough; a password is another matter)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def check_name(name: str) -> str:
    """A staff name as stored (it is also what her events are recorded by), or a clear
    error."""
    cleaned = storable(name).strip()
    if not cleaned or len(cleaned) > NAME_CHARS or cleaned != name.strip():
        raise FieldError(_("a staff name is 1 to {limit} characters of text, without control "
                           "characters").format(limit=NAME_CHARS), field="name")
    return cleaned


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise FieldError(_("the password is too short: give at least {count} characters (a "
                           "few words together are easy to remember)").format(
                               count=MIN_PASSWORD), field="password")
    if len(password) > 1024:
        raise FieldError(_("the password is too long: at most 1024 characters"),
                         field="password")


def add_staff(log: RequestLog, name: str, password: str, *, role: Role = Role.STAFF,
              by: str, at: datetime) -> Staff:
    """Add a staff account; a name already there is refused."""
    name = check_name(name)
    check_password(password)
    hashed = _hasher().hash(password)
    log.create()
    [added, _audit] = log.write([
        # One account a name, whatever its case: sign-in finds it in any case
        ("INSERT INTO staff (name, password_hash, role, created_at) SELECT ?, ?, ?, ? "
         "WHERE NOT EXISTS (SELECT 1 FROM staff WHERE lower(name) = lower(?))",
         [name, hashed, role.value, stamp(at), name]),
        entry(at, by, "staff added", name, role.value)])
    if not added:
        raise FieldError(_("there is already a staff account named {name}").format(
            name=repr(name)), field="name")
    return Staff(name, role)


def set_password(log: RequestLog, name: str, password: str, *, by: str, at: datetime) -> None:
    """A new password for an account (which also unlocks it); its open sessions end."""
    check_password(password)
    hashed = _hasher().hash(password)
    changed, _ended, _audit = log.write([
        ("UPDATE staff SET password_hash = ?, failures = 0, locked_until = '' WHERE name = ?",
         [hashed, name]),
        ("UPDATE staff_sessions SET ended_at = ? WHERE staff = ? AND ended_at = ''",
         [stamp(at), name]),
        entry(at, by, "password set", name)])
    if not changed:
        raise FieldError(_("no staff account is named {name}").format(name=repr(name)),
                         field="name")


def set_active(log: RequestLog, name: str, active: bool, *, by: str, at: datetime) -> None:
    """Turn an account off (its sessions end, its history stays) or on again; the last admin
    who can sign in stays on, so that someone can always manage the accounts."""
    if not active:
        admins = [person.name for person in staff_list(log)
                  if person.role == Role.ADMIN and person.active]
        if admins == [name]:
            raise FieldError(_("{name} is the only admin who can sign in; make another admin "
                               "first").format(name=repr(name)), field="name")
    statements: list[tuple[str, Sequence[object]]] = [
        ("UPDATE staff SET active = ? WHERE name = ?", [int(active), name]),
        entry(at, by, "staff turned on" if active else "staff turned off", name)]
    if not active:
        statements.append(("UPDATE staff_sessions SET ended_at = ? WHERE staff = ? AND "
                           "ended_at = ''", [stamp(at), name]))
    changed, *_rest = log.write(statements)
    if not changed:
        raise FieldError(_("no staff account is named {name}").format(name=repr(name)),
                         field="name")


def staff_list(log: RequestLog) -> list[Staff]:
    return [Staff(str(r[0]), Role(str(r[1])), bool(r[2]), str(r[3])) for r in log.fetch(
        "SELECT name, role, active, locked_until FROM staff ORDER BY name")]


_DUMMY: list[str] = []


def sign_in(log: RequestLog, name: str, password: str, *, at: datetime,
            hours: float = SESSION_HOURS) -> StaffSession:
    """A new session for ``name``, or ``SignInRefused`` (the same words whatever was wrong,
    unless the account is locked, which she is told with when to try again)."""
    from argon2.exceptions import InvalidHashError, VerificationError

    hasher = _hasher()
    refused = SignInRefused(_("that name and password do not match an account; check both "
                              "and try again"))
    # As a person types her name on a phone: any case, a space too many (the stored name is
    # the one recorded from here on)
    name = " ".join(name.split())
    rows = log.fetch("SELECT name, password_hash, role, active, failures, locked_until "
                     "FROM staff WHERE lower(name) = lower(?) ORDER BY name = ? DESC",
                     [name, name]) if len(name) <= NAME_CHARS else []
    if not rows:
        if not _DUMMY:
            _DUMMY.append(hasher.hash(secrets.token_hex(16)))
        # As long as a real check: the time says nothing of who exists
        with contextlib.suppress(VerificationError, InvalidHashError):
            hasher.verify(_DUMMY[0], password[:1024])
        log.write([entry(at, storable(name[:NAME_CHARS]), "sign-in refused", "", "unknown name")])
        raise refused
    stored, hashed, role, active, failures, locked_until = rows[0]
    name = str(stored)
    now = stamp(at)
    if locked_until and str(locked_until) > now:
        log.write([entry(at, name, "sign-in refused", "", "locked")])
        raise SignInRefused(_("this account is locked after too many failed sign-ins; try "
                              "again after {time} (UTC), or ask an admin to set a new "
                              "password").format(time=str(locked_until)[11:16]))
    try:
        hasher.verify(str(hashed), password[:1024])
    except (VerificationError, InvalidHashError):
        lock = stamp(at + timedelta(minutes=LOCK_MINUTES)) if int(failures) + 1 >= LOCK_AFTER \
            else ""
        log.write([
            ("UPDATE staff SET failures = failures + 1, locked_until = ? WHERE name = ?",
             [lock, name]),
            entry(at, name, "sign-in refused", "", "locked" if lock else "wrong password")])
        raise refused from None
    if not active:
        log.write([entry(at, name, "sign-in refused", "", "account turned off")])
        raise refused
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = stamp(at + timedelta(hours=hours))
    statements: list[tuple[str, Sequence[object]]] = [
        ("UPDATE staff SET failures = 0, locked_until = '' WHERE name = ?", [name]),
        ("INSERT INTO staff_sessions (token_hash, staff, csrf, created_at, expires_at) "
         "VALUES (?, ?, ?, ?, ?)", [secret_hash(token), name, csrf, now, expires]),
        entry(at, name, "signed in")]
    if hasher.check_needs_rehash(str(hashed)):  # the library's parameters grew: keep up
        statements.append(("UPDATE staff SET password_hash = ? WHERE name = ?",
                           [hasher.hash(password), name]))
    log.write(statements)
    return StaffSession(token, csrf, Staff(name, Role(str(role))), expires)


def session_of(log: RequestLog, token: str, *, at: datetime) -> StaffSession | None:
    """The open session a cookie's secret names, or None (unknown, expired, signed out, or its
    account turned off)."""
    if not token or len(token) > 200:
        return None
    rows = log.fetch(
        "SELECT s.staff, s.csrf, s.expires_at, st.role FROM staff_sessions s JOIN staff st ON "
        "st.name = s.staff WHERE s.token_hash = ? AND s.ended_at = '' AND s.expires_at > ? "
        "AND st.active = 1", [secret_hash(token), stamp(at)])
    if not rows:
        return None
    name, csrf, expires, role = rows[0]
    return StaffSession(token, str(csrf), Staff(str(name), Role(str(role))), str(expires))


def sign_out(log: RequestLog, token: str, *, at: datetime) -> None:
    """End a session for good: its cookie opens nothing after this."""
    found = session_of(log, token, at=at)
    log.write([("UPDATE staff_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at = ''",
                [stamp(at), secret_hash(token)])]
              + ([entry(at, found.staff.name, "signed out")] if found else []))
