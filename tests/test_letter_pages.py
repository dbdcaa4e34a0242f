"""How long a request letter is on paper, and how every catalog item reads inside every letter.

The page budget (a records officer acts on a letter in one reading): up to 3 catalog items on 2
pages, up to 6 on 3, Letter size, 12-point type; the closing and signature never open a page
alone and never split. LibreOffice converts the letters and pdftotext reads the pages back.
"""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from recordskit.documents.rendering.docx_text import docx_text
from recordskit.documents.rendering.pdf import to_pdf
from recordskit.intake.answers import request_from
from recordskit.service import Directory, LoggedRequest, make_appeal, make_followup, prepare_request
from recordskit.text import join_titles, sentence

Answers = Callable[..., dict[str, Any]]

# The longest shape a letter takes: mailed, a public-interest fee waiver, and a signature block
# of five lines under the name.
LONGEST = {
    "delivery": "mail",
    "fee_waiver": "public_interest",
    "requester__organization": "Example Family Law Clinic",
    "requester__mailing_address": "1 Main Street, Apt 2\nBoston, MA 02110",
    "requester__phone": "617-555-0100",
}
OTHER_RECORDS = ("All emails between the City Clerk and the Mayor's Office about the Trust Act "
                 "reports, with their attachments")
PAGE_BUDGET = {1: 2, 3: 2, 6: 3}


def _letter_pdfs(directory: Directory, answers: Answers) -> dict[str, tuple[int, bytes]]:
    """Every choice of 1, 3 and 6 items of each agency's catalog, as ``name -> (items, PDF)``.

    An agency with fewer than six catalog items makes up the sixth with free text.
    """
    counts: dict[str, int] = {}
    documents: dict[str, bytes] = {}
    for agency in ("bps", "bpd", "city-clerk"):
        ids = [record.id for record in directory.agency(agency).records]
        for count in PAGE_BUDGET:
            size = min(count, len(ids))
            for k, chosen in enumerate(itertools.combinations(ids, size)):
                changes = dict(LONGEST, agency=agency, records=list(chosen))
                if count > size:
                    changes["other_records"] = OTHER_RECORDS
                made = prepare_request(request_from(answers(**changes), directory), directory)
                documents[f"{agency}-{count}-{k}.docx"] = made.files["letter.docx"]
                counts[f"{agency}-{count}-{k}.pdf"] = count
    pdfs = to_pdf(documents)
    return {name: (count, pdfs[name]) for name, count in counts.items()}


def _pages(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode()
    return [page for page in text.split("\f") if page.strip()]


def _metric_compatible_times() -> bool:
    """Whether LibreOffice lays Times New Roman out at Word's widths (the font or a metric clone):
    with a wider stand-in such as DejaVu Serif, a page count says nothing about the letter."""
    if shutil.which("fc-match") is None:
        return False
    found = subprocess.run(["fc-match", "Times New Roman"], capture_output=True, text=True,
                           check=False).stdout
    return any(name in found for name in ("Times New Roman", "Liberation Serif", "Tinos"))


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None and shutil.which("libreoffice") is None,
                    reason="LibreOffice is not installed (CI installs it)")
def test_letters_keep_the_page_budget_and_the_signature_whole(directory: Directory,
                                                             answers: Answers) -> None:
    assert shutil.which("pdftotext"), "poppler-utils reads the pages back (CI installs it)"
    assert _metric_compatible_times(), (
        "Times New Roman falls back to a font of other widths; install fonts-liberation "
        "(CI does) so page counts match Word's")
    letters = _letter_pdfs(directory, answers)
    assert len(letters) == 2 * (6 + 20 + 1) + (5 + 10 + 1)  # every choice, none left out
    over = []
    for name, (count, pdf) in sorted(letters.items()):
        pages = _pages(pdf)
        if len(pages) > PAGE_BUDGET[count]:
            over.append(f"{name}: {len(pages)} pages for {count} items")
        closing = next(page for page in pages if "Sincerely," in page)
        # The closing keeps its paragraph before it, and the whole signature block, on its page.
        assert "Questions." in closing, name
        assert closing.index("Questions.") < closing.index("Sincerely,"), name
        for line in ("Ana Pérez", "Example Family Law Clinic", "Boston, MA 02110",
                     "ana@example.org", "617-555-0100"):
            assert line in closing.split("Sincerely,", 1)[1], (name, line)
    assert over == []


