"""A clinic's settings file: where its log is, the name its proxy serves, its port, its
requests folder and how long it keeps intakes.

One file serves both ways of running the server: systemd reads it as the unit's
``EnvironmentFile`` (plain ``KEY=VALUE`` lines), and ``recordskit --config FILE`` reads it for
every command (``serve --clinic``, ``staff``, ``intake``, ``clinic purge``). ``recordskit clinic
setup`` writes it. Values are kept to characters that need no quoting in either reader, so the
file means the same to both; anything else is refused with its line and what is expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

from recordskit.errors import InputFileError, Problem
from recordskit.i18n import _
from recordskit.inputfile import read_bytes
from recordskit.limits import LIMITS

DEFAULT_PORT = 8765
DEFAULT_REQUESTS = Path("/var/lib/recordskit/requests")
KEEP_UNSUBMITTED_DAYS = 30
"""Not law: a clinic's choice. Days an unsubmitted intake is kept after its link expired."""
KEEP_SUBMITTED_DAYS = 365
"""Not law: a clinic's choice. Days a submitted intake's answers are kept (its request stays in
the log and its files in their folder)."""
MAX_DAYS = 3650

# Characters systemd's EnvironmentFile and this reader both take as they are: no spaces, quotes,
# backslashes, dollar signs or control characters (a URL's password is percent-encoded).
_PLAIN = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!&()*+,;=%-]+")
_HOST = re.compile(r"(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
                   r"(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")
_LINE = re.compile(r"([A-Z_][A-Z0-9_]*)=(.*)")


@dataclass(frozen=True)
class ClinicSettings:
    """What a clinic's server and commands need to know; the file's keys are in ``KEYS``."""

    database_url: str
    public_hosts: tuple[str, ...]
    port: int = DEFAULT_PORT
    requests: Path = DEFAULT_REQUESTS
    keep_unsubmitted_days: int = KEEP_UNSUBMITTED_DAYS
    keep_submitted_days: int = KEEP_SUBMITTED_DAYS


KEYS: dict[str, str] = {
    "RECORDSKIT_DATABASE_URL": "database_url",
    "RECORDSKIT_PUBLIC_HOST": "public_hosts",
    "RECORDSKIT_PORT": "port",
    "RECORDSKIT_REQUESTS": "requests",
    "RECORDSKIT_KEEP_UNSUBMITTED_DAYS": "keep_unsubmitted_days",
    "RECORDSKIT_KEEP_SUBMITTED_DAYS": "keep_submitted_days",
}
"""The file's keys and the settings they give (``RECORDSKIT_DATABASE_URL`` is also the
variable every command reads, so systemd's copy of it reaches the server unchanged)."""
REQUIRED = ("RECORDSKIT_DATABASE_URL", "RECORDSKIT_PUBLIC_HOST")


def check_database_url(value: str) -> str:
    """A PostgreSQL URL in plain characters, or a ValueError saying what is expected."""
    if not re.match(r"postgres(ql)?://", value):
        raise ValueError(_("expected the clinic's PostgreSQL database, as "
                           "postgresql://USER:PASSWORD@HOST/DATABASE"))
    _check_plain(value)
    return value


def check_public_hosts(value: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Host names (comma-separated in the file), lower-cased, or a ValueError."""
    names = [part.strip().lower() for part in (value.split(",") if isinstance(value, str)
                                               else value)]
    if not names or not all(names):
        raise ValueError(_("expected the name the clinic's proxy serves the pages under, "
                           "such as records.example-clinic.org (several: separated by commas)"))
    for name in names:
        if not _HOST.fullmatch(name):
            raise ValueError(_("{name} is not a host name: expected a name such as "
                               "records.example-clinic.org, without https:// or a path").format(
                                   name=repr(name)))
    return tuple(dict.fromkeys(names))


def check_port(value: str | int) -> int:
    text = str(value)
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise ValueError(_("expected a port number from 1 to 65535"))
    return int(text)


def check_requests(value: str | Path) -> Path:
    path = Path(value)
    if not path.is_absolute():
        raise ValueError(_("expected the folder's whole path, starting with /"))
    _check_plain(str(path))
    return path


def check_days(value: str | int) -> int:
    text = str(value)
    if not text.isdigit() or int(text) > MAX_DAYS:
        raise ValueError(_("expected a number of days from 0 to {most}").format(most=MAX_DAYS))
    return int(text)


def _check_plain(value: str) -> None:
    if not _PLAIN.fullmatch(value):
        raise ValueError(_("use only letters, digits and URL punctuation: no spaces, quotes, "
                           "backslashes or dollar signs (write such a character of a password "
                           "percent-encoded, as %24 for $)"))


_CHECKS = {
    "database_url": check_database_url,
    "public_hosts": check_public_hosts,
    "port": check_port,
    "requests": check_requests,
    "keep_unsubmitted_days": check_days,
    "keep_submitted_days": check_days,
}


def read_settings(path: Path) -> ClinicSettings:
    """The settings in ``path``; every problem named by its line and key, all at once."""
    raw = read_bytes(path, LIMITS["input_bytes"])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputFileError(path, [Problem("", _("the file is not UTF-8 text (byte {at})")
                                            .format(at=exc.start + 1))]) from None
    found: dict[str, object] = {}
    seen: dict[str, int] = {}
    problems: list[Problem] = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        matched = _LINE.fullmatch(line)
        if matched is None:
            problems.append(Problem("", _("expected KEY=VALUE, such as "
                                          "RECORDSKIT_PORT=8765"), number))
            continue
        key, value = matched.groups()
        if key not in KEYS:
            problems.append(Problem(key, _("not a setting recordskit knows; expected one of "
                                           "{keys}").format(keys=", ".join(KEYS)), number))
            continue
        if key in seen:
            problems.append(Problem(key, _("given twice (also on line {line}); keep one")
                                    .format(line=seen[key]), number))
            continue
        seen[key] = number
        try:
            found[KEYS[key]] = _CHECKS[KEYS[key]](value)
        except ValueError as exc:
            problems.append(Problem(key, str(exc), number))
    problems += [Problem(key, _("missing; expected a line {key}=…").format(key=key))
                 for key in REQUIRED if key not in seen and not any(
                     p.field == key for p in problems)]
    if problems:
        raise InputFileError(path, problems)
    return ClinicSettings(**found)  # type: ignore[arg-type]


def settings_text(settings: ClinicSettings, *, written_on: date) -> str:
    """The file for ``settings``: each value checked again, so that what is written reads back
    the same in systemd and here."""
    values = {
        "database_url": check_database_url(settings.database_url),
        "public_hosts": ",".join(check_public_hosts(settings.public_hosts)),
        "port": str(check_port(settings.port)),
        "requests": str(check_requests(settings.requests)),
        "keep_unsubmitted_days": str(check_days(settings.keep_unsubmitted_days)),
        "keep_submitted_days": str(check_days(settings.keep_submitted_days)),
    }
    assert {f.name for f in fields(ClinicSettings)} == set(values)  # noqa: S101 (a new field)
    lines = [
        f"# A clinic's settings for recordskit, written by `recordskit clinic setup` on "
        f"{written_on.isoformat()}.",
        "# Read by `recordskit --config FILE ...` and by systemd (EnvironmentFile=).",
        "# Readable by its owner alone (systemd reads it as root): it holds the database password.",
    ]
    lines += [f"{key}={values[name]}" for key, name in KEYS.items()]
    return "\n".join(lines) + "\n"
