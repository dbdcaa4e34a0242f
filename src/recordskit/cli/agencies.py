"""``recordskit agencies ...``: read, check and change the agency directory."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recordskit.cli import app
from recordskit.cli.app import (
    add_row,
    clean,
    cli,
    console,
    directory_path,
    load_directory_for,
    say,
    terminal_asker,
)
from recordskit.service import UserError

if TYPE_CHECKING:
    from recordskit.service import Asker, EditableDirectory, InUse

FILE_ARGUMENT = click.argument("file", required=False,
                               type=click.Path(path_type=Path, dir_okay=False))


@cli.group()
def agencies() -> None:
    """The agency directory: who receives requests, and the records each one holds."""


@agencies.command("list")
@click.pass_context
def agencies_list(ctx: click.Context) -> None:
    """List the agencies in the directory.

    \b
    Example:
      recordskit agencies list
    """
    from rich.table import Table

    directory = load_directory_for(ctx)
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in ("name", "role", "delivery", "calendar", "records"):
        table.add_column(column)
    for agency in directory.agencies:
        add_row(table, agency.id, agency.name, agency.role, ", ".join(agency.delivery),
                      agency.calendar, str(len(agency.records)))
    console().print(table)


@agencies.command("show")
@click.argument("agency_id")
@click.pass_context
def agencies_show(ctx: click.Context, agency_id: str) -> None:
    """Show one agency: its contact, its sources, and its records catalog.

    \b
    Example:
      recordskit agencies show bps
    """
    from rich.table import Table
    from rich.text import Text

    directory = load_directory_for(ctx)
    try:
        agency = directory.agency(agency_id)
    except KeyError:
        known = ", ".join(a.id for a in directory.agencies)
        raise UserError(f"no agency has id {agency_id!r}; expected one of: {known}") from None
    screen = console()
    officer = agency.records_officer
    screen.print(Text.assemble((clean(agency.name), "bold"),
                               clean(f" ({agency.id}), {agency.kind.replace('_', ' ')}")))
    if agency.description:
        screen.print(clean(agency.description))
    for label, value in (("Write to", officer.title), ("Office", officer.office),
                         ("Address", officer.mailing_address.replace("\n", ", ")),
                         ("Email", officer.email), ("Phone", officer.phone), ("Fax", officer.fax),
                         ("Portal", officer.portal_url),
                         ("Takes requests by", ", ".join(agency.delivery)),
                         ("Business days", agency.calendar), ("Notes", agency.notes)):
        if value:
            screen.print(clean(f"  {label + ':':<19}{value}"))
    for source in agency.sources:
        screen.print(clean(f"  {'Source:':<19}{source.url} (checked {source.verified_on})"))
    if agency.records:
        table = Table(title="Records catalog", title_justify="left")
        table.add_column("id", no_wrap=True)
        for column in ("title", "usual dates", "why"):
            table.add_column(column)
        for record in agency.records:
            dates = ""
            if record.date_from:
                end = record.date_to.isoformat() if record.date_to else "now"
                dates = f"{record.date_from.isoformat()} to {end}"
            add_row(table, record.id, record.title, dates, record.why)
        screen.print(table)


@agencies.command("validate")
@FILE_ARGUMENT
@click.pass_context
def agencies_validate(ctx: click.Context, file: Path | None) -> None:
    """Check the directory and report every problem with its line and field.

    Each problem is printed as FILE:LINE:COLUMN: field.path: what is wrong and what is
    expected. Exits with status 1 when there is any.

    \b
    Examples:
      recordskit agencies validate
      recordskit agencies validate my-agencies.yaml
    """
    from recordskit.service import check_directory

    path = directory_path(ctx, file)
    directory, problems = check_directory(path)
    if problems or directory is None:
        for problem in problems:
            say(problem.render(path))
        raise UserError(f"{path}: {len(problems)} problem{'s' if len(problems) != 1 else ''}")
    records = sum(len(agency.records) for agency in directory.agencies)
    say(f"{path}: OK ({len(directory.agencies)} agencies, {records} records, "
               f"{len(directory.precedents)} precedents)")
    from recordskit.service import untranslated_records

    for agency_id, record_id, codes in untranslated_records(directory):
        say(f"Note: agencies[{agency_id}].records[{record_id}]: its title and why have no "
            f"translation in {', '.join(codes)}, so families reading those languages see them "
            "in English; CONTRIBUTING.md says how to add one (\"Translate a new record\")")


@agencies.command("schema")
def agencies_schema() -> None:
    """Print the JSON Schema of agencies.yaml, for completion and checking in an editor.

    \b
    Example:
      recordskit agencies schema > agencies.schema.json
    """
    from recordskit.service import directory_json_schema

    say(json.dumps(directory_json_schema(), indent=2, ensure_ascii=False))


@agencies.command("stale")
@FILE_ARGUMENT
@click.option("--older-than", "older_than", type=click.IntRange(min=0), default=180,
              show_default=True, help="Days after which a source counts as stale.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Count from this date instead of today (YYYY-MM-DD).")
@click.pass_context
def agencies_stale(ctx: click.Context, file: Path | None, older_than: int,
                   today: object) -> None:
    """List every contact source not checked for a while, to re-check first.

    \b
    Examples:
      recordskit agencies stale
      recordskit agencies stale --older-than 365
    """
    from datetime import datetime

    from recordskit.service import load_directory, stale_sources

    day = today.date() if isinstance(today, datetime) else app.today()
    stale = stale_sources(load_directory(directory_path(ctx, file)), today=day,
                          older_than_days=older_than)
    if not stale:
        say(f"Every source was checked in the last {older_than} days.")
        return
    say(f"{len(stale)} source{'s' if len(stale) != 1 else ''} last checked more than "
               f"{older_than} days before {day}; re-check each page, then run "
               "`recordskit agencies edit ID` to record it:")
    for source in stale:
        say(f"\n{source.agency_id}: checked {source.verified_on} "
                   f"({source.age_days} days ago)\n  {source.url}")
        if source.note:
            say(f"  {source.note}")


@agencies.command("where")
@click.pass_context
def agencies_where(ctx: click.Context) -> None:
    """Which agency directory the commands use, and why that one.

    \b
    Example:
      recordskit agencies where
    """
    in_use = _in_use(ctx)
    say(f"{in_use.path}\n  {in_use.reason}")
    if not in_use.writable:
        say("  Edits need a copy of your own: recordskit agencies init")


@agencies.command("init")
@click.option("--force", is_flag=True, help="Replace your copy if you already have one.")
def agencies_init(force: bool) -> None:
    """Make your own copy of the agency directory, which agencies edit and add then change.

    \b
    Example:
      recordskit agencies init
    """
    from recordskit.service import init_user_copy, recordskit_version

    copy = init_user_copy(recordskit_version(), force=force)
    say(f"Wrote {copy}: your own copy of the directory. `recordskit agencies edit` and `add` "
        "now change it; `recordskit agencies update` brings in a newer release's changes.")


@agencies.command("update")
def agencies_update() -> None:
    """Bring the changes of the directory shipped with this release into your own copy.

    What you changed is kept; where you and the release changed the same field differently,
    yours is kept and the release's value is shown.

    \b
    Example:
      recordskit agencies update
    """
    from recordskit.service import agencies_in_use, update_user_copy, user_agencies_file

    in_use = agencies_in_use()
    if in_use.origin == "checkout":
        raise UserError(
            f"{in_use.path} is the agencies.yaml of this checkout of recordskit, which git keeps: "
            "a new release comes with `git pull` (commit or stash your edits first, and resolve "
            "any conflict in the file; `recordskit agencies validate` names conflict markers "
            "left in it). `agencies update` is for a copy made by `recordskit agencies init` "
            "outside a checkout")
    done = update_user_copy()
    say(f"Took {len(done.taken)} change{'s' if len(done.taken) != 1 else ''} of the shipped "
        "directory into " + str(user_agencies_file())
        + (": " + ", ".join(done.taken) if done.taken else "") + ".")
    for conflict in done.conflicts:
        say(f"Conflict at {conflict.where}: kept yours ({_shown(conflict.yours)}); the release "
            f"has {_shown(conflict.shipped)}.", bold=True)


def _shown(value: object) -> str:
    """A directory value as a volunteer reads it: as written, or as JSON for a list or
    mapping (dates as YYYY-MM-DD), never Python's own notation."""
    if value is None:
        return "nothing"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


