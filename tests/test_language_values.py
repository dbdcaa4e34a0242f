"""The language in use is a value of each context, not of the process: a block speaks its own
and gives the caller's back, and threads (a web server's requests) never share one."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from recordskit.i18n import in_language
from recordskit.service import _, current_language, set_language


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


def test_the_family_pages_speak_the_requests_language_whoever_calls(
        tmp_path: Path, answers: Any) -> None:
    """A library caller need not set a language: a request made in Spanish gets its family
    pages in Spanish, its follow-up's page too, whatever the caller speaks; ``language``
    chooses another; a refusal is said in the caller's own language."""
    import yaml

    from recordskit.service import (
        UserError,
        load_answers,
        load_directory,
        make_followup,
        make_request,
        open_log,
    )
    from tests.conftest import FROZEN_AGENCIES, docx_text

    directory = load_directory(FROZEN_AGENCIES)
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(answers(language="es")), encoding="utf-8")
    request = load_answers(path, directory)
    log = open_log("", folder=tmp_path / "log")
    set_language("ht")
    try:
        made = make_request(request, directory, tmp_path / "es", log=log,
                            today=date(2026, 6, 12))
        assert current_language() == "ht"  # the caller's, untouched
        assert "Su solicitud: qué pidió" in docx_text(tmp_path / "es" / "summary.docx")
        make_request(request, directory, tmp_path / "en", today=date(2026, 6, 12),
                     language="en")
        assert "Su solicitud" not in docx_text(tmp_path / "en" / "summary.docx")
        # Nothing calls for a follow-up yet: refused in the caller's language (Creole)
        logged = log.get(str(made.request_id))
        with pytest.raises(UserError) as refused:
            make_followup(logged, directory, tmp_path / "early", today=date(2026, 6, 15))
        assert "poko bezwen voye lèt swivi" in str(refused.value)
        assert current_language() == "ht"
        # Overdue: the follow-up's page is hers, in Spanish
        make_followup(logged, directory, tmp_path / "late", today=date(2026, 7, 20))
        page = docx_text(tmp_path / "late" / "follow_up_summary.docx")
        assert page.startswith("Su carta de seguimiento: lo que pide y qué hacer después")
        assert current_language() == "ht"
    finally:
        set_language("en")
