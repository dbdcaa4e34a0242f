"""The interview, driven with real key presses through prompt_toolkit's pipe input."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from prompt_toolkit.input.base import PipeInput

from recordskit.intake.interview import PRIVACY_NOTICE, Cancelled
from recordskit.service import Directory, InteractiveSessionError, TerminalAsker, run_interview
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
        "555", ENTER,                             # too short for a phone number: refused
        BACKSPACE * 3, "+509 3456 7890", ENTER,   # a number in Haiti: accepted
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
    assert request.requester.phone == "+509 3456 7890"
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


# The keys of a whole BPS request up to the summary: one record, no own words or dates, email,
# sent today (Friday 12 June 2026), no waiver, fee 0, electronic, my own name.
TO_SUMMARY = (ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER, ENTER,
              "a@b.org", ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER)


def test_no_at_the_end_returns_to_change_an_answer(keys: PipeInput,
                                                   directory: Directory) -> None:
    request, said = _run(
        keys, directory, *TO_SUMMARY,
        "n",                           # not yet: which answer to change?
        DOWN * 4, ENTER,               # "How it is sent"
        DOWN, DOWN, ENTER,             # by mail this time
        "y")                           # the summary again, and write
    assert request.delivery == "mail"  # type: ignore[attr-defined]
    assert request.requester.email == "a@b.org"  # type: ignore[attr-defined]
    assert sum("To: Boston Public Schools" in text for text in said) == 2


def test_changing_the_agency_asks_again_what_belongs_to_it(keys: PipeInput,
                                                           directory: Directory) -> None:
    request, _said = _run(
        keys, directory, *TO_SUMMARY,
        "n", ENTER,                    # change the agency
        DOWN, DOWN, ENTER,             # the City Clerk
        SPACE, ENTER, ENTER,           # its first record; no own words
        ENTER,                         # its first way of sending (the portal)
        "y")
    assert request.agency == "city-clerk"  # type: ignore[attr-defined]
    assert request.records == ["trust-act-annual-reports"]  # type: ignore[attr-defined]
    assert request.delivery == "portal"  # type: ignore[attr-defined]


def test_a_sending_day_the_office_is_closed_is_explained(keys: PipeInput,
                                                         directory: Directory) -> None:
    keys.send_text("".join((ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER, ENTER,
                            "a@b.org", ENTER, ENTER, ENTER, ENTER,
                            BACKSPACE * 10, "2026-11-26", ENTER,  # Thanksgiving Day
                            ENTER, ENTER, ENTER, ENTER, "y")))
    keys.close()
    said: list[str] = []
    request = run_interview(TerminalAsker(said.append), directory, today=date(2026, 11, 20))
    assert request.sent_on == date(2026, 11, 26)
    assert "Thursday, November 26, 2026 is a day the office is closed (Thanksgiving Day). A " \
           "request that arrives that day counts as received on the next business day, Friday, " \
           "November 27, 2026, and every deadline counts from there." in said


def test_a_day_closed_only_by_assumption_is_said_to_be_one(keys: PipeInput,
                                                         directory: Directory) -> None:
    """Evacuation Day: recordskit counts Boston's offices closed, the later and safer date,
    but they may open; the interview says so rather than stating it."""
    keys.send_text("".join((ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER, ENTER,
                            "a@b.org", ENTER, ENTER, ENTER, ENTER,
                            BACKSPACE * 10, "2027-03-17", ENTER,  # Evacuation Day, a Wednesday
                            ENTER, ENTER, ENTER, ENTER, "y")))
    keys.close()
    said: list[str] = []
    run_interview(TerminalAsker(said.append), directory, today=date(2027, 3, 10))
    assert "Wednesday, March 17, 2027 is Evacuation Day: recordskit counts it as a day the " \
           "office is closed, which may not be so. A request that arrives that day is taken as " \
           "received on Thursday, March 18, 2027; if the office was open, every deadline is one " \
           "business day earlier." in said
    assert not any("is a day the office is closed (Evacuation Day)" in line for line in said)


def test_a_closed_sending_day_is_explained_in_the_familys_language(
        keys: PipeInput, directory: Directory) -> None:
    """The holiday's name too: "(Thanksgiving Day)" in a Spanish sentence was English."""
    from recordskit.i18n import in_language

    keys.send_text("".join((ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER, ENTER,
                            "a@b.org", ENTER, ENTER, ENTER, ENTER,
                            BACKSPACE * 10, "2026-11-26", ENTER,  # Thanksgiving Day
                            ENTER, ENTER, ENTER, ENTER, ENTER)))
    keys.close()
    said: list[str] = []
    with in_language("es"):
        run_interview(TerminalAsker(said.append), directory, today=date(2026, 11, 20))
    explained = next(line for line in said if "cerrada" in line)
    assert "(Día de Acción de Gracias)" in explained, explained
    assert not any("Thanksgiving" in line for line in said)


