"""Which agency directory and which templates are in use, and why.

The agency directory comes from, in this order:

1. a file named on the command line or in ``RECORDSKIT_AGENCIES``;
2. the ``agencies.yaml`` of a checkout of this repository the command runs in (found by walking
   up from the current folder to the ``pyproject.toml`` that names recordskit), so that a
   volunteer's edits land in the file they will commit, however recordskit was installed;
3. the user's own copy, made by ``recordskit agencies init`` in the platform's config folder;
4. the copy shipped inside the installed package, which is read-only: an install replaces it.

Templates follow the same order, without a user copy (``RECORDSKIT_TEMPLATES``, a checkout,
the shipped copy).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from platformdirs import user_config_dir

from recordskit.errors import UserError

_PACKAGE = Path(__file__).resolve().parent
_SHIPPED = _PACKAGE / "_data"
_SOURCE_TREE = _PACKAGE.parent.parent
"""The repository root when the package runs from its source tree (an editable install)."""

Origin = Literal["explicit", "checkout", "user", "shipped"]


@dataclass(frozen=True)
class InUse:
    """A file in use: where it is, how it was chosen, and whether edits to it are kept."""

    path: Path
    origin: Origin
    reason: str

    @property
    def writable(self) -> bool:
        """Edits last: every origin but the copy an install replaces."""
        return self.origin != "shipped"


def checkout_root(start: Path | None = None) -> Path | None:
    """The checkout of this repository that ``start`` (by default the current folder) is in."""
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        project = candidate / "pyproject.toml"
        try:
            text = project.read_text(encoding="utf-8") if project.is_file() else ""
        except OSError:
            continue
        if 'name = "recordskit"' in text:
            return candidate
    return None


def user_agencies_file() -> Path:
    """Where ``recordskit agencies init`` puts the user's own copy of the directory."""
    return Path(user_config_dir("recordskit", appauthor=False)) / "agencies.yaml"


def shipped_agencies_file() -> Path:
    """The directory that came with this installation."""
    return _shipped("agencies.yaml")


def agencies_in_use(given: Path | None = None, *, cwd: Path | None = None) -> InUse:
    """The agency directory a command works on, and why that one."""
    if given is not None:
        return InUse(given, "explicit", "named on the command line")
    if override := os.environ.get("RECORDSKIT_AGENCIES"):
        return InUse(Path(override), "explicit", "named by RECORDSKIT_AGENCIES")
    root = checkout_root(cwd)
    if root is not None and (root / "agencies.yaml").is_file():
        return InUse(root / "agencies.yaml", "checkout",
                     f"the repository checkout the command runs in ({root})")
    own = user_agencies_file()
    if own.is_file():
        return InUse(own, "user", "your own copy, made by `recordskit agencies init`")
    shipped = shipped_agencies_file()
    if _is_shipped(shipped):
        return InUse(shipped, "shipped", "the copy shipped with recordskit (read-only: an "
                                         "install replaces it)")
    return InUse(shipped, "checkout", "the source tree recordskit runs from")


def agencies_file() -> Path:
    """The agency directory used when none is given."""
    return agencies_in_use().path


def templates_dir() -> Path:
    """The folder of DOCX letter templates: RECORDSKIT_TEMPLATES, a checkout's, or the shipped."""
    if override := os.environ.get("RECORDSKIT_TEMPLATES"):
        return Path(override)
    root = checkout_root()
    if root is not None and (root / "letter_templates").is_dir():
        return root / "letter_templates"
    return _shipped("letter_templates")


def _shipped(name: str) -> Path:
    for candidate in (_SHIPPED / name, _SOURCE_TREE / name):
        if candidate.exists():
            return candidate
    raise UserError(f"cannot find {name}: the installation is incomplete; reinstall recordskit")


def _is_shipped(path: Path) -> bool:
    return path.is_relative_to(_SHIPPED)
