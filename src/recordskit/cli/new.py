"""``recordskit new``: the interview (or an answers file), then the letter and its schedule."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from recordskit.cli.app import (
    add_row,
    clean,
    cli,
    console,
    invoked_as,
    say,
    terminal_asker,
    workspace_for,
)
from recordskit.service import _

if TYPE_CHECKING:
    from recordskit.service import MadeRequest




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
@click.option("--by", "by", help="Who is making it, for the request log [default: "
              "RECORDSKIT_USER, or your login name].")
@click.option("--past", is_flag=True, help="The answers' sent_on is really a day long gone (the "
              "letter was sent then): make the files though its first deadline has passed.")
@click.pass_context
def new(ctx: click.Context, answers_path: Path | None, out: Path | None, force: bool,
        pdf: bool, lang: str | None, allow_personal: bool, no_log: bool, by: str | None,
        past: bool) -> None:
    """Write a public records request letter and its schedule.

    Without --answers, asks its questions in the terminal. The folder receives letter.docx
    (the letter to send), email.eml (a draft to the agency, when the directory has its
    email), how_to_send.txt, summary.docx (for you, in your language), schedule.docx (every
    date on one page), schedule.csv, schedule.ics and answers.yaml; with --pdf, letter.pdf
    and schedule.pdf. Existing files are never replaced without --force.

    \b
    Examples:
      recordskit new
      recordskit new --out my-request
      recordskit new --answers answers.yaml --out my-request
    """
    from recordskit.service import (
        current_language,
        default_folder,
        detect_language,
        kept_language,
        load_answers,
        make_request,
        set_language,
    )

    set_language(lang or detect_language())
    workspace = workspace_for(ctx)
    directory = workspace.directory
    if answers_path is not None:
        request = load_answers(answers_path, directory)
        if lang is None and request.language:  # what follows is said in the family's language
            set_language(request.language)
    else:
        from recordskit.service import NO_TERMINAL, run_interview

        request = run_interview(terminal_asker(NO_TERMINAL), directory, today=workspace.today)
        # The interview asked about each personal detail, and about a past day
        allow_personal = past = True
    if lang is None and request.language:  # an answers file names its family's language
        set_language(request.language)
    # The request remembers its language, so later commands speak it.
    request = request.model_copy(update={"language": kept_language(current_language())})
    folder = out or default_folder(request, Path.cwd())
    log = None if no_log else workspace.log
    made = make_request(request, directory, folder, force=force, pdf=pdf, log=log, by=by,
                        allow_personal_details=allow_personal, past=past,
                        today=workspace.today, source=answers_path)
    _report(made, folder)
    if log is not None:
        say(_("Logged as request {id} ({location}). When you hear back: {log_command}; to see "
              "every deadline: {status_command}").format(
                  id=made.request_id, location=log.location,
                  log_command=f"{invoked_as()} log {made.request_id} ...",
                  status_command=f"{invoked_as()} status"))
        for earlier, number in made.replaced:
            say(_("Request {id} was logged for this folder before; its files are now this "
                  "request's, so it is marked withdrawn. If it was sent and still stands: "
                  "{command}").format(id=earlier,
                                      command=f"{invoked_as()} undo {earlier} {number}"))


def _report(made: MadeRequest, folder: Path) -> None:
    """What was written and every date, in the person's language (English keeps the letter-
    writer's titles and the business-day calendar's name; another language the family's)."""
    from rich.table import Table
    from rich.text import Text

    from recordskit.service import (
        LAW,
        current_language,
        deadline_title,
        family_words,
        file_role,
        local_date,
        long_date,
        notes_in_words,
        rule_statement,
    )

    # Left as a fork of content, not of words (see deadline_in_words): in English the letter-
    # writer's table (the calendar's name, each date's title, the data files); elsewhere the
    # family's (her dates with what to do, her pages).
    english = current_language() == "en"
    screen = console()
    wrote, _after = _("Wrote {folder}/").split("{folder}", 1)
    screen.print(Text.assemble(wrote, (clean(folder), "bold"), "/"))
    for name in made.files:
        screen.print(f"  {name:<14} {file_role(name)}")
    table = Table(title=_("Schedule ({calendar} business-day calendar)").format(
        calendar=made.agency.calendar) if english else _("Your dates"), title_justify="left")
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("What"))
    table.add_column(_("Law"), style="dim")
    student = made.request.student is not None
    for deadline in made.schedule.deadlines:
        words = None if english else family_words(deadline)
        when = f"{deadline.date:%a} {long_date(deadline.date)}" if english else local_date(
            deadline.date)
        if words is None:
            what = deadline_title(deadline, made.agency.short_name, student=student)
        else:
            what = words[0] + (" " + _("(expected)") if deadline.basis == "assumed" else "")
        add_row(table, when, what, deadline.citation)
    screen.print(table)
    for note in notes_in_words(made.schedule.notes):
        screen.print(clean(_("Note: {note}").format(note=note)))
    screen.print(_("What each date means, and what to do then, is in schedule.csv and "
                   "schedule.ics.") if english else
                 _("What each date means, and what to do then, is in summary.docx and "
                   "schedule.docx."))
    if not student:
        screen.print(_("Keep a copy of what you send: {rule} ({citation}).").format(
            rule=rule_statement("written_request_for_appeal"),
            citation=LAW["written_request_for_appeal"].citation))
