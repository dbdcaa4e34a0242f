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
    "InputFileError",
    "InteractiveSessionError",
    "OutputExistsError",
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


class DirectoryError(InputFileError):
    """The agency directory (``agencies.yaml``) is invalid."""


class InteractiveSessionError(UserError):
    """The interview was started where nobody can answer it."""


class OutputExistsError(UserError):
    """Writing would overwrite files that already exist."""


class TemplateError(UserError):
    """A letter template is broken or asks for something the renderer does not supply."""