# Free text as people type it: no full stop, a full stop, other closing punctuation, names of
# bodies, lower case at the start, trailing spaces and line breaks.
FREE_TEXT = [
    "all emails about the BRIC",
    "Records of the City Council's votes on the Trust Act.",
    "emails that mention ICE or Homeland Security!",
    "the School Committee's minutes (2019)",
    "any memo titled \"Student Information\"",
    "reports   \nabout school police\n",
]
PERIODS = [(None, None), (date(2019, 1, 1), None), (None, date(2020, 6, 30)),
           (date(2019, 1, 1), date(2020, 6, 30))]
_SENTENCE_SLIP = re.compile(r"[\w)\"”] (Period|If you rely on|If [a-z]+ (are|is) withheld)")


def _check_items(text: str, where: str) -> None:
    """Every numbered item starts with a capital and every sentence in it ends before the next."""
    for line in text.splitlines():
        if re.match(r"\d+\. ", line):
            prose = re.sub(r"M\.G\.L\. c\.|U\.S\.", "CITE", line)  # abbreviations, not ends
            for after in re.findall(r"[.!?] (\S)", prose):
                assert after[:1].isupper() or after[:1] in "(\"“", (where, line)
            assert not _SENTENCE_SLIP.search(line), (where, line)
            assert line.rstrip()[-1] in ".!?", (where, line)
    assert "city Council" not in text and "school Committee" not in text, where
    assert ".." not in text.replace("…", ""), where


@pytest.mark.parametrize("agency", ["bps", "bpd", "city-clerk"])
def test_every_catalog_item_and_free_text_shape_reads_right(directory: Directory,
                                                            answers: Answers, agency: str,
                                                            tmp_path: Path) -> None:
    ids = [record.id for record in directory.agency(agency).records]
    for record_id, (other, (start, end)) in itertools.product(
            ids, itertools.product(["", *FREE_TEXT], PERIODS)):
        changes: dict[str, Any] = {"agency": agency, "records": [record_id], "delivery": "mail",
                                   "other_records": other, "date_from": start, "date_to": end}
        made = prepare_request(request_from(answers(**changes), directory), directory)
        _check_items(docx_text(made.files["letter.docx"]), f"{record_id} + {other!r}")
    # The follow-up and the appeal name the same records inside their sentences.
    for record_id, other in itertools.product(ids, ["", *FREE_TEXT]):
        request = request_from(answers(agency=agency, records=[record_id], other_records=other,
                                       delivery="mail"), directory)
        logged = LoggedRequest("0123456789", "", request, "", "", ())
        folder = tmp_path / f"{record_id}-{FREE_TEXT.index(other) if other else 'none'}"
        make_followup(logged, directory, folder / "f", today=date(2026, 7, 10))
        make_appeal(logged, directory, folder / "a", today=date(2026, 7, 10))
        for letter in (folder / "f" / "follow_up.docx", folder / "a" / "appeal.docx"):
            text = docx_text(letter.read_bytes())
            assert "city Council" not in text and "school Committee" not in text, letter
            title = directory.agency(agency).record(record_id).title
            assert join_titles([title]) in text, (letter, title)  # "city Council" never


@pytest.mark.parametrize(("typed", "in_the_letter"), [
    ("all emails about the BRIC", "All emails about the BRIC."),
    ("Records of the votes.", "Records of the votes."),
    ("the minutes (2019)", "The minutes (2019)."),
    ('any memo titled "Student Information"', 'Any memo titled "Student Information".'),
    ("the memo (see item 2.)", "The memo (see item 2.)"),
    ("emails that mention ICE!", "Emails that mention ICE!"),
    ("budgets for 2019, 2020,", "Budgets for 2019, 2020."),
    ("the records listed below:", "The records listed below."),
    ("x &lt;", "X &lt;."),
    ("  spaced  ", "Spaced."),
])
def test_free_text_becomes_one_sentence(typed: str, in_the_letter: str) -> None:
    assert sentence(typed) == in_the_letter
