"""Where recordskit finds the files it ships: the agency directory and the letter templates.

In a source checkout they sit at the top of the repository, where volunteers edit them; an
installed wheel carries copies in ``recordskit/_data``. ``RECORDSKIT_AGENCIES`` and
``RECORDSKIT_TEMPLATES`` point at other copies (a clinic's own directory, say).
"""

from __future__ import annotations

import os
from pathlib import Path

from recordskit.errors import UserError

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _shipped(name: str, env: str) -> Path:
    if override := os.environ.get(env):
        return Path(override)
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.exists():
            return candidate
    raise UserError(f"cannot find {name}: the installation is incomplete; reinstall recordskit "
                    f"or set {env}")


def agencies_file() -> Path:
    """The agency directory used when none is given."""
    return _shipped("agencies.yaml", "RECORDSKIT_AGENCIES")


def templates_dir() -> Path:
    """The folder of DOCX letter templates."""
    return _shipped("letter_templates", "RECORDSKIT_TEMPLATES")
