"""Answers files: a request written down as YAML or JSON, for ``recordskit new --answers``.

The keys are exactly those of ``Request`` (see ``ANSWER_KEYS``); ``requester`` is a mapping
with the keys of ``Requester``. Any other key, or a bad value, is refused with its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from recordskit import inputfile
from recordskit.errors import InputFileError, Problem
from recordskit.i18n import _
from recordskit.models import ANSWER_KEYS, Directory, Request


def load_answers(path: Path, directory: Directory) -> Request:
    """Read an answers file and check it against the directory."""
    data, node = inputfile.read(path)
    return request_from(data, directory, file=path, node=node)


def request_from(data: Any, directory: Directory, *, file: Path | str | None = None,
                 node: yaml.Node | None = None) -> Request:
    """A ``Request`` from plain answer data, or an ``InputFileError`` naming every problem."""
    if not isinstance(data, dict):
        raise InputFileError(file, [Problem("", _(
            "expected a mapping of answers with the keys: {keys}").format(
                keys=", ".join(ANSWER_KEYS)), 1, 1)])
    try:
        return Request.model_validate(data, context={"directory": directory})
    except ValidationError as exc:
        raise InputFileError(file, inputfile.problems_from(exc, node, Request)) from None


def answers_yaml(request: Request) -> str:
    """The request as an answers file that ``recordskit new --answers`` reads back."""
    data = request.answers()
    data["max_fee"] = float(request.max_fee)
    header = ("# recordskit answers: run `recordskit new --answers answers.yaml --out DIR` to "
              "make these files again.\n")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when present: faster
    body = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=88)
    return header + body
