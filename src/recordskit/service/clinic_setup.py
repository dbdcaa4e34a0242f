"""Setting a clinic's server up in one step: its database, its first admin, its folder and its
settings file (and, when asked, its systemd unit). ``recordskit clinic setup`` calls it.

Nothing good is lost on the way: a settings file or unit that is there and says something else
is refused unless ``replace``; everything that can be refused is checked before anything is
written; and running it again with the same answers changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from recordskit.clinic import accounts
from recordskit.clinic.accounts import Role, Staff
from recordskit.clinic.audit import now
from recordskit.clinic.settings import ClinicSettings, settings_text
from recordskit.clinic.unit import unit_text
from recordskit.errors import FieldError, OutputExistsError, UserError
from recordskit.files import write_file
from recordskit.i18n import _
from recordskit.tracking.open import open_log


@dataclass(frozen=True)
class UnitWanted:
    """Where to write the systemd unit, and what it runs."""

    path: Path
    program: Path
    """This install's ``recordskit``, by its whole path."""
    user: str
    """The system account the server runs as."""


@dataclass(frozen=True)
class ClinicSetup:
    """What setting up did (each file ``unchanged`` when it already said the same)."""

    config: Path
    config_unchanged: bool
    log_location: str
    requests: Path
    admin: Staff | None
    """The admin account made now; None when ``admin_name`` already had one."""
    unit: Path | None
    unit_unchanged: bool


def _same_settings(path: Path, text: str) -> bool:
    """Whether the settings file at ``path`` says ``text``, bar its comments (its date)."""
    def meaning(lines: str) -> list[str]:
        return [line for line in lines.splitlines() if not line.startswith("#")]
    try:
        return meaning(path.read_text(encoding="utf-8")) == meaning(text)
    except (OSError, UnicodeDecodeError):
        return False


def _account(user: str) -> tuple[int, int]:
    """The ids of the system account the unit runs the server as, which must exist."""
    import pwd

    try:
        found = pwd.getpwnam(user)
    except KeyError:
        raise FieldError(_("there is no system account {user} to run the server as; make it "
                           "first (sudo useradd --system --no-create-home {user}) or name "
                           "another with --user").format(user=user), field="user") from None
    return found.pw_uid, found.pw_gid


def _refuse_differing(path: Path, same: bool, replace: bool, text: str = "") -> None:
    if path.exists() and not same and not replace:
        differing = _differing_keys(path, text) if text else []
        raise OutputExistsError(_("{path}: already exists and says something else{which}; "
                                  "nothing was changed. Allow replacing it (--replace) to write "
                                  "it again").format(
                                      path=path, which=f" ({', '.join(differing)})"
                                      if differing else ""))


def _differing_keys(path: Path, text: str) -> list[str]:
    """The keys whose lines differ between a settings file and ``text``."""
    def lines(content: str) -> dict[str, str]:
        return dict(line.split("=", 1) for line in content.splitlines()
                    if "=" in line and not line.startswith("#"))
    try:
        old = lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return []
    new = lines(text)
    return [key for key in dict.fromkeys([*new, *old]) if old.get(key) != new.get(key)]


def setup_clinic(settings: ClinicSettings, config: Path, *, admin_name: str,
                 admin_password: Callable[[], str], by: str, today: date,
                 replace: bool = False, unit: UnitWanted | None = None) -> ClinicSetup:
    """Make (or bring up to date) the clinic's log on its database, its first admin, its
    requests folder and its settings file at ``config``. ``admin_password`` is called only
    when the admin's account is to be made (a re-run asks nothing)."""
    text = settings_text(settings, written_on=today)
    same_config = _same_settings(config, text)
    _refuse_differing(config, same_config, replace, text)
    unit_content = ""
    same_unit = False
    if unit is not None:
        try:
            unit_content = unit_text(program=unit.program, config=config.absolute(),
                                     requests=settings.requests, user=unit.user)
        except ValueError as exc:
            raise FieldError(str(exc), field="unit") from None
        same_unit = unit.path.exists() and _same_settings(unit.path, unit_content)
        _refuse_differing(unit.path, same_unit, replace)
    owner = _account(unit.user) if unit is not None and os.geteuid() == 0 else None
    name = accounts.check_name(admin_name)
    log = open_log(settings.database_url)
    log.create()  # connects, and makes or upgrades the tables: a wrong URL stops here
    existing = {person.name: person for person in accounts.staff_list(log)}
    if name in existing and existing[name].role != Role.ADMIN:
        raise FieldError(_("{name} already has a staff account that is not an admin's; name "
                           "another admin").format(name=repr(name)), field="admin")
    admins = [person.name for person in existing.values() if person.role == Role.ADMIN]
    if name not in existing and admins:
        # Setting up again names the first admin; more are added as such, on purpose
        raise FieldError(_("the clinic already has its admin ({names}); setting up again "
                           "names one of them. Add another admin on the Accounts page, or "
                           "with staff add NAME --admin").format(names=", ".join(admins)),
                         field="admin")
    password = ""
    if name not in existing:
        password = admin_password()
        accounts.check_password(password)
    try:
        settings.requests.mkdir(parents=True, exist_ok=True, mode=0o750)
    except OSError as exc:
        raise UserError(_("{path}: cannot make the requests folder: {reason}").format(
            path=settings.requests, reason=exc.strerror)) from None
    if owner is not None:  # the server, run as that account, writes the requests there
        os.chown(settings.requests, *owner)
    made: Staff | None = None
    if name not in existing:
        made = accounts.add_staff(log, name, password, role=Role.ADMIN, by=by,
                                  at=now())
    if not same_config:
        config.parent.mkdir(parents=True, exist_ok=True)
        write_file(config, text.encode("utf-8"), force=True, private=True)
    if unit is not None and not same_unit:
        unit.path.parent.mkdir(parents=True, exist_ok=True)
        write_file(unit.path, unit_content.encode("utf-8"), force=True)
    return ClinicSetup(config=config, config_unchanged=same_config, log_location=log.location,
                       requests=settings.requests, admin=made,
                       unit=unit.path if unit else None, unit_unchanged=same_unit)
