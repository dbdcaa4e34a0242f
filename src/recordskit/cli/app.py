"""The ``recordskit`` command group and what every command shares.

The group turns recordskit's own errors into a message and exit status 1, never a traceback,
and names the command-line option of a field the library's error names. Heavy libraries
(docxtpl, holidays, questionary, rich) are imported inside the commands that use them, so
``recordskit --help`` starts fast.
"""

from __future__ import annotations

import functools
import importlib
import re
import shlex
import shutil
import sys
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from recordskit.service import RecordskitError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from recordskit.service import Asker, ClinicSettings, Directory, RequestLog, Workspace

class _Date(click.ParamType[datetime]):
    """A day: YYYY-MM-DD, or, in a language that writes the day first (Spanish, Haitian
    Creole), the way a family writes one (22/01/2027); its error is in the language in use."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> datetime:
        if isinstance(value, datetime):
            return value
        from recordskit.service import _, day_first

        text = str(value).strip()
        found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
        family = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
        try:
            day = None
            if found:
                day = datetime(int(found[1]), int(found[2]), int(found[3]))
            elif family and day_first():
                day = datetime(int(family[3]), int(family[2]), int(family[1]))
        except ValueError:
            day = None
        if day is not None:
            from recordskit.service import UserError, parse_day

            try:  # within the range every date recordskit keeps must be in
                parse_day(day.date(), param.name or "date" if param else "date")
            except UserError as exc:
                return self.fail(str(exc), param, ctx)
            return day
        return self.fail(_("{value} is not a date; write it YYYY-MM-DD, such as "
                           "2027-01-22").format(value=repr(text)[:40]), param, ctx)


class _Choice(click.Choice[str]):
    """One of a list of words, refused in the language in use."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None
                ) -> str:
        try:
            return str(super().convert(value, param, ctx))
        except click.BadParameter:
            from recordskit.service import _

            return self.fail(_("{value} is not one of: {choices}").format(
                value=repr(str(value))[:40], choices=", ".join(map(str, self.choices))),
                param, ctx)


DATE = _Date()


def choice(words: Iterable[str]) -> click.Choice[str]:
    """A choice among ``words`` whose refusal is in the language in use."""
    return _Choice(list(words))

# Everything the commands print passes through these: text from people, files, the log and the
# directory may hold terminal escape sequences (which could rewrite the screen) or rich markup
# (which would be run, or crash on "[/x]"); it is shown as typed, less control characters and
# the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069), which would make a
# terminal that orders text both ways show the rest of the line reversed or moved. Documents
# keep them: there a name in Arabic or Hebrew may need them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


LANG_HELP = ("Language of what this command prints and of the family's pages: en, es or ht "
             "[default: the request's own language, else your computer's]")


def speak(lang: str | None, request_language: str = "") -> None:
    """Use ``--lang`` when given, else the language the request was made in, else the
    computer's: a request made in Spanish keeps speaking Spanish."""
    from recordskit.service import detect_language, set_language

    set_language(lang or request_language or detect_language())


def clean(text: object) -> str:
    """Text as the terminal may show it: control characters (ESC, CR, …) removed."""
    return _CONTROL.sub("", str(text))


def say(text: object, *, err: bool = False, bold: bool = False) -> None:
    """Print one message, cleaned."""
    click.secho(clean(text), err=err, bold=bold or None)


def json_array(items: Iterable[object]) -> Iterator[str]:
    """``json.dumps(list(items), indent=2, ensure_ascii=False)`` and a newline, in pieces, one
    item at a time: a command that lists a whole log writes it as it goes."""
    import json

    first = True
    for item in items:
        body = json.dumps(item, indent=2, ensure_ascii=False).replace("\n", "\n  ")
        yield ("[\n  " if first else ",\n  ") + body
        first = False
    yield "[]\n" if first else "\n]\n"


def console(*, stderr: bool = False) -> Console:
    """A rich console that never reads markup (a cell shows ``[/bold]`` as typed) and cleans
    every text it prints."""
    return _cleaning_console()(stderr=stderr, highlight=False, markup=False, emoji=False)


@functools.cache
def _cleaning_console() -> type[Console]:
    """The console class every table and line the command line prints goes through: each
    piece of text it renders (a cell, a table's title and headers, a line built with
    ``Text``, a translation) passes ``clean`` on its way out, so no text, whatever its source,
    writes an escape sequence. Rich's own styling is not text but a control (kept)."""
    from rich.console import Console
    from rich.segment import Segment

    class CleaningConsole(Console):
        def render(self, renderable: Any, options: Any = None) -> Iterator[Segment]:
            for segment in super().render(renderable, options):
                if segment.control is None and _CONTROL.search(segment.text):
                    yield Segment(clean(segment.text), segment.style)
                else:
                    yield segment

    return CleaningConsole


def add_row(table: Table, *cells: object) -> None:
    """A table row of cleaned text."""
    table.add_row(*(clean(cell) for cell in cells))


