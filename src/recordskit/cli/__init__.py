"""The ``recordskit`` command line: parse, call the library, print. No logic of its own.

``app`` holds the group and what commands share; each other module is one family of commands,
registered on the group when imported here.
"""

from recordskit.cli import (  # noqa: F401 (registers)
    agencies,
    batch,
    clinic,
    new,
    reply,
    serve,
    templates,
    tracking,
)
from recordskit.cli.app import cli, main

__all__ = ["cli", "main"]
