"""Every kind of response × every later event × appeal and follow-up, in English, Spanish and
Haitian Creole, through the installed command.

For each: the window the appeal is filed in, the ground it argues (resting on its response),
"assumed" where a date is assumed (the receipt is never logged here), and never a "you may
appeal" where ``appeal`` then refuses.

The request: BPS, by email on Monday 23 November 2026, taken as received that day (not
confirmed). The response comes on 4 December 2026 (its window closes 4 March 2027); the later
event on 28 December 2026, after 22 December, the last day BPS may petition for more time; the
check on 4 January 2027.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from recordskit.cli import cli
from recordskit.service import ResponseKind, open_log
from tests.conftest import docx_text

Answers = Callable[..., dict[str, Any]]
CHECK = "2027-01-04"

RESPONSE_ARGS: dict[ResponseKind, tuple[str, ...]] = {
    ResponseKind.PRODUCED: (),
    ResponseKind.PARTIAL: (),
    ResponseKind.DENIED: (),
    ResponseKind.FEE_ESTIMATE: ("--amount", "120"),
    ResponseKind.EXTENSION: ("--until", "2026-12-22"),  # within the limit; passed by the check
    ResponseKind.NO_RECORDS: (),
    ResponseKind.CLOSED_INACTIVE: (),
}
LATER: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "nothing": [],
    "paid": [("2026-12-28", "paid", ("--amount", "120"))],
    "petition": [("2026-12-28", "petition", ())],
    "petition_granted": [("2026-12-28", "petition", ()),
                         ("2026-12-29", "petition_granted", ("--days", "20", "--until",
                                                             "2027-01-29"))],
    "appealed": [("2026-12-28", "appealed", ("--number", "SPR26/0100", "--response", "1"))],
    "decided": [("2026-12-28", "appealed", ("--number", "SPR26/0100", "--response", "1")),
                ("2026-12-30", "decided", ("--until", "2027-01-20"))],
}
TITLES = {
    "exemption_contested": "An exemption that does not justify the withholding.",
    "excessive_fee": "A fee above what the law allows. On December 4, 2026, BPS asked for a "
                     "fee of $120.",
    "production_missed": "A production date that passed without the records.",
    "no_records": 'A "no records" answer after an inadequate search.',
    "closed_inactive": "A request closed without an answer.",
    "late_petition": "A petition for more time made after the limit. BPS petitioned the "
                     "Supervisor of Records for more time on December 28, 2026, after December "
                     "22, 2026",
}
YOU_MAY = {"en": ("you may appeal", "You may appeal"),
           "es": ("puede apelar", "Puede apelar"),
           "ht": ("ou ka fè apèl", "Ou ka fè apèl")}


def expected_grounds(kind: ResponseKind, later: str) -> list[str]:
    """The grounds the log gives on the check day, counted by hand from the rules."""
    if later in ("appealed", "decided"):
        return []  # the response's window was used by the logged appeal
    grounds = {
        ResponseKind.PRODUCED: [],
        ResponseKind.PARTIAL: ["exemption_contested"],
        ResponseKind.DENIED: ["exemption_contested"],
        ResponseKind.FEE_ESTIMATE: ["excessive_fee"],
        # The production date (22 December) passed; after the order, its date (29 January)
        # stands instead and has not passed.
        ResponseKind.EXTENSION: [] if later == "petition_granted" else ["production_missed"],
        ResponseKind.NO_RECORDS: ["no_records"],
        ResponseKind.CLOSED_INACTIVE: ["closed_inactive"],
    }[kind]
    if later in ("petition", "petition_granted"):
        grounds = [*grounds, "late_petition"]
    return grounds


def run(*args: str, today: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"RECORDSKIT_TODAY": today})


@pytest.fixture(scope="module")
def written() -> dict[str, tuple[Path, str]]:
    """Each language's request as ``new`` wrote it: its log's folder, and its id."""
    return {}


def new_request(lang: str, written: dict[str, tuple[Path, str]], answers: Answers,
                tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
                ) -> str:
    """The request in this test's own log, its id: ``new`` writes it once a language (the
    same for every response and event), into a log of its own, then that log is copied into
    this test's. The request's folder is only read after that (no reply is ever saved here)."""
    if lang not in written:
        folder = tmp_path_factory.mktemp(f"appeal-table-{lang}")
        with monkeypatch.context() as patch:
            patch.setenv("RECORDSKIT_HOME", str(folder / "log"))
            path = folder / "answers.yaml"
            path.write_text(yaml.safe_dump({**answers(sent_on="2026-11-23"), "language": lang},
                                           allow_unicode=True), encoding="utf-8")
            made = run("new", "--answers", str(path), "--out", str(folder / "request"),
                       "--lang", lang, today="2026-11-23")
            assert made.exit_code == 0, made.output
            [logged] = open_log().all()
        written[lang] = (folder / "log", logged.id)
    log, request = written[lang]
    shutil.copytree(log, os.environ["RECORDSKIT_HOME"], dirs_exist_ok=True)
    return request


def cases() -> list[Any]:
    """Every response × every later event × every language. The quick run (``-m "not slow"``)
    takes each response and later event once, in each language in turn (42 of the 126, each
    language's with and without grounds); CI runs all 126, through the same command."""
    languages = ["en", "es", "ht"]
    return [pytest.param(kind, later, lang, id=f"{kind.value}-{later}-{lang}",
                         marks=() if (k + n) % len(languages) == i else pytest.mark.slow)
            for k, kind in enumerate(ResponseKind) for n, later in enumerate(LATER)
            for i, lang in enumerate(languages)]


@pytest.mark.parametrize(("kind", "later", "lang"), cases())
def test_every_response_and_later_event(kind: ResponseKind, later: str, lang: str,
                                        tmp_path: Path, answers: Answers,
                                        written: dict[str, tuple[Path, str]],
                                        tmp_path_factory: pytest.TempPathFactory,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    request = new_request(lang, written, answers, tmp_path_factory, monkeypatch)
    [logged] = open_log().all()  # this test's own log holds it, and only it
    assert logged.id == request
    for on, event, args in [("2026-12-04", "response", ("--kind", kind.value,
                                                        *RESPONSE_ARGS[kind])), *LATER[later]]:
        result = run("log", request, event, *args, "--on", on, today=on)
        assert result.exit_code == 0, result.output

    status = run("status", "--json", today=CHECK)
    [entry] = json.loads(status.output)
    shown = run("show", request, today=CHECK).output
    received = next(item for item in entry["schedule"] if item["event"] == "received")
    assert received["basis"].startswith("assumed")  # never logged: an assumption, said so

    appealed = run("appeal", request, "--out", str(tmp_path / "appeal"), today=CHECK)
    grounds = expected_grounds(kind, later)
    if grounds:
        assert appealed.exit_code == 0, appealed.output
        text = docx_text(tmp_path / "appeal" / "appeal.docx")
        # The window: 90 calendar days from the response it rests on.
        assert "within 90 calendar days of BPS's response of December 4, 2026" in text
        # The grounds, in order, and nothing resting on another response.
        for number, ground in enumerate(grounds, start=1):
            assert f"{number}. {TITLES[ground]}" in text, (ground, text)
        assert f"{len(grounds) + 1}. " not in text.split("What I ask.")[0]
        # The receipt was never logged: the letter says so rather than state it.
        assert "its receipt has not been confirmed, so it is taken to have been received on " \
               "November 23, 2026" in text
        # Offered as the next step (or a follow-up first); after a production, closing is
        # offered, and the appeal stays open for the late petition.
        assert entry["next_step"]["kind"] in (
            ("close",) if kind == ResponseKind.PRODUCED else ("appeal", "follow_up", "wait_reply"))
        checklist = (tmp_path / "appeal" / "appeal_checklist.txt").read_text(encoding="utf-8")
        assert "--response 1 --on DATE" in checklist
    else:
        assert appealed.exit_code == 1, appealed.output
        assert not (tmp_path / "appeal").exists()
        # Nothing said before offers what was then refused.
        assert entry["next_step"]["kind"] != "appeal"
        for text in entry["notes"] + entry["warnings"] + [entry["next_step"]["do"]]:
            assert "may appeal" not in text and "appeal by" not in text.lower(), text
        for words in YOU_MAY[lang]:
            assert words not in shown, (words, shown)

    followed = run("followup", request, "--out", str(tmp_path / "followup"), today=CHECK)
    if followed.exit_code == 0:
        letter = docx_text(tmp_path / "followup" / "follow_up.docx")
        # The letter says an appeal may follow only where one will be made.
        assert ("I may appeal" in letter) == bool(grounds), letter
    else:
        assert not (tmp_path / "followup").exists()