@agencies.command("add")
@FILE_ARGUMENT
@click.option("--yes", is_flag=True, help="Write without showing the change and asking.")
@click.pass_context
def agencies_add(ctx: click.Context, file: Path | None, yes: bool) -> None:
    """Add an agency by answering questions; the file keeps its comments and layout.

    \b
    Example:
      recordskit agencies add
    """
    from recordskit.service import EditableDirectory, ask_new_agency

    path = _writable(ctx, file)
    editable = EditableDirectory.open(path)
    taken = [str(a.get("id")) for a in editable.data["agencies"] if isinstance(a, dict)]
    editable.add_agency(ask_new_agency(_asker(), taken))
    text = editable.text()
    if _confirmed(editable, text, yes) and editable.save(text):
        say(f"Added the agency to {path}. Add its records catalog by hand: see "
            "CONTRIBUTING.md.")


@agencies.command("edit")
@click.argument("agency_id")
@FILE_ARGUMENT
@click.option("--set", "assignments", multiple=True, metavar="FIELD=VALUE",
              help="Set a field, such as records_officer.phone=617-635-4601 (repeatable). "
                   "An empty VALUE removes the field.")
@click.option("--source", "source_url", help="Web page where the change was checked.")
@click.option("--verified-on", "verified_on", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="When it was checked (YYYY-MM-DD) [default: today].")
@click.option("--yes", is_flag=True, help="Write without showing the change and asking.")
@click.pass_context
def agencies_edit(ctx: click.Context, agency_id: str, file: Path | None,
                  assignments: tuple[str, ...], source_url: str | None,
                  verified_on: object, yes: bool) -> None:
    """Change an agency's contact details in place, keeping comments and layout.

    Without --set, asks for each contact field with its current value as the default. The
    change is shown as a diff and written only when you say so (--yes: without asking).

    \b
    Examples:
      recordskit agencies edit city-clerk
      recordskit agencies edit bps --set records_officer.phone=617-635-9320 \\
          --source https://www.bostonpublicschools.org/ --verified-on 2026-11-23 --yes
    """
    from datetime import datetime

    from recordskit.service import EditableDirectory, ask_contact, ask_source, parse_value

    path = _writable(ctx, file)
    editable = EditableDirectory.open(path)
    agency = editable.agency(agency_id)
    # The day a person checked a page is a fact of the real world, never the day a
    # RECORDSKIT_TODAY set to view the schedules as of another day
    checked = verified_on.date() if isinstance(verified_on, datetime) else date.today()
    if assignments:
        for assignment in assignments:
            field, sep, raw = assignment.partition("=")
            if not sep or not field:
                raise UserError(f"--set {assignment!r}: expected FIELD=VALUE, such as "
                                "records_officer.phone=617-635-4601")
            if raw.strip().startswith("[") and not raw.strip().endswith("]"):
                raise UserError(f"--set {assignment!r}: the list is not closed; write it as "
                                "[a, b]")
            value = (parse_value(raw, f"--set {field.strip()}") if raw.strip().startswith("[")
                     else raw)
            editable.set(agency_id, field.strip(), value)
    else:
        asker = _asker()
        editable.apply_answers(agency_id, ask_contact(asker, agency))
        sources = agency.get("sources") or []
        # Re-dating a source certifies the contact as checked: an explicit act, never what
        # Enter does (a stale contact would drop out of `agencies stale`).
        if asker.confirm("Did you check these details against a web page just now, and want "
                         "to record that?", default=False):
            source_url, checked = ask_source(
                asker, str(sources[0].get("url")) if sources else "")
    if source_url:  # re-checking unchanged details is worth recording too
        editable.record_source(agency_id, source_url, checked)
    text = editable.text()
    if text == editable.original:
        say(f"Nothing changed; {path} was left as it was.")
    elif _confirmed(editable, text, yes) and editable.save(text):
        say(f"Updated {agency_id} in {path}.")


