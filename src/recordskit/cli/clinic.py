"""``recordskit staff``, ``intake`` and ``clinic``: a clinic's accounts, families' intake links,
the staff queue, retention and the audit trail, on the clinic's shared log."""

from __future__ import annotations

import shlex
import sys
from datetime import datetime
from pathlib import Path

import click

from recordskit.cli.app import (
    DATE,
    add_row,
    clean,
    cli,
    clinic_settings,
    console,
    invoked_as,
    say,
    workspace_for,
)
from recordskit.service import _

BY_HELP = "Who does it [default: RECORDSKIT_USER, or your login name]."


def _by(given: str | None) -> str:
    from recordskit.service import current_user

    return given or current_user()


def _password(name: str, from_stdin: bool) -> str:
    """The password typed twice, hidden (or one line of standard input, for a script)."""
    if from_stdin:
        return sys.stdin.readline(2048).rstrip("\r\n")
    return str(click.prompt(_("Password for {name}").format(name=name), hide_input=True,
                            confirmation_prompt=True, err=True))


@cli.group()
def staff() -> None:
    """The clinic's staff accounts, for `recordskit serve --clinic`.

    \b
    Examples:
      recordskit staff add "Ana Lima" --admin
      recordskit staff list
    """


@staff.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="Also manages staff accounts and retention.")
@click.option("--password-stdin", "from_stdin", is_flag=True,
              help="Read the password from standard input instead of asking twice.")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def staff_add(ctx: click.Context, name: str, admin: bool, from_stdin: bool,
              by: str | None) -> None:
    """Add a staff account; its password is asked twice and kept only as an Argon2 hash."""
    from recordskit.service import add_staff

    added = add_staff(workspace_for(ctx), name, _password(name, from_stdin), admin=admin,
                      by=_by(by))
    from recordskit.service import ROLE_WORDS

    say(_("Added {name} ({role}). They sign in at the clinic's address with this name.")
        .format(name=added.name, role=_(ROLE_WORDS[added.role])))


@staff.command("list")
@click.pass_context
def staff_list(ctx: click.Context) -> None:
    """Every staff account, its role, and whether it is on or locked."""
    from rich.table import Table

    from recordskit.service import ROLE_WORDS, staff_accounts

    found = staff_accounts(workspace_for(ctx))
    if not found:
        say(_("No staff accounts yet: {command}").format(
            command=f"{invoked_as()} staff add NAME --admin"))
        return
    table = Table()
    for label in (_("name"), _("role"), _("account")):
        table.add_column(label)
    for person in found:
        add_row(table, person.name, _(ROLE_WORDS[person.role]),
                _("can sign in") if person.active else _("turned off")
                + (" " + _("(locked until {time} UTC)").format(time=person.locked_until[11:16])
                   if person.locked_until else ""))
    console().print(table)


@staff.command("password")
@click.argument("name")
@click.option("--password-stdin", "from_stdin", is_flag=True,
              help="Read the password from standard input instead of asking twice.")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def staff_password(ctx: click.Context, name: str, from_stdin: bool, by: str | None) -> None:
    """Set a new password (which also unlocks the account and ends its sessions)."""
    from recordskit.service import set_staff_password

    set_staff_password(workspace_for(ctx), name, _password(name, from_stdin), by=_by(by))
    say(_("New password set for {name}; their open sessions ended.").format(name=name))


@staff.command("off")
@click.argument("name")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def staff_off(ctx: click.Context, name: str, by: str | None) -> None:
    """Turn an account off: it cannot sign in, its sessions end, its history stays."""
    _set_active(ctx, name, False, by)
    say(_("{name} can no longer sign in.").format(name=name))


@staff.command("on")
@click.argument("name")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def staff_on(ctx: click.Context, name: str, by: str | None) -> None:
    """Turn an account on again."""
    _set_active(ctx, name, True, by)
    say(_("{name} can sign in again.").format(name=name))


def _set_active(ctx: click.Context, name: str, active: bool, by: str | None) -> None:
    from recordskit.service import set_staff_active

    set_staff_active(workspace_for(ctx), name, active, by=_by(by))


@cli.group()
def intake() -> None:
    """Families' intake links and the staff queue.

    \b
    Examples:
      recordskit intake link --family-lang es --url https://records.example-clinic.org
      recordskit intake list
      recordskit intake produce 4be1c09d2f --out requests
    """


@intake.command("link")
@click.option("--family-lang", "language", type=click.Choice(["en", "es", "ht"]),
              default="en", show_default=True,
              help="The language the family's pages open in (what this command prints is in "
                   "the computer's language).")