def _refuse_option(exc: click.BadParameter) -> NoReturn:
    """An option's value refused, worded here (not by click) in the language in use; exit 2,
    as click's own usage errors do."""
    from recordskit.service import _

    option = exc.param.opts[0] if exc.param is not None and exc.param.opts else ""
    problem = f"{option}: {exc.message}" if option else exc.message
    click.secho(clean(_("Error: {message}").format(message=problem)), err=True, fg="red")
    sys.exit(2)


class Command(click.Command):
    """Names the option behind a field that a library error names (``force`` -> ``--force``)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.BadParameter as exc:
            _refuse_option(exc)
        except RecordskitError as exc:
            field = getattr(exc, "field", None)
            flags = [p.opts[0] for p in self.params
                     if isinstance(p, click.Option) and p.name == field]
            if flags:
                exc.add_note(flags[0])
            raise


class _Group(click.Group):
    """Turns recordskit's own errors into a message and exit status 1, never a traceback."""

    command_class = Command
    group_class = type  # subgroups are _Group too, so their commands are _Command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # What is said before a command knows its request (an option refused while it is
        # read) is said in --lang, when given, else in the computer's language.
        from recordskit.service import detect_language, set_language

        given = next((args[i + 1] for i, word in enumerate(args[:-1]) if word == "--lang"), "")
        given = given or next((w.split("=", 1)[1] for w in args if w.startswith("--lang=")), "")
        rest = super().parse_args(ctx, args)
        try:
            set_language(given or _request_language(ctx, args) or detect_language())
        except RecordskitError:  # an unknown --lang: the command says so when it reads it
            set_language(detect_language())
        return rest

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.BadParameter as exc:
            _refuse_option(exc)
        except RecordskitError as exc:
            notes = getattr(exc, "__notes__", [])
            hint = f" ({notes[0]})" if notes else ""
            from recordskit.service import _

            click.secho(clean(_("Error: {message}").format(message=f"{exc}{hint}")), err=True,
                        fg="red")
            sys.exit(1)
        except KeyboardInterrupt as stopped:
            # What was written, when something was (a note the library adds), else nothing.
            from recordskit.service import _

            notes = getattr(stopped, "__notes__", None) or [_("Nothing was written.")]
            click.echo("\n" + clean(_("Cancelled. {what}").format(what=notes[0])), err=True)
            sys.exit(130)


COMMAND_MODULES = {
    "agencies": "agencies", "batch": "batch", "clinic": "clinic", "intake": "clinic",
    "staff": "clinic", "new": "new", "reply": "reply", "serve": "serve",
    "templates": "templates", "appeal": "tracking", "calendar": "tracking",
    "followup": "tracking", "log": "tracking", "show": "tracking", "status": "tracking",
    "undo": "tracking",
}
"""The module of ``recordskit.cli`` that registers each top-level command (its decorators run
when it is imported)."""


