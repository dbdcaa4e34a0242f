"""``recordskit status / show / log / undo / followup / appeal / calendar``: after you send it."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from recordskit.cli.app import (
    DATE,
    LANG_HELP,
    Command,
    add_row,
    choice,
    clean,
    cli,
    console,
    invoked_as,
    json_array,
    say,
    speak,
    workspace_for,
)
from recordskit.service import LOGGABLE, GroundKind, ReplyKind, ResponseKind, _

if TYPE_CHECKING:
    from recordskit.service import LoggedRequest, Notice


def _said(notices: tuple[Notice, ...]) -> tuple[str, ...]:
    """Notes or warnings in the language in use."""
    from recordskit.service import notes_in_words

    return notes_in_words(notices)


def _found(ctx: click.Context, request_id: str, lang: str | None) -> LoggedRequest:
    """The logged request, and from then on its language (or ``--lang``); until it is found,
    an unknown id is reported in ``--lang`` or the computer's language."""
    from recordskit.service import find_request

    speak(lang)
    logged = find_request(workspace_for(ctx), request_id)
    speak(lang, logged.request.language)
    return logged


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--all", "show_all", is_flag=True, help="Every request: closed and withdrawn ones "
              "too, and no limit.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Show at most this many, the most pressing first [default: 50 in the table, "
                   "every one with --json].")
@click.option("--agency", "agency_filter", help="Only requests to this agency (its id).")
@click.option("--state", "state_filter", help="Only requests in this state, such as overdue or "
              "denied.")
@click.option("--due-before", "due_before", type=DATE,
              help="Only requests whose next step falls before this date (YYYY-MM-DD).")
@click.option("--batch", "batch_filter", help="Only the requests of this batch (its id).")
@click.option("--by", "by_filter", help="Only the requests this person made or logged events "
              "for.")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def status(ctx: click.Context, as_json: bool, show_all: bool, agency_filter: str | None,
           state_filter: str | None, due_before: datetime | None,
           batch_filter: str | None, by_filter: str | None, limit: int | None,
           lang: str | None) -> None:
    """The open requests: where each stands, and what to do next, as a command.

    \b
    Examples:
      recordskit status
      recordskit status --state overdue
      recordskit status --due-before 2027-01-31 --agency bps
      recordskit status --json
    """
    from recordskit.service import StatusFilter, status_rows

    workspace = workspace_for(ctx)
    speak(lang)  # an unknown filter value is reported in --lang or the computer's language
    report = status_rows(workspace, StatusFilter(
        agency=agency_filter or "", state=state_filter or "",
        due_before=due_before.date() if due_before else None, batch=batch_filter or "",
        by=by_filter or "", include_closed=show_all,
        limit=None if show_all else limit or (None if as_json else DEFAULT_LIMIT)))
    if as_json:
        from recordskit.service import status_data

        started = invoked_as()
        entries = itertools.chain(
            (status_data(row, workspace.today, started) for row in report.rows),
            ({"id": lg.id, "agency": lg.request.agency, "error": str(why)}
             for lg, why in report.unreadable),
            ({"id": entry.request_id, "error": str(entry)} for entry in report.damaged))
        # Written as it is worked out, a chunk of rows at a time: a whole log's JSON is never
        # held in memory. The text is json.dumps(entries, indent=2)'s, piece by piece.
        for piece in json_array(entries):
            click.echo(clean(piece), nl=False)
        return
    # The requests' own language when they share one (a family's requests), else --lang or the
    # computer's.
    spoken = {row.logged.request.language for row in report.rows}
    speak(lang, spoken.pop() if len(spoken) == 1 else "")
    for entry in report.damaged:
        say(_("Warning: {problem}").format(problem=entry), err=True)
    for _logged, why in report.unreadable:
        say(_("Warning: {problem}, such as: {command}").format(
            problem=why, command=f"{invoked_as()} --agencies FILE status"), err=True)
    if not report.rows:
        say(_("No open requests match. `{new}` makes one; `{every}` lists closed ones too.")
            .format(new=f"{invoked_as()} new", every=f"{invoked_as()} status --all"))
        return
    from rich.table import Table

    from recordskit.service import action_text, references_of, state_text

    table = Table(title=_("Open requests on {date}").format(date=workspace.today),
                  title_justify="left")
    for column, label in (("id", _("id")), ("agency", _("agency")), ("asked", _("asked")),
                          ("state", _("state")), ("next", _("next")),
                          ("do", _("what to do"))):
        table.add_column(label, no_wrap=column in ("id", "next"))
    for row in report.rows:
        # The agency's own reference numbers under the id: what its letters and portal name
        numbers = references_of(row.logged)
        add_row(table, "\n".join([row.logged.id, *numbers]), row.agency.short_name, row.asked,
                state_text(row.timeline.state),
                row.action.date.isoformat() if row.action.date else "",
                action_text(row.action, invoked_as()))
    console().print(table)
    if report.not_shown:
        say(_("{count} more not shown; the most pressing come first (--limit N shows more, "
              "--all every request).").format(count=report.not_shown))