@click.option("--days", type=click.IntRange(1, 90), default=14, show_default=True,
              help="How long the link stays open.")
@click.option("--note", default="", help="A note for staff (such as the day you met); not a "
                                         "family's name: the note is kept with the intake.")
@click.option("--url", "base_url", default="", help="The clinic's address, to print the whole "
                                                      "link [default: the path alone].")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def intake_link(ctx: click.Context, language: str, days: int, note: str, base_url: str,
                by: str | None) -> None:
    """Make a family's link: send it yourself (by text or email); recordskit sends nothing.

    The link is shown once and never kept: only its hash is in the log."""
    from recordskit.service import make_intake_link

    made = make_intake_link(workspace_for(ctx), by=_by(by),
                            language="" if language == "en" else language, label=note,
                            days=days)
    say(f"{base_url.rstrip('/')}/i/{made.token}")
    say(_("Intake {id}, open until {time} UTC. The link is shown only now.").format(
        id=made.intake.id, time=made.intake.expires_at.replace("T", " ").rstrip("Z")), err=True)


@intake.command("list")
@click.option("--all", "show_all", is_flag=True, help="Every intake, not only those to review.")
@click.pass_context
def intake_list(ctx: click.Context, show_all: bool) -> None:
    """The intakes waiting for review (submitted), oldest first."""
    from rich.table import Table

    from recordskit.service import STATUS_WORDS, IntakeStatus, intake_queue

    found = intake_queue(workspace_for(ctx), None if show_all else IntakeStatus.SUBMITTED)
    if not found:
        say(_("No intakes are waiting for review."))
        return
    table = Table()
    for label in (_("id"), _("state"), _("link made"), _("sent by the family"), _("note"),
                  _("request")):
        table.add_column(label)
    for item in found:
        add_row(table, item.id, _(STATUS_WORDS[item.status]), item.made_at[:10],
                item.submitted_at[:10],
                item.label, item.request_id)
    console().print(table)


@intake.command("answers")
@click.argument("intake_id")
@click.pass_context
def intake_answers(ctx: click.Context, intake_id: str) -> None:
    """Print a submitted intake's answers as an answers file, to correct with `intake edit`.

    \b
    Example:
      recordskit intake answers 4be1c09d2f > answers.yaml
    """
    from recordskit.service import intake_answers_file

    click.echo(clean(intake_answers_file(workspace_for(ctx), intake_id)), nl=False)


@intake.command("edit")
@click.argument("intake_id")
@click.option("--answers", "answers_path", required=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="The corrected answers file (checked as `new --answers` checks one).")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def intake_edit(ctx: click.Context, intake_id: str, answers_path: Path, by: str | None) -> None:
    """Replace a submitted intake's answers with a corrected answers file, before producing it.

    \b
    Example:
      recordskit intake edit 4be1c09d2f --answers answers.yaml
    """
    from recordskit.service import edit_intake_from_file

    edit_intake_from_file(workspace_for(ctx), intake_id, answers_path, by=_by(by))
    say(_("Intake {id} now has the answers of {file}.").format(id=intake_id,
                                                               file=answers_path))