def _in_use(ctx: click.Context, file: Path | None = None) -> InUse:
    from recordskit.service import agencies_in_use

    root = ctx.find_root()
    named = (root.obj or {}).get("agencies_path")
    if root.get_parameter_source("agencies_path") == click.core.ParameterSource.ENVIRONMENT:
        named = None  # agencies_in_use reads the variable itself, and says so
    return agencies_in_use(file or named)


def _writable(ctx: click.Context, file: Path | None) -> Path:
    """The directory an edit goes to; the shipped copy is refused, since an install replaces
    it and the edit would silently be lost."""
    in_use = _in_use(ctx, file)
    if not in_use.writable:
        raise UserError(
            f"the directory in use is {in_use.path}, {in_use.reason}, so an edit there would "
            "be lost at the next install. Make a copy of your own with `recordskit agencies "
            "init` (edits then go there), run the command inside a checkout of the "
            "repository, or name the file to edit")
    return in_use.path


def _confirmed(editable: EditableDirectory, text: str, yes: bool) -> bool:
    """Show the change to ``text``; write it when the person says so, or with --yes."""
    changes = editable.diff(text)
    if not changes:
        say(f"Nothing changed; {editable.path} was left as it was.")
        return False
    editable.check(text)  # a change that would break the file is refused before it is shown
    if yes:
        return True
    say(changes.rstrip("\n"))
    if not app.has_terminal():
        raise UserError("nothing was written: add --yes to write this change without asking")
    if _asker().confirm(f"Write this change to {editable.path}?", default=True):
        return True
    say("Nothing was written.")
    return False


def _asker() -> Asker:
    return terminal_asker(
        "this command asks questions and needs a terminal; without one, edit agencies.yaml by "
        "hand or use `recordskit agencies edit ID --set FIELD=VALUE`")
