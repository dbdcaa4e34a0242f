"""``recordskit batch``: many letters from one spreadsheet."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recordskit.cli.app import cli, console, directory_path, say, today, workspace_for
from recordskit.service import BatchStatus, UserError

if TYPE_CHECKING:
    from rich.console import Console

@cli.command()
@click.argument("file", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--out", "out", type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the batch: one sub-folder per row, plus manifest.csv, "
                   "calendar.ics and errors.csv.")
@click.option("--check", "check_only", is_flag=True, help="Check every row; write nothing.")
@click.option("--force", is_flag=True, help="Rewrite rows whose answers changed since they "
              "were produced.")
@click.option("--pdf", is_flag=True, help="Also write letter.pdf and schedule.pdf in every row's "
              "folder (needs LibreOffice).")
@click.option("--allow-personal-details", "allow_personal", is_flag=True,
              help="Produce rows even if an answer holds a child's name, a student ID, an "
                   "A-number or immigration details.")
@click.option("--no-log", "no_log", is_flag=True,
              help="Do not record the rows in the request log.")
@click.option("--workers", type=click.IntRange(min=0), default=0,
              help="Processes to render with [default: one per core].")
@click.option("--past", is_flag=True, help="The rows' sent_on days are really long gone (the "
              "letters were sent then): produce rows whose first deadline has passed.")
@click.option("--by", "by", help="Who is making the batch, for the request log [default: "
              "RECORDSKIT_USER, or your login name].")
@click.option("--move", is_flag=True, help="Rows already logged for another folder move here "
              "(their log entries then name this folder).")
@click.option("--template", "template_path", type=click.Path(path_type=Path, dir_okay=False),
              help="Write a template spreadsheet (.xlsx or .csv) with every column and one "
                   "example row, then stop.")
@click.pass_context
def batch(ctx: click.Context, file: Path | None, out: Path | None, check_only: bool,
          force: bool, pdf: bool, allow_personal: bool, no_log: bool, workers: int,
          past: bool, by: str | None, move: bool, template_path: Path | None) -> None:
    """Produce one request per row of a CSV, XLSX or YAML file.

    Columns are the answers-file keys (records separated by ';', requester fields as
    requester.name, requester.email, ...) plus an optional row_id. Every row is checked, each
    before it is produced (and --check checks them all without producing any);
    bad rows are reported with their row number and column (on stderr and in errors.csv) and
    every good row is still produced. A re-run skips rows already complete, finishes rows a
    stopped run left unfinished, and rewrites a changed row only with --force.

    \b
    Examples:
      recordskit batch --template requests.xlsx
      recordskit batch requests.xlsx --check
      recordskit batch requests.xlsx --out letters
    """
    import sys

    from recordskit.service import load_directory, make_batch, templates_dir

    if template_path is not None:
        from recordskit.service import write_template

        write_template(template_path, force=force, directory=load_directory(directory_path(ctx)),
                       today=today())
        say(f"Wrote {template_path}: fill one row per request, then run "
                   f"recordskit batch {template_path} --out FOLDER")
        return
    if file is None:
        raise UserError("give the batch file: recordskit batch FILE --out FOLDER "
                        "(or --template FILE to get a spreadsheet to fill in)")
    if out is None and not check_only:
        raise UserError("give --out FOLDER for the letters, or --check to only check the rows")
    directory = load_directory(directory_path(ctx))
    workspace = workspace_for(ctx)
    with _progress_bar(console(stderr=True)) as advance:
        report = make_batch(file, out, directory, templates_path=templates_dir(), force=force,
                            check_only=check_only, workers=workers, progress=advance,
                            allow_personal=allow_personal, pdf=pdf,
                            log=None if no_log else workspace.log, past=past,
                            today=workspace.today, by=by, move=move)
    for problem in report.problems:
        column = f" {problem.column}:" if problem.column else ""
        hint = " (--past)" if problem.kind == "passed_date" else ""
        say(f"{file}: row {problem.row}:{column} {problem.message}{hint}", err=True)
    kinds = {problem.kind for problem in report.problems}
    if "slashed_date" in kinds:
        say("Dates such as 11/23/2026 are how Excel writes dates when it saves a CSV file. Write "
            "them as YYYY-MM-DD (format the date columns as text), or save the spreadsheet as "
            ".xlsx, which keeps real dates.", err=True)
    if "logged_elsewhere" in kinds:
        say("Rows already logged for another folder move here only with --move.", err=True)
    if report.count(BatchStatus.CHANGED):
        say("Changed rows are replaced only with --force.", err=True)
    for warning in report.warnings:
        say(f"Warning: {warning}", err=True)
    if check_only:
        bad = len({p.row for p in report.problems})
        say(f"Checked {report.rows} row{'s' if report.rows != 1 else ''}: "
            f"{report.rows - bad} good, {bad} with problems; nothing was written.", err=True)
    else:
        say(report.summary(), err=True)
        if logged := report.log_summary():
            say(logged, err=True)
        if pdf:
            say(f"Wrote {report.pdfs} PDFs.", err=True)
    if report.failed_rows:
        sys.exit(1)


@contextlib.contextmanager
def _progress_bar(screen: Console) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal, drawn as rows are made; nothing (and rich's progress
    module not even loaded) when the output goes to a file or another program."""
    if not screen.is_terminal:
        yield None
        return
    import time

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    # Redrawn from here, not by rich's own refresh thread: a process with one thread can fork
    # its workers, which start faster than spawned ones.
    with Progress("Letters", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=screen, transient=True, auto_refresh=False) as bar:
        task = bar.add_task("letters", total=None)
        drawn = 0.0

        def advance(done: int, total: int) -> None:
            nonlocal drawn
            bar.update(task, completed=done, total=total)
            if done == total or time.monotonic() - drawn > 0.1:
                bar.refresh()
                drawn = time.monotonic()

        yield advance
