"""The ``recordskit`` command line: parse, call the library, print. No logic of its own.

``app`` holds the group and what commands share; each other module is one family of commands,
registered on the group when imported. The group imports a family's module only when one of
its commands runs (``app.COMMAND_MODULES``), so that a command starts without the others.
"""

from recordskit.cli.app import cli, main

__all__ = ["cli", "main"]
