"""The interview, driven with real key presses through prompt_toolkit's pipe input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from prompt_toolkit.input.base import PipeInput

from recordskit.errors import InteractiveSessionError
from recordskit.intake.interview import PRIVACY_NOTICE, Cancelled, run_interview
from recordskit.intake.terminal import TerminalAsker
from recordskit.models import Directory
from tests.conftest import BACKSPACE, DOWN, ENTER, SPACE

TODAY = date(2026, 6, 12)


def _run(keys: PipeInput, directory: Directory, *typed: str) -> tuple[object, list[str]]:
    keys.send_text("".join(typed))
    keys.close()
    said: list[str] = []
    return run_interview(TerminalAsker(said.append), directory, today=TODAY), said


def test_whole_interview_for_bps(keys: PipeInput, directory: Directory) -> None:
    request, said = _run(
        keys, directory,
        ENTER,                                   # public records
        ENTER,                                   # agency: Boston Public Schools (first)
        SPACE, DOWN, DOWN, SPACE, ENTER,         # records: 1st and 3rd
        "Emails about R&D <x>", ENTER,           # other records
        "2015-01-01", ENTER, "2018-12-31", ENTER,  # date range
        "Ana Pérez", ENTER, ENTER,                # name, no organization
        "ana@example.org", ENTER, ENTER, ENTER,  # email, no address, no phone
        DOWN, ENTER,                              # delivery: 2nd (portal)
        ENTER,                                    # sent on: today
        DOWN, ENTER,                              # fee waiver: public interest
        "25", ENTER,                              # max fee (typed after the default 0)
        ENTER,                                    # format: electronic
        ENTER,                                    # my own name on the letter
        "y",                                      # confirm
    )
    assert said[0] == PRIVACY_NOTICE
    assert request.agency == "bps"
    assert request.records == ["school-police-reports-shared-with-bric",
                               "disclosure-protocol-2020"]
    assert request.other_records == "Emails about R&D <x>"
    assert (request.date_from, request.date_to) == (date(2015, 1, 1), date(2018, 12, 31))
    assert request.requester.name == "Ana Pérez"
    assert request.requester.email == "ana@example.org"
    assert request.delivery == "portal"
    assert request.sent_on == TODAY
    assert request.fee_waiver == "public_interest"
    assert request.max_fee == Decimal(25)  # "0" default + "25" typed = "025"
    assert request.format == "electronic"
    assert any("To: Boston Public Schools" in text for text in said)


def test_bad_answers_are_refused_until_fixed(keys: PipeInput, directory: Directory) -> None:
    request, _ = _run(
        keys, directory,
        ENTER,                                    # public records
        DOWN, ENTER,                              # agency: BPD
        ENTER,                                    # no catalog record
        ENTER,                                    # empty own words: refused
        "Gang database audit reports", ENTER,     # accepted
        "last year", ENTER,                       # bad date: refused
        BACKSPACE * 9, ENTER,                     # blank: each record's range
        ENTER,
        ENTER, "Family Clinic", ENTER,            # no name, an organization
        "not an email", ENTER,                    # refused
        BACKSPACE * 12, ENTER,                    # no email
        ENTER,                                    # no address: refused (no email either)
        "1 Main St, Boston, MA 02110", ENTER,
        ENTER,                                    # no phone
        ENTER,                                    # delivery: mail (BPD's first)
        BACKSPACE * 10, "2026-02-30", ENTER,      # impossible date: refused
        BACKSPACE * 10, "2026-06-15", ENTER,
        ENTER,                                    # no fee waiver
        BACKSPACE, "-3", ENTER,                   # negative: refused
        BACKSPACE * 2, "10", ENTER,
        DOWN, ENTER,                              # paper
        "y",
    )
    assert request.agency == "bpd"
    assert request.records == []
    assert request.other_records == "Gang database audit reports"
    assert request.date_from is None
    assert request.requester.name == ""
    assert request.requester.organization == "Family Clinic"
    assert request.requester.email is None
    assert request.requester.mailing_address == "1 Main St, Boston, MA 02110"
    assert request.delivery == "mail"
    assert request.sent_on == date(2026, 6, 15)
    assert request.max_fee == Decimal(10)
    assert request.format == "paper"


def test_paper_without_address_asks_for_one(keys: PipeInput, directory: Directory) -> None:
    request, _ = _run(
        keys, directory,
        ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER,  # BPS, first record, no words, no dates
        ENTER, ENTER, "ana@example.org", ENTER, ENTER, ENTER,
        ENTER, ENTER, ENTER, ENTER,               # email, today, no waiver, fee 0
        DOWN, ENTER,                              # paper
        "9 Elm St", ENTER,                        # the address paper needs
        ENTER,                                    # my own details on the letter
        "y",
    )
    assert request.format == "paper"
    assert request.requester.mailing_address == "9 Elm St"


def test_saying_no_at_the_end_writes_nothing(keys: PipeInput, directory: Directory) -> None:
    with pytest.raises(Cancelled, match="Nothing was written"):
        _run(keys, directory, ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER,
             "a@b.org", ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, "n",
             DOWN * 8, ENTER)  # No leads to "which answer to change?"; the last choice cancels


def test_input_that_ends_early_is_a_clear_error(keys: PipeInput, directory: Directory) -> None:
    with pytest.raises(InteractiveSessionError, match="recordskit new --answers"):
        _run(keys, directory, ENTER, SPACE)


def test_never_asks_about_immigration_status(keys: PipeInput, directory: Directory) -> None:
    asked: list[str] = []

    class Recording(TerminalAsker):
        def text(self, message: str, **kwargs: object) -> str:  # type: ignore[override]
            asked.append(message)
            return super().text(message, **kwargs)  # type: ignore[arg-type]

        def select(self, message: str, options: list, **kwargs: object) -> str:  # type: ignore[override]
            asked.append(message + " " + " ".join(o.title for o in options))
            return super().select(message, options, **kwargs)  # type: ignore[arg-type]

    keys.send_text("".join([ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER,
                            "a@b.org", ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER,
                            ENTER, "y"]))
    keys.close()
    run_interview(Recording(lambda _: None), directory, today=TODAY)
    questions = " ".join(asked).lower()
    assert len(asked) >= 12
    for word in ("immigration", "citizen", "status", "visa", "country", "born", "a-number"):
        assert word not in questions


def test_filing_through_an_organization(keys: PipeInput, directory: Directory) -> None:
    request, _ = _run(
        keys, directory,
        ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER,  # BPS, first record, no words, no dates
        "Ana", ENTER, ENTER, "ana@example.org", ENTER, ENTER, ENTER,
        ENTER, ENTER, ENTER, ENTER,               # email, today, no waiver, fee 0
        DOWN, ENTER, "9 Elm St", ENTER,           # paper, to the family's address
        DOWN, ENTER,                              # an organization's name on the letter
        "Family Clinic", ENTER, ENTER,            # its name; no email
        ENTER,                                    # no address: refused, paper must go somewhere
        "1 Court St", ENTER,
        "y",
    )
    assert request.requester.name == ""
    assert request.requester.organization == "Family Clinic"
    assert request.requester.email is None
    assert request.requester.mailing_address == "1 Court St"
    assert request.format == "paper"  # kept as chosen, never switched silently
