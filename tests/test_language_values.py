"""The language in use is a value of each context, not of the process: a block speaks its own
and gives the caller's back, and threads (a web server's requests) never share one."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

from recordskit.i18n import _, current_language, in_language, set_language


def test_a_block_speaks_its_language_and_gives_the_callers_back() -> None:
    set_language("ht")
    try:
        with in_language("es"):
            assert current_language() == "es"
            assert _("Your dates") != "Your dates"
        assert current_language() == "ht"
        with in_language("en"):
            assert _("Your dates") == "Your dates"
        assert current_language() == "ht"
    finally:
        set_language("en")


def test_two_threads_never_speak_each_others_language() -> None:
    barrier = threading.Barrier(2)
    heard: dict[str, list[str]] = {"es": [], "ht": []}

    def speak(code: str) -> None:
        set_language(code)
        for _round in range(200):
            barrier.wait()
            heard[code].append(current_language())

    threads = [threading.Thread(target=speak, args=(code,)) for code in heard]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert heard == {"es": ["es"] * 200, "ht": ["ht"] * 200}
    assert current_language() == "en"  # and the test's own thread was never touched


def test_a_batch_in_one_process_leaves_its_caller_in_the_callers_language(
        tmp_path: Path) -> None:
    from recordskit.service import load_directory, make_batch
    from tests.conftest import FROZEN_TEMPLATES

    rows = tmp_path / "rows.csv"
    rows.write_text("agency,records,requester.email,delivery,sent_on,language\n"
                    "bps,school-police-reports-shared-with-bric,a@example.org,email,2026-06-15,"
                    "ht\n", encoding="utf-8")
    set_language("es")
    try:
        report = make_batch(rows, tmp_path / "out", load_directory(), workers=1,
                            templates_path=FROZEN_TEMPLATES, today=date(2026, 6, 12))
        assert not report.problems, report.problems
        assert current_language() == "es"  # before, a row's language was undone to English
    finally:
        set_language("en")
    summary = (tmp_path / "out").glob("*/summary.docx")
    assert len(list(summary)) == 1
