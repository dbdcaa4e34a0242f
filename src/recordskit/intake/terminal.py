"""The interview's questions asked in a terminal, with questionary.

Every prompt uses ``unsafe_ask`` so that Ctrl-C reaches the command line (which says nothing
was written), and an input that ends early (no terminal, a closed pipe) becomes a clear
``InteractiveSessionError`` instead of a hang or a traceback.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any

import questionary
from prompt_toolkit.styles import Style
from questionary.prompts.common import InquirerControl

from recordskit.errors import InteractiveSessionError
from recordskit.i18n import N_, _
from recordskit.intake.asker import Option, Validator

NO_TERMINAL = N_(
    "the interview needs a terminal to ask its questions. To run without one, write your "
    "answers in a file and run: recordskit new --answers answers.yaml --out FOLDER "
    "(the README's 'Answers file' section lists the keys)"
)

_STYLE = Style([("instruction", "italic"), ("answer", "bold")])


class TerminalAsker:
    """Asks each question in the terminal with questionary."""

    def __init__(self, echo: Callable[[str], None] = print, *,
                 no_terminal: str = NO_TERMINAL) -> None:
        self._echo = echo
        self._no_terminal = no_terminal

    def say(self, text: str) -> None:
        self._echo(text)

    def _ask(self, question: questionary.Question) -> Any:
        try:
            return question.unsafe_ask()
        except EOFError:  # no terminal, or the input ended before the questions did
            raise InteractiveSessionError(_(self._no_terminal)) from None

    def text(self, message: str, *, default: str = "", instruction: str = "",
             validate: Validator | None = None) -> str:
        question = questionary.text(message, default=default, instruction=instruction or None,
                                    validate=validate, style=_STYLE)
        return str(self._ask(question))

    def select(self, message: str, options: list[Option], *, default: str | None = None,
               instruction: str = "") -> str:
        question = questionary.select(message, choices=_choices(options), default=default,
                                      instruction=instruction or _("(Use arrow keys)"),
                                      style=_STYLE)
        return str(self._ask(_described_in_place(question)))

    def checkbox(self, message: str, options: list[Option], *, instruction: str = "",
                 validate: Callable[[list[str]], bool | str] | None = None) -> list[str]:
        kwargs: dict[str, Any] = {"validate": validate} if validate else {}
        # questionary sums the answer up in English ("done (2 selections)"): its line is erased
        # when the question is answered, and written again here with the titles chosen, in the
        # interview's language.
        question = questionary.checkbox(message, choices=_choices(options),
                                        instruction=instruction or None, style=_STYLE,
                                        erase_when_done=True, **kwargs)
        values = [str(value) for value in self._ask(_described_in_place(question))]
        chosen = [option.title for option in options if option.value in values]
        self._echo(f"? {message} {'; '.join(chosen) if chosen else _('none')}")
        return values

    def confirm(self, message: str, *, default: bool = True) -> bool:
        yes, no = Option(_("Yes"), "yes"), Option(_("No"), "no")
        # questionary's confirm takes the keys y and n and writes its answer as Yes or No: it
        # is used where those are the language's own words, and a choice of the two otherwise.
        if (yes.title, no.title) != ("Yes", "No"):
            return self.select(message, [yes, no] if default else [no, yes]) == "yes"
        return bool(self._ask(questionary.confirm(message, default=default, style=_STYLE)))


def _described_in_place(question: questionary.Question) -> questionary.Question:
    """Show the pointed choice's description under the choices, without a label.

    questionary labels it with an English "Description:" that no option changes, so its own
    line is switched off and the choice list's text gains the description instead.
    """
    for control in question.application.layout.find_all_controls():
        if isinstance(control, InquirerControl):
            control.show_description = False
            control.text = _with_description(control, control.text)
    return question


def _with_description(control: Any, choices_text: Any) -> Any:  # prompt_toolkit text
    def tokens() -> list[tuple[str, str]]:
        shown = list(choices_text())
        description = control.get_pointed_at().description
        if description:  # wrapped here: the choice list's window does not wrap lines
            width = max(20, shutil.get_terminal_size().columns - 4)
            shown += [("", "\n"), ("class:instruction", textwrap.fill(
                description, width, initial_indent="  ", subsequent_indent="  "))]
        return shown

    return tokens


def _choices(options: list[Option]) -> list[questionary.Choice]:
    return [questionary.Choice(o.title, value=o.value, description=o.description or None,
                               checked=o.checked) for o in options]