DEFAULT_LIMIT = 50
"""Rows ``status`` shows in its table unless told otherwise: what needs action comes first."""


@cli.command()
@click.argument("request_id")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def show(ctx: click.Context, request_id: str, lang: str | None) -> None:
    """One request: its answers, files, events and whole schedule.

    \b
    Example:
      recordskit show 3f9a2c81
    """
    from rich.table import Table
    from rich.text import Text

    from recordskit.service import (
        answers_in_words,
        answers_yaml,
        current_language,
        deadline_in_words,
        details_text,
        logged_event_text,
        state_text,
        view_of,
    )

    workspace = workspace_for(ctx)
    logged = _found(ctx, request_id, lang)
    view = view_of(workspace, logged)
    timeline, agency = view.timeline, view.agency
    # Left as a fork: in English the answers are shown as the answers file writes them (its
    # keys are English and are what an English user edits); elsewhere in the family's words.
    english = current_language() == "en"
    screen = console()
    where = _(agency.name) if agency else logged.request.agency
    state = state_text(timeline.state) if timeline else _("agency not in this directory")
    screen.print(Text.assemble((_("Request {id}").format(id=logged.id), "bold"),
                               clean(" " + _("to {agency}: {state}").format(agency=where,
                                                                           state=state))))
    if logged.folder:
        screen.print(clean(_("Files: {folder}").format(folder=logged.folder)))
    if logged.batch_id:
        screen.print(clean(_("Batch: {batch}").format(batch=logged.batch_id)))
    screen.print("\n" + _("Answers:"))
    if english or agency is None:  # the answers file's own words, which English speaks
        screen.print(clean(answers_yaml(logged.request).split("\n", 1)[1]))
    else:
        screen.print(clean(answers_in_words(logged.request, workspace.directory)))
    if logged.created_by:
        screen.print(clean(_("Made by: {person}").format(person=logged.created_by)))
    events = Table(title=_("Events"), title_justify="left")
    for column in ("#", _("date"), _("event"), _("details"), _("by")):
        events.add_column(column)
    active = {e.seq for e in logged.active_events}
    for event in logged.events:
        name = logged_event_text(event) if event.seq in active or event.event == "undo" else \
            _("{event} (undone)").format(event=logged_event_text(event))
        add_row(events, str(event.seq), event.on_date.isoformat(), name,
                details_text(event.details), event.recorded_by)
    if logged.events:
        screen.print(events)
    if timeline is None or agency is None:
        screen.print(clean(_("Warning: {problem}").format(problem=view.problem) + "."),
                     style="bold")
        return
    schedule = Table(title=_("Schedule"), title_justify="left")
    for column in (_("date"), _("what"), _("details"), _("law")):
        schedule.add_column(column)
    for deadline in timeline.deadlines:
        add_row(schedule, deadline.date.isoformat(),
                *deadline_in_words(deadline, agency.short_name), deadline.citation)
    screen.print(schedule)
    for note in _said(timeline.notes):
        screen.print(clean(_("Note: {note}").format(note=note)))
    for warning in _said(timeline.warnings):
        screen.print(clean(_("Warning: {problem}").format(problem=warning)), style="bold")