def test_a_letter_mailed_on_a_closed_day_is_not_said_to_arrive_the_next_day(
        keys: PipeInput, directory: Directory) -> None:
    # Posted on Thanksgiving to BPD, it is expected 3 business days later (27, 30 November,
    # 1 December), as its schedule says: the next business day is no part of it.
    keys.send_text("".join((ENTER, DOWN, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER,
                            ENTER, ENTER, "1 Main St, Boston", ENTER, ENTER,
                            ENTER,                                 # by mail, its first way
                            BACKSPACE * 10, "2026-11-26", ENTER,  # Thanksgiving Day
                            ENTER, ENTER, ENTER, ENTER, "y")))
    keys.close()
    said: list[str] = []
    request = run_interview(TerminalAsker(said.append), directory, today=date(2026, 11, 20))
    assert (request.delivery, request.sent_on) == ("mail", date(2026, 11, 26))
    assert not [line for line in said if "office is closed" in line]
    from recordskit.deadlines.schedule import request_schedule
    received = request_schedule(request, directory).deadlines[0]
    assert (received.event, received.date, received.basis) == (
        "received", date(2026, 12, 1), "assumed")


def test_a_past_sending_day_must_be_confirmed(keys: PipeInput, directory: Directory) -> None:
    request, _said = _run(
        keys, directory, ENTER, ENTER, SPACE, ENTER, ENTER, ENTER, ENTER, "Ana", ENTER, ENTER,
        "a@b.org", ENTER, ENTER, ENTER, ENTER,
        BACKSPACE * 10, "2026-04-01", ENTER,  # its response was due 15 April: long gone
        ENTER,                                # "No": not really, ask again
        BACKSPACE * 10, "2026-06-10", ENTER,  # due 25 June (17 June is Bunker Hill Day): fine
        ENTER, ENTER, ENTER, ENTER, "y")
    assert request.sent_on == date(2026, 6, 10)  # type: ignore[attr-defined]


def test_a_non_custodial_parent_is_asked_and_gets_their_own_letter(
        keys: PipeInput, directory: Directory) -> None:
    from recordskit.documents.rendering.docx_text import docx_text
    from recordskit.service import prepare_request

    request, _said = _run(
        keys, directory,
        DOWN, ENTER,                                     # my child's own school record
        "Carlos Pérez", ENTER, "East Boston High School", ENTER, ENTER,
        DOWN, ENTER,                                     # the student lives with the other parent
        "Luis Pérez", ENTER, ENTER, "luis@example.org", ENTER, ENTER, ENTER,
        ENTER, ENTER, ENTER,                             # by email, today, electronic
        "y")
    assert request.custody == "non_custodial"  # type: ignore[attr-defined]
    made = prepare_request(request, directory)  # type: ignore[arg-type]
    letter = docx_text(made.files["letter.docx"])
    # Friday 12 June + 21 days = 3 July.
    assert "I am not my child's custodial parent. I understand that you will first notify the " \
           "custodial parent, and may give me access 21 days after that notice unless documents " \
           "restricting my access are received (M.G.L. c. 71, § 34H; 603 CMR 23.07(5)). If the " \
           "notice goes out when this letter arrives, I will look for your answer by July 3, " \
           "2026." in letter
    assert "within 10 days" not in letter
