"""``recordskit staff``, ``intake`` and ``clinic``: a clinic's accounts, families' intake links,
the staff queue, retention and the audit trail, on the clinic's shared log."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from recordskit.cli.app import add_row, clean, cli, console, invoked_as, say, workspace_for
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
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def intake_sent(ctx: click.Context, intake_id: str, by: str | None) -> None:
    """Mark a produced intake's letter as sent to the agency."""
    from recordskit.service import mark_intake_sent

    mark_intake_sent(workspace_for(ctx), intake_id, by=_by(by))
    say(_("Intake {id} is marked sent.").format(id=intake_id))


@cli.group()
def clinic() -> None:
    """The clinic's retention and audit trail.

    \b
    Examples:
      recordskit clinic purge --unsubmitted-days 30 --submitted-days 365
      recordskit clinic audit
    """


@clinic.command("purge")
@click.option("--unsubmitted-days", type=click.IntRange(0, 3650), required=True,
              help="Delete intakes never submitted this many days after their link expired.")
@click.option("--submitted-days", type=click.IntRange(0, 3650), required=True,
              help="Delete submitted intakes this many days after submission (the request "
                   "stays in the log, and its files in their folder).")
@click.option("--by", "by", help=BY_HELP)
@click.pass_context
def clinic_purge(ctx: click.Context, unsubmitted_days: int, submitted_days: int,
                 by: str | None) -> None:
    """Delete the intakes the clinic no longer keeps; the purge is written to the audit
    trail."""
    from recordskit.service import purge_intakes

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
