"""Every error recordskit raises on purpose.

``UserError`` and its subclasses are the user's to fix: the command line prints their message
and exits with status 1, without a traceback. Anything else is a bug in recordskit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DirectoryError",
    "FieldError",
    "InputFileError",
    "InteractiveSessionError",
    "OutputExistsError",
    "PersonalDetailsError",
    "Problem",
    "RecordskitError",
    "TemplateError",
    "UserError",
]


class RecordskitError(Exception):
    """Base class of every error recordskit raises on purpose."""


class UserError(RecordskitError):
    """Something the user can fix; its message says what and how."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong in an input file: where it is, which field, and what is expected."""

    field: str
    message: str
    line: int | None = None
    column: int | None = None

    def render(self, file: Path | str | None) -> str:
        where = str(file) if file is not None else "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class InputFileError(UserError):
    """An input file (answers, spreadsheet, directory) has one or more problems."""

    def __init__(self, file: Path | str | None, problems: Sequence[Problem]) -> None:
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(problem.render(file) for problem in self.problems))


class PersonalDetailsError(InputFileError):
    """Answers from a file carry personal details; ``allow_personal`` lets them through."""

    field = "allow_personal"


class DirectoryError(InputFileError):
    """The agency directory (``agencies.yaml``) is invalid."""


class FieldError(UserError):
    """A value the caller must give or change, named by its field.

    The library speaks of fields (``kind``, ``until``, ``force``); a front end that knows its
    own name for a field (the command line's ``--kind``) adds it, so the library names no flag.
    """

    def __init__(self, message: str, *, field: str) -> None:
        self.field = field
        super().__init__(message)


class InteractiveSessionError(UserError):
    """The interview was started where nobody can answer it."""


class OutputExistsError(FieldError):
    """Writing would overwrite files that already exist; ``force`` allows it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, field="force")


class TemplateError(UserError):
    """A letter template is broken or asks for something the renderer does not supply."""
