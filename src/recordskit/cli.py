"""The ``recordskit`` command line: parse, call the library, print. No logic of its own.

Heavy libraries (docxtpl, holidays, questionary, rich) are imported inside the commands that use
them, so ``recordskit --help`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recordskit.errors import RecordskitError

if TYPE_CHECKING:
    from recordskit.generate import MadeRequest
    from recordskit.models import Directory

FILE_ROLES = {
    "letter.docx": "the letter to send",
    "letter.pdf": "the letter as PDF",
    "email.eml": "an email draft to the agency, with the letter attached",
    "how_to_send.txt": "where and how to send it, and what proof to keep",
    "summary.docx": "for you, in your language: what you asked and each date",
    "schedule.docx": "every date on one printable page",
    "schedule.pdf": "the same page as PDF",
    "schedule.csv": "every deadline, for a spreadsheet",
    "schedule.ics": "every deadline, to import into a calendar",
    "answers.yaml": "your answers, to make these files again",
}


class _Group(click.Group):
    """Turns recordskit's own errors into a message and exit status 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RecordskitError as exc:
            click.secho(f"Error: {exc}", err=True, fg="red")
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("\nCancelled. Nothing was written.", err=True)
            sys.exit(130)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="recordskit")
@click.option("--agencies", "agencies_path", type=click.Path(path_type=Path, dir_okay=False),
              envvar="RECORDSKIT_AGENCIES", show_envvar=True,
              help="Agency directory to use instead of the one recordskit ships.")
@click.pass_context
def cli(ctx: click.Context, agencies_path: Path | None) -> None:
    """Massachusetts public records requests to Boston agencies, with every deadline.

    \b
    Start here:
      recordskit new                      answer a few questions, get the letter
      recordskit new --answers FILE       the same from a file, no questions
      recordskit agencies list            who you can ask, and for what
    """
    ctx.obj = {"agencies_path": agencies_path}


def _directory(ctx: click.Context) -> Directory:
    from recordskit.directory import load_directory

    return load_directory(directory_path(ctx))


def directory_path(ctx: click.Context, given: Path | None = None) -> Path:
    """The agency directory a command works on: its argument, --agencies, or the shipped one."""
    from recordskit.paths import agencies_file

    root = ctx.find_root()
    chosen: Path | None = given or (root.obj or {}).get("agencies_path")
    return chosen or agencies_file()


@cli.command()
@click.option("--answers", "answers_path", type=click.Path(path_type=Path, dir_okay=False),
              help="YAML or JSON file of answers: run without questions.")
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the files [default: ./request-AGENCY-DATE].")
@click.option("--force", is_flag=True, help="Replace files that already exist in the folder.")
@click.option("--pdf", is_flag=True, help="Also write letter.pdf and schedule.pdf (needs "
              "LibreOffice).")
@click.option("--lang", "lang", help="Language of the interview and of summary.docx: en, es "
              "(español) or ht (kreyòl ayisyen) [default: from the system's locale]. The letter "
              "stays in English.")
@click.option("--allow-personal-details", "allow_personal", is_flag=True,
              help="Write the letter even if an answer holds a child's name, a student ID, an "
                   "A-number or immigration details.")
@click.option("--no-log", "no_log", is_flag=True,
              help="Do not record the request in the request log on this computer.")
@click.pass_context
def new(ctx: click.Context, answers_path: Path | None, out: Path | None, force: bool,
        pdf: bool, lang: str | None, allow_personal: bool, no_log: bool) -> None:
    """Write a public records request letter and its schedule.

    Without --answers, asks its questions in the terminal. The folder receives letter.docx,
    schedule.csv, schedule.ics and answers.yaml. Existing files are never replaced without
    --force.

    \b
    Examples:
      recordskit new
      recordskit new --out my-request
      recordskit new --answers answers.yaml --out my-request
    """
    from recordskit.i18n import detect_language, set_language

    set_language(lang or detect_language())
    directory = _directory(ctx)
    if answers_path is not None:
        from recordskit.answers import load_answers

        request = load_answers(answers_path, directory)
        if not allow_personal:
            from recordskit.privacy import personal_details, refuse

            refuse(personal_details(request), answers_path)
    else:
        from recordskit.errors import InteractiveSessionError
        from recordskit.prompts import NO_TERMINAL, TerminalAsker

        if not _has_terminal():
            raise InteractiveSessionError(NO_TERMINAL)
        from recordskit.interview import run_interview

        request = run_interview(TerminalAsker(click.echo), directory)
    from recordskit.generate import make_request

    folder = out or _free_folder(Path.cwd(), f"request-{request.agency}-{request.sent_on}")
    made = make_request(request, directory, folder, force=force, pdf=pdf)
    _report(made, folder)
    if not no_log:
        from recordskit.tracker import RequestLog

        log = RequestLog()
        log.record_request(made.request_id, request, folder=folder.resolve())
        click.echo(f"Logged as request {made.request_id} ({log.path}). When you hear back: "
                   f"recordskit log {made.request_id} ...; to see every deadline: "
                   "recordskit status")


def _has_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _free_folder(parent: Path, name: str) -> Path:
    """``parent/name``, or ``name-2``, ``name-3``… when it is taken: a default never overwrites."""
    candidate, number = parent / name, 1
    while candidate.exists():
        number += 1
        candidate = parent / f"{name}-{number}"
    return candidate


def _report(made: MadeRequest, folder: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from recordskit.law import LAW
    from recordskit.letter import long_date
    from recordskit.timeline import event_title

    console = Console(highlight=False)
    console.print(f"Wrote [bold]{folder}[/bold]/")
    for name in made.files:
        console.print(f"  {name:<14} {FILE_ROLES.get(name, '')}")
    table = Table(title=f"Schedule ({made.agency.calendar} business-day calendar)",
                  title_justify="left")
    table.add_column("Date", no_wrap=True)
    table.add_column("What")
    table.add_column("Law", style="dim")
    student = made.request.student is not None
    for deadline in made.schedule.deadlines:
        table.add_row(f"{deadline.date:%a} {long_date(deadline.date)}",
                      event_title(deadline.event, made.agency, student=student),
                      deadline.citation)
    console.print(table)
    for note in made.schedule.notes:
        console.print(f"Note: {note}")
    console.print("What each date means, and what to do then, is in schedule.csv and "
                  "schedule.ics.")
    if not student:
        rule = LAW["written_request_for_appeal"]
        console.print(f"Keep a copy of what you send: {rule.statement} ({rule.citation}).")


def main() -> None:
    """The console script."""
    cli(prog_name="recordskit")


# The command groups live in their own modules; importing them registers them on `cli`.
from recordskit import (  # noqa: E402, F401
    cli_agencies,
    cli_batch,
    cli_templates,
    cli_tracking,
)