class _LogGroup(click.Group):
    """``log ID EVENT …`` records an event, ``log ID reply FILE`` the events an agency's reply
    calls for; ``log export`` and ``log import`` move the log."""

    command_class = Command

    def resolve_command(self, ctx: click.Context, args: list[str]
                        ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands:  # a request id: record an event
            if len(args) > 1 and args[1] == "reply":  # … or what a reply says
                return "reply", self.commands["reply"], [args[0], *args[2:]]
            return "event", self.commands["event"], args
        return super().resolve_command(ctx, args)


@cli.group("log", cls=_LogGroup)
def log_group() -> None:
    """Record what happened to a request (log ID EVENT), or move the whole log.

    \b
    Examples:
      recordskit log 3f9a2c81 received --on 2026-11-24 --tracking R004625-112426
      recordskit log 3f9a2c81 response --kind extension --until 2027-01-15 --on 2026-12-07
      recordskit log 3f9a2c81 appealed --on 2027-01-20 --number SPR27/0101
      recordskit log 3f9a2c81 reply reply.eml
      recordskit log export requests.jsonl
      recordskit log import requests.jsonl
    """


@log_group.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.pass_context
def log_export(ctx: click.Context, file: Path, force: bool) -> None:
    """Write every request and event of the log to FILE (JSON Lines), losslessly.

    \b
    Example:
      recordskit log export requests.jsonl
    """
    from recordskit.service import export_requests, refuse_to_replace

    if not force:
        refuse_to_replace(file)
    workspace = workspace_for(ctx)
    requests, events = export_requests(workspace, file)
    say(f"Wrote {file}: {requests} request{'s' if requests != 1 else ''} and {events} "
        f"event{'s' if events != 1 else ''} from {workspace.log.location}.")


@log_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
def log_import(ctx: click.Context, file: Path) -> None:
    """Add the requests and events of an export to the log; importing twice adds nothing.

    \b
    Example:
      RECORDSKIT_DATABASE_URL=postgresql://clinic@db.example.org/records \\
          recordskit log import requests.jsonl
    """
    from recordskit.service import import_requests

    workspace = workspace_for(ctx)
    requests, events = import_requests(workspace, file)
    say(f"Added {requests} request{'s' if requests != 1 else ''} and {events} "
        f"event{'s' if events != 1 else ''} to {workspace.log.location}.")


@log_group.command("event", hidden=True)
@click.argument("request_id")
@click.argument("event", type=choice(kind.value for kind in LOGGABLE))
@click.option("--on", "on", type=DATE, required=True, help="When it happened (YYYY-MM-DD).")
@click.option("--tracking", help="received: the agency's reference number.")
@click.option("--kind", type=choice(kind.value for kind in ResponseKind),
              help="response: what the agency answered.")
@click.option("--until", type=DATE, help="response --kind extension: the production date it "
              "set; petition_granted, decided: the date the Supervisor's order gives; "
              "followed_up: the day your letter asked for a reply by.")
@click.option("--amount", help="response --kind fee_estimate, paid: the amount in dollars.")
@click.option("--no-exemption", "no_exemption", is_flag=True,
              help="response: it withheld records without naming a specific exemption.")
@click.option("--days", type=click.IntRange(min=1), help="petition_granted: business days "
              "granted, as the order states.")
@click.option("--number", help="appealed: the Supervisor's appeal number (such as SPR26/1234).")
@click.option("--response", "window", help="appealed: the response appealed (its event number, "
              "as the appeal checklist says), or no_response.")
@click.option("--note", help="Anything else worth keeping with the event.")
@click.option("--by", "by", help="Who is logging it [default: RECORDSKIT_USER, or your login "
              "name].")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def log_command(ctx: click.Context, request_id: str, event: str, on: datetime,
                tracking: str | None, kind: str | None, until: datetime | None,
                amount: str | None, no_exemption: bool, days: int | None, number: str | None,
                window: str | None, note: str | None, by: str | None, lang: str | None
                ) -> None:
    """Record what happened to a request; its schedule is recomputed.

    \b
    Examples:
      recordskit log 3f9a2c81 received --on 2026-11-24 --tracking R004625-112426
      recordskit log 3f9a2c81 response --kind extension --until 2027-01-15 --on 2026-12-07
      recordskit log 3f9a2c81 appealed --on 2027-01-20 --number SPR27/0101
    """
    from recordskit.service import (
        action_text,
        deadline_in_words,
        logged_event_text,
        record_event,
        state_text,
    )

    workspace = workspace_for(ctx)
    _found(ctx, request_id, lang)
    details = {"tracking": tracking, "kind": kind, "until": until.date() if until else None,
               "amount": amount, "no_exemption": no_exemption or None, "days": days,
               "number": number, "window": window, "note": note}
    recorded = record_event(workspace, request_id, event, on.date(), details, by=by)
    view = recorded.view
    if view.timeline is None or view.agency is None or view.action is None:
        raise view.problem or AssertionError("a request just logged has a timeline")
    timeline = view.timeline
    say(_("Logged {event} on {date} as event {number}. State: {state}.").format(
        event=logged_event_text(recorded.event), date=recorded.event.on_date,
        number=recorded.event.seq, state=state_text(timeline.state)))
    if upcoming := timeline.next_deadline(workspace.today):
        title, description = deadline_in_words(upcoming, view.agency.short_name)
        say(_("Next: {date} {title}. {description}").format(
            date=upcoming.date, title=title, description=description))
    if to_do := action_text(view.action, invoked_as()):
        say(_("What to do: {todo}").format(todo=to_do))
    for note_text in _said(timeline.notes):
        say(_("Note: {note}").format(note=note_text))
    for warning in _said(timeline.warnings):
        say(_("Warning: {problem}").format(problem=warning), bold=True)


@log_group.command("reply", hidden=True)
@click.argument("request_id")
@click.argument("file")
@click.option("--kind", "kind", type=choice(kind.value for kind in ReplyKind),
              help="What the reply is, when recordskit is not sure.")
@click.option("--on", "on", type=DATE, help="The day the reply came, when it does not say "
              "(YYYY-MM-DD).")
@click.option("--yes", is_flag=True, help="Log what the reply says without asking (refused "
              "when recordskit is not sure what it is: choose with --kind).")
@click.option("--by", "by", help="Who is logging it [default: RECORDSKIT_USER, or your login "
              "name].")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def log_reply_command(ctx: click.Context, request_id: str, file: str, kind: str | None,
                      on: datetime | None, yes: bool, by: str | None, lang: str | None) -> None:
    """Log what an agency's reply says (FILE: a saved email or text, - for standard input):
    each event it calls for is shown and asked about; the reply is kept in the request's
    folder, under replies/.

    \b
    Examples:
      recordskit log 3f9a2c81 reply reply.eml
      recordskit log 3f9a2c81 reply reply.txt --yes
      recordskit log 3f9a2c81 reply reply.txt --kind fee_estimate --on 2026-12-09
    """
    from recordskit.cli.reply import log_from_reply

    log_from_reply(ctx, request_id, file, kind, on, yes, by, lang)


@cli.command()
@click.argument("request_id")
@click.argument("event_number", type=int)
@click.option("--by", "by", help="Who is undoing it [default: RECORDSKIT_USER, or your login "
              "name].")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def undo(ctx: click.Context, request_id: str, event_number: int, by: str | None,
         lang: str | None) -> None:
    """Undo a mistaken event. Both stay in the log; the schedule forgets the undone one.

    \b
    Example:
      recordskit undo 3f9a2c81 2
    """
    from recordskit.service import event_text, undo

    _found(ctx, request_id, lang)
    undone = undo(workspace_for(ctx), request_id, event_number, by=by)
    say(_("Undid event {number} ({event}).").format(number=event_number,
                                                    event=event_text(undone.details.event)))


@cli.command()
@click.argument("request_id")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for follow_up.docx.")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--pdf", is_flag=True, help="Also write a PDF (needs LibreOffice).")
@click.option("--no-log", "no_log", is_flag=True,
              help="Do not record the follow-up (and its reply-by date) in the request log.")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def followup(ctx: click.Context, request_id: str, out: Path, force: bool, pdf: bool,
             no_log: bool, lang: str | None) -> None:
    """Write a polite, firm follow-up letter for whatever the agency or school left undone.

    For a request with no response, a denial without a specific exemption, a fee asked for after
    the response date, a production date past the limit or one that passed; and, for a student
    record, to the principal when the school has not given access. The follow-up is logged with
    the day it asks for a reply by.

    \b
    Example:
      recordskit followup 3f9a2c81 --out my-request
    """
    from recordskit.service import current_language, make_followup

    workspace = workspace_for(ctx)
    logged = _found(ctx, request_id, lang)
    made = make_followup(logged, workspace.directory, out, today=workspace.today, force=force,
                         pdf=pdf, log=None if no_log else workspace.log,
                         language=current_language())  # --lang, else the request's
    for path in made.paths:
        say(_("Wrote {path}").format(path=path))
    said = [_("It asks for a reply by {date}.").format(date=made.reply_by)]
    if not no_log:
        said.append(_("Logged as sent today."))
    said.append(_("To see what comes next: {command}").format(
        command=f"{invoked_as()} show {logged.id}"))
    say(" ".join(said))