@intake.command("produce")
@click.argument("intake_ids", metavar="[INTAKE_ID]...", nargs=-1)
@click.option("--all", "every", is_flag=True, help="Every intake waiting for review.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="The folder under which each request's own folder is made.")
@click.option("--allow-personal-details", "allow_personal", is_flag=True,
              help="Produce it even though the privacy check found personal details.")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def intake_produce(ctx: click.Context, intake_ids: tuple[str, ...], every: bool, out: Path,
                   allow_personal: bool, by: str | None) -> None:
    """Make the request each submitted intake asks for, as `new --answers` does, and log it.

    \b
    Examples:
      recordskit intake produce 4be1c09d2f --out requests
      recordskit intake produce --all --out requests
    """
    from recordskit.service import IntakeStatus, UserError, intake_queue, produce_intake

    workspace = workspace_for(ctx)
    chosen = list(intake_ids) + ([found.id for found in intake_queue(
        workspace, IntakeStatus.SUBMITTED)] if every else [])
    if not chosen:
        raise UserError(_("name the intakes to produce, or give --all"))
    failed = 0
    for intake_id in dict.fromkeys(chosen):
        try:
            produced = produce_intake(workspace, intake_id, out, by=_by(by),
                                      allow_personal_details=allow_personal)
        except UserError as refused:
            if len(chosen) == 1:
                raise
            failed += 1  # one intake's problem does not stop the others
            say(_("Intake {id}: {problem}").format(id=intake_id, problem=refused), err=True)
            continue
        say(_("Wrote request {id} in {folder}; intake {intake} is produced. Once the letter "
              "is sent: {command}").format(id=produced.made.request_id, folder=produced.folder,
                                          intake=intake_id,
                                          command=f"{invoked_as()} intake sent {intake_id}"))
    if failed:
        ctx.exit(1)


@intake.command("sent")
@click.argument("intake_id")
@click.option("--on", "on", type=DATE, help="The day the letter went (YYYY-MM-DD) "
              "[default: today].")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def intake_sent(ctx: click.Context, intake_id: str, on: datetime | None, by: str | None
                ) -> None:
    """Mark a produced intake's letter as sent to the agency.

    Its deadlines count from the day the letter is dated; when it went later, the command says
    so, and what to log once the agency says the day it received it.
    """
    from recordskit.service import mark_intake_sent, sent_words

    marked = mark_intake_sent(workspace_for(ctx), intake_id, by=_by(by),
                              sent_on=on.date() if on else None)
    say(_("Intake {id} is marked sent.").format(id=intake_id))
    if marked.late:
        say(sent_words(marked), bold=True)


@cli.group()
def clinic() -> None:
    """A clinic's server: its setup, retention and audit trail.

    \b
    Examples:
      recordskit --database postgresql://clinic@127.0.0.1/records clinic setup \\
          /etc/recordskit/clinic.env --public-host records.example-clinic.org --admin "Ana Lima"
      recordskit --config /etc/recordskit/clinic.env clinic purge
      recordskit clinic audit
    """


@clinic.command("setup")
@click.argument("config_path", metavar="SETTINGS_FILE",
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--public-host", "public_hosts", multiple=True, required=True,
              help="The name the clinic's HTTPS proxy serves the pages under (repeatable).")
@click.option("--admin", "admin_name", required=True,
              help="The first admin's name; the account is made now, its password asked "
                   "twice (a re-run leaves an existing admin as it is).")
@click.option("--password-stdin", "from_stdin", is_flag=True,
              help="Read the admin's password from standard input instead of asking twice.")
@click.option("--port", type=click.IntRange(1, 65535),
              help="The port the server listens on, on 127.0.0.1 [default: 8765].")
@click.option("--out", "requests", type=click.Path(path_type=Path, file_okay=False),
              help="The folder each produced request's folder is written under [default: "
                   "/var/lib/recordskit/requests].")
@click.option("--keep-unsubmitted-days", type=click.IntRange(0, 3650),
              help="How long `clinic purge` keeps an intake never submitted, after its link "
                   "expired [default: 30].")
@click.option("--keep-submitted-days", type=click.IntRange(0, 3650),
              help="How long `clinic purge` keeps a submitted intake's answers [default: "
                   "365].")
@click.option("--unit", "unit_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the systemd unit that runs the server, such as "
                   "/etc/systemd/system/recordskit-clinic.service.")
@click.option("--user", "unit_user", default="recordskit", show_default=True,
              help="With --unit: the system account the server runs as.")
@click.option("--replace", is_flag=True,
              help="Replace a settings file or unit that says something else.")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def clinic_setup(ctx: click.Context, config_path: Path, public_hosts: tuple[str, ...],
                 admin_name: str, from_stdin: bool, port: int | None, requests: Path | None,
                 keep_unsubmitted_days: int | None, keep_submitted_days: int | None,
                 unit_path: Path | None, unit_user: str, replace: bool, by: str | None
                 ) -> None:
    """Set up a clinic's server in one step: its tables on the clinic's PostgreSQL database
    (--database), its first admin, its requests folder and its settings file (and, with
    --unit, its systemd unit). Running it again with the same answers changes nothing.

    \b
    Then start the server:
      recordskit --config SETTINGS_FILE serve --clinic
    """
    import shutil

    from recordskit.service import (
        DEFAULT_PORT,
        DEFAULT_REQUESTS,
        KEEP_SUBMITTED_DAYS,
        KEEP_UNSUBMITTED_DAYS,
        ClinicSettings,
        UnitWanted,
        UserError,
        check_database_url,
        check_public_hosts,
        setup_clinic,
    )

    root = ctx.find_root().obj or {}
    url = root.get("database_url") or ""
    if not url:
        raise UserError(_("give the clinic's PostgreSQL database: {command}").format(
            command=f"{invoked_as()} --database postgresql://USER:PASSWORD@HOST/DATABASE "
                    "clinic setup …"))
    try:
        check_database_url(url)
    except ValueError as exc:
        raise UserError(f"--database: {exc}") from None
    try:
        hosts = check_public_hosts(public_hosts)
    except ValueError as exc:
        raise UserError(f"--public-host: {exc}") from None
    settings = ClinicSettings(
        url, hosts, port=port or DEFAULT_PORT,
        requests=(requests or DEFAULT_REQUESTS).absolute(),
        keep_unsubmitted_days=(KEEP_UNSUBMITTED_DAYS if keep_unsubmitted_days is None
                               else keep_unsubmitted_days),
        keep_submitted_days=(KEEP_SUBMITTED_DAYS if keep_submitted_days is None
                             else keep_submitted_days))
    program = Path(shutil.which(sys.argv[0]) or sys.argv[0]).absolute()
    done = setup_clinic(
        settings, config_path, admin_name=admin_name,
        admin_password=lambda: _password(admin_name, from_stdin), by=_by(by),
        today=workspace_for(ctx).today, replace=replace,
        unit=UnitWanted(unit_path, program, unit_user) if unit_path else None)
    say(_("The clinic's log is ready on {where}.").format(where=done.log_location))
    if done.admin is not None:
        say(_("Added {name} (admin). They sign in at the clinic's address with this name.")
            .format(name=done.admin.name))
    else:
        say(_("{name} already has an admin account; it is left as it is.").format(
            name=admin_name))
    say(_("Requests will be written under {folder}.").format(folder=done.requests))
    say((_("{path} already says this; left as it is.") if done.config_unchanged
         else _("Wrote the settings in {path} (readable by you alone: it holds the database "
                "password).")).format(path=done.config))
    start = f"{invoked_as()} --config {shlex.quote(str(config_path))} serve --clinic"
    if done.unit is not None:
        say((_("{path} already says this; left as it is.") if done.unit_unchanged
             else _("Wrote the systemd unit {path}.")).format(path=done.unit))
        say(_("Start the server, now and at every boot: {command}").format(
            command=f"sudo systemctl daemon-reload && sudo systemctl enable --now "
                    f"{shlex.quote(done.unit.stem)}"))
    else:
        say(_("Start the server: {command}").format(command=start))
    say(_("Then sign in at https://{host}/staff and make a family's link.").format(
        host=settings.public_hosts[0]))


@clinic.command("purge")
@click.option("--unsubmitted-days", type=click.IntRange(0, 3650),
              envvar="RECORDSKIT_KEEP_UNSUBMITTED_DAYS", show_envvar=True,
              help="Delete intakes never submitted this many days after their link expired "
                   "[default: the settings file's].")
@click.option("--submitted-days", type=click.IntRange(0, 3650),
              envvar="RECORDSKIT_KEEP_SUBMITTED_DAYS", show_envvar=True,
              help="Delete submitted intakes this many days after submission (the request "
                   "stays in the log, and its files in their folder) [default: the settings "
                   "file's].")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def clinic_purge(ctx: click.Context, unsubmitted_days: int | None,
                 submitted_days: int | None, by: str | None) -> None:
    """Delete the intakes the clinic no longer keeps; the purge is written to the audit
    trail.

    \b
    Examples:
      recordskit --config /etc/recordskit/clinic.env clinic purge
      recordskit clinic purge --unsubmitted-days 30 --submitted-days 365
    """
    from recordskit.service import UserError, purge_intakes

    settings = clinic_settings(ctx)
    if settings is not None:
        unsubmitted_days = (settings.keep_unsubmitted_days if unsubmitted_days is None
                            else unsubmitted_days)
        submitted_days = settings.keep_submitted_days if submitted_days is None else submitted_days
    if unsubmitted_days is None or submitted_days is None:
        raise UserError(_("say how long intakes are kept: --unsubmitted-days and "
                          "--submitted-days, or the clinic's settings file (--config FILE)"))

    purged = purge_intakes(workspace_for(ctx), unsubmitted_days=unsubmitted_days,
                           submitted_days=submitted_days, by=_by(by))
    say(_("Deleted {open} unsubmitted and {submitted} submitted intakes.").format(
        open=purged.unsubmitted, submitted=purged.submitted))


@clinic.command("audit")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.pass_context
def clinic_audit(ctx: click.Context, limit: int) -> None:
    """The latest lines of the audit trail: sign-ins, links, produced requests, purges."""
    from rich.table import Table

    from recordskit.service import audit_trail

    table = Table()
    for label in (_("when (UTC)"), _("who"), _("what"), _("about"), _("detail")):
        table.add_column(label)
    for line in audit_trail(workspace_for(ctx), limit=limit):
        add_row(table, line.at.replace("T", " ").rstrip("Z"), line.who, line.action,
                line.subject, line.detail)
    console().print(table)
