"""Collect every translatable message into src/recordskit/locale/recordskit.pot.

The messages are the interview's (marked ``_()`` or ``N_()`` in the code) and the catalog's
words people read in the interview: agency names and descriptions, record titles and "why"
lines from agencies.yaml. Translators then update their .po files from the .pot, for example
with ``pybabel update -i src/recordskit/locale/recordskit.pot -d src/recordskit/locale
-D recordskit``, or with Poedit's "Update from POT file".

Usage: python tools/extract_messages.py
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from recordskit import inputfile
from recordskit.directory.load import check_parsed
from recordskit.errors import DirectoryError

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "recordskit"
POT = PACKAGE / "locale" / "recordskit.pot"


def catalog(directory_path: Path = ROOT / "agencies.yaml") -> Catalog:
    """The code's messages, then the catalog's words from ``directory_path``."""
    # Read as every YAML input is (within the limits, no anchors, aliases or tags) and checked
    # as `agencies validate` checks it, so that its words are where they are expected; first,
    # so that a broken file is refused before the code is read.
    directory, node = inputfile.read(directory_path, DirectoryError, duplicates=False)
    _checked, problems = check_parsed(directory, node)
    if problems:
        raise DirectoryError(directory_path, problems)
    messages = code_messages()
    for agency in directory["agencies"]:
        if agency.get("role", "records") != "records":
            continue
        officer = agency.get("records_officer") or {}
        for text in (agency["name"], agency.get("description"), agency.get("family_helpline"),
                     officer.get("title")):
            if text:
                messages.add(text.strip(), locations=[("agencies.yaml", 0)],
                             auto_comments=[f"agency {agency['id']}"])
        for record in agency.get("records", []):
            for key in ("title", "why"):
                messages.add(record[key].strip(), locations=[("agencies.yaml", 0)],
                             auto_comments=[f"{agency['id']} / {record['id']} / {key}"])
    return messages


def code_messages() -> Catalog:
    """Every message marked in the code (``_()`` or ``N_()``), in every subpackage, and in the
    web pages' templates (``{{ _("…") }}``, read by Jinja's own extractor)."""
    messages = Catalog(project="recordskit", charset="utf-8")
    for filename, lineno, message, comments, _context in extract_from_dir(
            PACKAGE, method_map=[("**.py", "python"), ("**/templates/**.html", "jinja2")],
            keywords={"_": None, "N_": None}, comment_tags=("Translators:",)):
        messages.add(message, locations=[(f"src/recordskit/{filename}", lineno)],
                     auto_comments=comments)
    return messages


def main() -> None:
    POT.parent.mkdir(parents=True, exist_ok=True)
    with POT.open("wb") as handle:
        write_po(handle, catalog(), width=100, omit_header=False, sort_output=False,
                 include_lineno=False)
    print(f"wrote {POT}: {len(catalog())} messages")


if __name__ == "__main__":
    main()