@cli.command()
@click.argument("request_id")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder for the appeal packet.")
@click.option("--ground", "grounds", multiple=True,
              type=choice(ground.value for ground in GroundKind),
              help="A ground to argue besides those the log shows (repeatable).")
@click.option("--objection", "objections", multiple=True,
              help="A specific objection, in your words (repeatable).")
@click.option("--earlier-appeal", "earlier_appeal", default="",
              help="The number of an earlier appeal this one relates to.")
@click.option("--response", "response", type=int,
              help="The response to appeal, by its event number (see `recordskit show ID`) "
                   "[default: the most recent one whose window is open].")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--pdf", is_flag=True, help="Also write PDFs of the letters (needs LibreOffice).")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def appeal(ctx: click.Context, request_id: str, out: Path, grounds: tuple[str, ...],
           objections: tuple[str, ...], earlier_appeal: str, response: int | None, force: bool,
           pdf: bool, lang: str | None) -> None:
    """Write an appeal packet for the Supervisor of Records, as the regulations require it.

    The folder receives appeal.docx (to the Supervisor), appeal_cover.docx (the copy to the
    records access officer) and appeal_checklist.txt (what to attach and send). Refuses when the
    appeal window has closed; warns when it is about to.

    \b
    Example:
      recordskit appeal 3f9a2c81 --out my-request/appeal
    """
    from recordskit.service import current_language, make_appeal, written_date

    workspace = workspace_for(ctx)
    logged = _found(ctx, request_id, lang)
    made = make_appeal(logged, workspace.directory, out, today=workspace.today,
                       grounds=grounds, objections=objections, earlier_appeal=earlier_appeal,
                       response=response, force=force, pdf=pdf,
                       language=current_language())  # --lang, else the request's
    for path in made.paths:
        say(_("Wrote {path}").format(path=path))
    for warning in made.packet.warnings:
        say(_("Warning: {problem}").format(problem=warning), bold=True)
    deadline = written_date(made.packet.deadline)
    say(_("Last day to file: {date}. Read appeal_checklist.txt before sending.").format(
        date=deadline))


@cli.command()
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The .ics file to write.")
@click.option("--force", is_flag=True, help="Replace the file if it exists.")
@click.option("--lang", "lang", help=LANG_HELP)
@click.pass_context
def calendar(ctx: click.Context, out: Path, force: bool, lang: str | None) -> None:
    """One calendar of every open request's deadlines; re-importing updates, never duplicates.

    \b
    Example:
      recordskit calendar --out requests.ics
    """
    from recordskit.service import calendar_file, detect_language, refuse_to_replace, write_file

    if not force:  # before the work; calendar programs update the same events on re-import
        refuse_to_replace(out)
    made = calendar_file(workspace_for(ctx), language=lang or "",
                         default_language=detect_language())
    speak(lang, made.language)
    for problem in made.left_out:
        say(_("Warning: {problem}; its deadlines are left out").format(problem=problem),
            err=True)
    for entry in made.damaged:
        say(_("Warning: {problem}").format(problem=entry), err=True)
    write_file(out, made.chunks(), force=force)
    say(_("Wrote {file}: {count} deadlines of {requests} open requests.").format(
        file=out, count=made.deadlines, requests=made.requests))