class _CommandsOnDemand(MutableMapping[str, click.Command]):
    """The top-level commands, each module imported the first time one of its commands is
    asked for: ``status`` loads the tracking commands' module, not the interview's, the
    directory editor's or the clinic's (a fifth of a second of start-up at most). Listing the
    names loads nothing; ``--help``, which shows each command's help, loads them all."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded and name in self._modules:
            importlib.import_module(f"recordskit.cli.{self._modules[name]}")  # registers it
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self._loaded[name]
        self._modules.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._loaded or name in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._loaded.keys() | self._modules.keys()))

    def __len__(self) -> int:
        return len(self._loaded.keys() | self._modules.keys())


@click.group(cls=_Group, commands=_CommandsOnDemand(COMMAND_MODULES),
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="recordskit")
@click.option("--agencies", "agencies_path", type=click.Path(path_type=Path, dir_okay=False),
              envvar="RECORDSKIT_AGENCIES", show_envvar=True,
              help="Agency directory to use instead of the one recordskit ships.")
@click.option("--database", "database_url", envvar="RECORDSKIT_DATABASE_URL", show_envvar=True,
              metavar="URL", help="A shared request log on a PostgreSQL server "
              "(postgresql://USER@HOST/DATABASE) instead of the file on this computer.")
@click.option("--config", "config_path", type=click.Path(path_type=Path, dir_okay=False),
              envvar="RECORDSKIT_CONFIG", show_envvar=True, metavar="FILE",
              help="A clinic's settings file (`clinic setup` writes it): its database, and "
                   "what `serve --clinic` and `clinic purge` use unless told otherwise.")
@click.pass_context
def cli(ctx: click.Context, agencies_path: Path | None, database_url: str | None,
        config_path: Path | None) -> None:
    """Massachusetts public records requests to Boston agencies, with every deadline.

    \b
    Start here:
      recordskit new                      answer a few questions, get the letter
      recordskit new --answers FILE       the same from a file, no questions
      recordskit agencies list            who you can ask, and for what
    """
    settings = None
    if config_path is not None:
        from recordskit.service import read_settings

        settings = read_settings(config_path)
        database_url = database_url or settings.database_url
    ctx.obj = {"agencies_path": agencies_path, "database_url": database_url,
               "clinic_settings": settings, "config_path": config_path}


def clinic_settings(ctx: click.Context) -> ClinicSettings | None:
    """The settings file ``--config`` named, read; None without one."""
    root = ctx.find_root()
    found: ClinicSettings | None = (root.obj.get("clinic_settings")
                                    if isinstance(root.obj, dict) else None)
    return found


_ABOUT_ONE_REQUEST = frozenset({"log", "show", "undo", "followup", "appeal"})


def _request_language(ctx: click.Context, args: list[str]) -> str:
    """The language of the request a command names (``log ID …``), so that what is refused
    while its options are read (a day written 22/01/2027) is said, and read, her way; "" when
    there is none, or it cannot be found (the command then says why)."""
    at = next((i for i, word in enumerate(args[:-1]) if word in _ABOUT_ONE_REQUEST), None)
    if ctx.parent is not None or at is None:
        return ""
    if not re.fullmatch(r"[0-9a-fA-F]{4,64}", args[at + 1]):
        return ""
    from recordskit.service import Workspace, find_request

    try:
        workspace = Workspace(ctx.params.get("agencies_path"),
                              ctx.params.get("database_url") or "")
        if not workspace.log.exists():
            return ""
        return find_request(workspace, args[at + 1]).request.language
    except RecordskitError:
        return ""


def invoked_as() -> str:
    """How the person started recordskit, so that the commands it prints run as printed:
    ``recordskit`` when that is the command on PATH, else the path as typed
    (``.venv/bin/recordskit`` after the quick start, without an activated environment); with
    the clinic's settings file when one was given (``--config``), so that a printed command
    reaches the same log."""
    program = _program()
    context = click.get_current_context(silent=True)
    root = context.find_root().obj if context is not None else None
    config = root.get("config_path") if isinstance(root, dict) else None
    return f"{program} --config {shlex.quote(str(config))}" if config else program


@functools.cache
def _program() -> str:
    typed = sys.argv[0] if sys.argv else ""
    if Path(typed).name != "recordskit":  # python -m recordskit, or a test's runner
        return "recordskit"
    found = shutil.which("recordskit")
    if found and Path(found).resolve() == Path(typed).resolve():
        return "recordskit"
    return shlex.quote(typed)


def workspace_for(ctx: click.Context) -> Workspace:
    """What the commands of this run work on: --agencies, --database, and today (one per
    run, so the directory is loaded and the log opened at most once)."""
    from recordskit.service import Workspace

    root = ctx.find_root()
    options = root.obj if isinstance(root.obj, dict) else {}
    if "workspace" not in options:
        options["workspace"] = Workspace(options.get("agencies_path"),
                                         options.get("database_url") or "", today=today())
        root.obj = options
    workspace: Workspace = options["workspace"]
    return workspace


def directory_path(ctx: click.Context, given: Path | None = None) -> Path:
    """The agency directory a command works on: its argument, --agencies, or the one in use."""
    return given or workspace_for(ctx).directory_path


def open_log_for(ctx: click.Context) -> RequestLog:
    """The request log a command works on: --database / RECORDSKIT_DATABASE_URL, or the file."""
    return workspace_for(ctx).log


def load_directory_for(ctx: click.Context, given: Path | None = None) -> Directory:
    """The agency directory a command works on, loaded and checked."""
    if given is not None:
        from recordskit.service import load_directory

        return load_directory(given)
    return workspace_for(ctx).directory


def today() -> date:
    """Today, or ``RECORDSKIT_TODAY`` (YYYY-MM-DD) to see the schedule as of another day."""
    from recordskit.service import today_from_environment

    return today_from_environment()


def has_terminal() -> bool:
    """Whether a person can answer questions here (both ends are a terminal)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def terminal_asker(no_terminal: str) -> Asker:
    """The questionary asker, or a clear error where nobody can answer."""
    from recordskit.service import InteractiveSessionError, TerminalAsker, _

    if not has_terminal():
        raise InteractiveSessionError(_(no_terminal))
    return TerminalAsker(say, no_terminal=no_terminal)


def main() -> None:
    """The console script."""
    try:
        cli(prog_name="recordskit")  # ends by raising SystemExit, with the command's code
    finally:
        # What the command made lives until the process ends, and the operating system frees
        # it then. Set aside from garbage collection, it is not traversed again by the
        # collections the interpreter runs while it shuts down: those took 0.07 s after a
        # `batch --check` and 0.15 s after a batch of 1,000 rows. Every file and connection was
        # closed where it was used, and temporary folders are removed at exit whatever the
        # collector does (``weakref.finalize``). Only here, in the console program: a program
        # or test that runs the commands keeps its collector as it was.
        import gc

        gc.freeze()
