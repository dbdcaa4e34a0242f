"""The questions an interview can ask, as a small protocol any front end can answer.

The interview (``recordskit.intake.interview``) and the volunteers' questions
(``recordskit.directory.questions``) only ever talk to an ``Asker``; the terminal one is
``recordskit.intake.terminal``, and tests answer with real key presses through it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from recordskit.errors import UserError

Validator = Callable[[str], bool | str]


class Cancelled(UserError):
    """The person chose not to write the files."""


@dataclass(frozen=True)
class Option:
    """One choice in a list: what the person sees, what the program gets, and a help line."""

    title: str
    value: str
    description: str = ""
    checked: bool = False


class Asker(Protocol):
    """The questions an interview can ask; ``recordskit.intake.terminal`` asks them on screen."""

    def say(self, text: str) -> None: ...

    def text(self, message: str, *, default: str = "", instruction: str = "",
             validate: Validator | None = None) -> str: ...

    def select(self, message: str, options: list[Option], *, default: str | None = None,
               instruction: str = "") -> str: ...

    def checkbox(self, message: str, options: list[Option], *, instruction: str = "",
                 validate: Callable[[list[str]], bool | str] | None = None) -> list[str]: ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...
