"""A family's whole journey in a real browser, with the keyboard alone, in English, Spanish
and Haitian Creole, on a phone's screen (360x740) and a laptop's (1280x800); axe-core checks
every page, error pages too; the Spanish and Creole pages carry no English to act on."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("playwright")
pytest.importorskip("axe_playwright_python")

from playwright.sync_api import Browser, Page, sync_playwright

from recordskit.service import open_log
from tests.test_language_leaks import english_lines
from tests.web.browser import (
    CHROMIUM,
    check_page,
    choose,
    focused,
    launch,
    press,
    screenshot,
    tab_to,
    text_of,
    tick,
    type_into,
)
from tests.web.conftest import TOKEN, LiveServer

if not CHROMIUM.exists():
    if os.environ.get("CI"):  # .ci/run installs it: a missing browser is a failure there
        raise RuntimeError("CI must run the browser tests: /usr/bin/chromium is missing")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)

VIEWPORTS = {"phone": {"width": 360, "height": 740}, "laptop": {"width": 1280, "height": 800}}
LOCALES = {"en": "en-US", "es": "es-US", "ht": "ht-HT"}
OWN_WORDS = {"en": "Emails between BPS and the BRIC about student reports, 2018 to 2020",
             "es": "Correos entre BPS y el BRIC sobre informes de estudiantes, 2018 a 2020",
             "ht": "Imèl ant BPS ak BRIC sou rapò elèv yo, 2018 rive 2020"}

OBJECTIONS = {"en": "The reports are public records; the exemption cited does not cover them.",
              "es": "Los informes son registros públicos; la exención citada no los cubre.",
              "ht": "Rapò yo se dokiman piblik; egzanpsyon yo site a pa kouvri yo."}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright, tmp_path_factory.mktemp("chromium-home"))
        yield launched
        launched.close()


def open_page(browser: Browser, size: str, lang: str) -> tuple[Any, Page]:
    """A fresh browser (no cookies) in the language and size, whose console must stay free
    of errors (a blocked script or style, a missing asset) until ``done``."""
    context = browser.new_context(viewport=VIEWPORTS[size], locale=LOCALES[lang],
                                  accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text)
            if message.type == "error" and "status of 40" not in message.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    context.problems = problems  # type: ignore[attr-defined]
    return context, page


def done(context: Any) -> None:
    assert context.problems == [], "\n".join(context.problems)
    context.close()


def no_english(texts: list[str], lang: str) -> None:
    if lang == "en":
        return
    found = [line for text in texts for line in english_lines(text)]
    assert found == [], f"English on the {lang} pages: {found}"


def start(page: Page, server: LiveServer, lang: str, seen: list[str]) -> None:
    page.goto(server.start_url())  # typing the printed address
    assert page.url.endswith("/language") and TOKEN not in page.url
    check_page(page, seen)
    choose(page, "language", lang)
    press(page, "main button[type=submit]")
    check_page(page, seen)


def public_request(page: Page, lang: str, seen: list[str], tmp_path: Path, size: str) -> str:
    press(page, "a[href='/new'].button")
    check_page(page, seen)
    choose(page, "kind", "public_records")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    choose(page, "agency", "bps")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    tick(page, "input[name=records][value=school-police-reports-shared-with-bric]")
    type_into(page, "#f-other_records", OWN_WORDS[lang])
    if size == "phone":
        screenshot(page, f"records-{lang}", tmp_path)
    press(page, "main button[type=submit]")
    check_page(page, seen)
    # Nothing to reach the family: the page says so at the top, takes the focus, and a
    # screen reader reads it out (role=alert).
    press(page, "main button[type=submit]")
    assert focused(page, "#error-summary")
    assert page.get_attribute("#error-summary", "role") == "alert"
    assert page.locator("#f-requester-email-error").count() == 1
    assert page.title().split(" ")[0] in ("Error:", "Error", "Erè:")
    check_page(page, seen)
    if size == "phone":
        screenshot(page, f"error-{lang}", tmp_path)
    type_into(page, "#f-requester-name", "Rosa Díaz")
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    choose(page, "delivery", "email")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    assert "Rosa Díaz" in text_of(page) and OWN_WORDS[lang] in text_of(page)
    if size == "phone":
        screenshot(page, f"review-{lang}", tmp_path)
    press(page, "main form[action='/new/write'] button")
    check_page(page, seen)
    assert "/requests/" in page.url
    if size == "phone":
        screenshot(page, f"request-{lang}", tmp_path)
    request_id = page.url.rstrip("/").rsplit("/", 1)[1]
    tab_to(page, "a[href$='/files/summary.docx']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == "summary.docx"
    return request_id


def refusal_then_appeal(page: Page, request_id: str, lang: str, seen: list[str],
                        tmp_path: Path, size: str) -> None:
    press(page, f"a[href='/requests/{request_id}/answered']")
    check_page(page, seen)
    if size == "phone":
        screenshot(page, f"answered-{lang}", tmp_path)
    choose(page, "meaning", "denied")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    events = open_log().get(request_id).events
    assert [(str(e.event), str(getattr(e.details, "kind", ""))) for e in events] == [
        ("response", "denied")]
    press(page, f"a[href='/requests/{request_id}/appeal']")
    check_page(page, seen)
    type_into(page, "#f-objection", OBJECTIONS[lang])
    press(page, "main button[type=submit]")
    check_page(page, seen)
    names = page.locator("ul.files a").all_inner_texts()
    assert "appeal/appeal.docx" in names, text_of(page) and "appeal/appeal_checklist.txt" in names
    if lang != "en":
        assert "appeal/appeal_summary.docx" in names
    if size == "phone":
        screenshot(page, f"appeal-{lang}", tmp_path)
    type_into(page, "#f-number", "SPR26/0101")
    press(page, f"form[action='/requests/{request_id}/appealed'] button")
    check_page(page, seen)
    kinds = [str(e.event) for e in open_log().get(request_id).events]
    assert kinds == ["response", "appealed"]


@pytest.mark.slow
@pytest.mark.parametrize("size", ["phone", "laptop"])
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_a_public_records_request_a_refusal_and_the_appeal(
        browser: Browser, live_server: LiveServer, lang: str, size: str,
        tmp_path: Path) -> None:
    context, page = open_page(browser, size, lang)
    seen: list[str] = []
    start(page, live_server, lang, seen)
    request_id = public_request(page, lang, seen, tmp_path, size)
    press(page, "a[href='/requests']")
    check_page(page, seen)
    assert request_id in text_of(page)
    press(page, f"a[href='/requests/{request_id}']")
    refusal_then_appeal(page, request_id, lang, seen, tmp_path, size)
    no_english(seen, lang)
    done(context)


@pytest.mark.slow
@pytest.mark.parametrize("size", ["phone", "laptop"])
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_a_student_record_request_by_a_parent_the_student_does_not_live_with(
        browser: Browser, live_server: LiveServer, lang: str, size: str,
        tmp_path: Path) -> None:
    context, page = open_page(browser, size, lang)
    seen: list[str] = []
    start(page, live_server, lang, seen)
    press(page, "a[href='/new'].button")
    choose(page, "kind", "student_parent")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    type_into(page, "#f-student-name", "Kevin Ramírez")
    type_into(page, "#f-student-school", "East Boston High School")
    type_into(page, "#f-student-grade", "10")
    choose(page, "custody", "non_custodial")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    type_into(page, "#f-requester-name", "Rosa Ramírez")
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    choose(page, "delivery", "hand")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    assert "Kevin Ramírez" in text_of(page)
    press(page, "main form[action='/new/write'] button")
    check_page(page, seen)
    request_id = page.url.rstrip("/").rsplit("/", 1)[1]
    logged = open_log().get(request_id)
    assert logged.request.custody == "non_custodial"
    assert logged.request.language == ("" if lang == "en" else lang)
    assert "letter.docx" in page.locator("ul.files a").all_inner_texts()
    no_english(seen, lang)
    done(context)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_error_pages_are_accessible_and_in_the_language(browser: Browser,
                                                        live_server: LiveServer,
                                                        lang: str) -> None:
    seen: list[str] = []
    context, page = open_page(browser, "phone", lang)
    response = page.goto(f"{live_server.url}/new")  # no token
    assert response is not None and response.status == 403
    check_page(page, seen)
    assert page.evaluate("() => document.documentElement.lang") == lang
    page.goto(live_server.start_url())
    response = page.goto(f"{live_server.url}/no-such-page")
    assert response is not None and response.status == 404
    check_page(page, seen)
    no_english(seen, lang)
    done(context)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_the_other_pages_privacy_follow_up_and_forgetting(
        browser: Browser, live_server: LiveServer, lang: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The pages the journeys above do not meet: a personal detail found in her own words, a
    language not chosen, a request opened by its number, the follow-up when nothing came, the
    calendar file, and "finish and forget"; with the text at twice its size too."""
    context, page = open_page(browser, "phone", lang)
    seen: list[str] = []
    page.goto(live_server.start_url())
    press(page, "main button[type=submit]")  # the browser's language is already chosen
    check_page(page, seen)
    press(page, "a[href='/new'].button")
    choose(page, "kind", "public_records")
    press(page, "main button[type=submit]")
    choose(page, "agency", "bps")
    press(page, "main button[type=submit]")
    type_into(page, "#f-other_records", DETAILS[lang])
    press(page, "main button[type=submit]")
    assert page.url.endswith("/new/privacy")
    check_page(page, seen)
    press(page, "main button[type=submit]")  # no choice: the problem is said
    assert focused(page, "#error-summary")
    check_page(page, seen)
    choose(page, "choice", "remove")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    choose(page, "delivery", "email")
    press(page, "main button[type=submit]")
    assert DETAILS[lang].split(",")[0] not in text_of(page)
    press(page, "main form[action='/new/write'] button")
    request_id = page.url.rstrip("/").rsplit("/", 1)[1]
    # Nothing came: three weeks later the next step is a follow-up.
    monkeypatch.setenv("RECORDSKIT_TODAY", "2026-07-08")
    press(page, "a[href='/requests']")
    check_page(page, seen)
    type_into(page, "#f-id", "ffffffffff")
    press(page, "form[action='/requests/open'] button")
    assert focused(page, "#error-summary")
    check_page(page, seen)
    type_into(page, "#f-id", request_id)
    press(page, "form[action='/requests/open'] button")
    check_page(page, seen)
    press(page, f"a[href='/requests/{request_id}/followup']")
    check_page(page, seen)
    press(page, "main button[type=submit]")
    check_page(page, seen)
    names = page.locator("ul.files a").all_inner_texts()
    assert "follow-up/follow_up.docx" in names
    assert ("follow-up/follow_up_summary.docx" in names) == (lang != "en")
    tab_to(page, f"a[href='/requests/{request_id}/calendar.ics']")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    calendar = Path(download.value.path()).read_text(encoding="utf-8")
    assert "BEGIN:VEVENT" in calendar and request_id in calendar
    # Text at twice its size still fits, at a phone's width and a laptop's.
    page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    from tests.web.browser import no_horizontal_scroll

    no_horizontal_scroll(page)
    page.set_viewport_size(VIEWPORTS["laptop"])
    no_horizontal_scroll(page)
    press(page, "footer button")
    check_page(page, seen)
    assert page.goto(f"{live_server.url}/requests/{request_id}").status == 403  # type: ignore[union-attr]
    no_english(seen, lang)
    done(context)


DETAILS = {"en": "Reports about my son Kevin Ramírez, 2019 to 2020",
           "es": "Informes sobre mi hijo Kevin Ramírez, 2019 a 2020",
           "ht": "Rapò sou pitit gason mwen Kevin Ramírez, 2019 rive 2020"}


@pytest.mark.slow
def test_the_pages_work_with_scripts_off(browser: Browser, live_server: LiveServer,
                                         tmp_path: Path) -> None:
    """With JavaScript off, a request is made all the same; a problem is still listed at the
    top and beside its field."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="es-US",
                                  java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.start_url())
    choose(page, "language", "es")
    press(page, "main button[type=submit]")
    press(page, "a[href='/new'].button")
    choose(page, "kind", "public_records")
    press(page, "main button[type=submit]")
    choose(page, "agency", "bps")
    press(page, "main button[type=submit]")
    press(page, "main button[type=submit]")  # no records chosen, none described
    assert page.locator("#error-summary li").count() >= 1
    assert page.locator(".field.has-error .error").count() >= 1
    tick(page, "input[name=records][value=school-police-reports-shared-with-bric]")
    press(page, "main button[type=submit]")
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    choose(page, "delivery", "email")
    press(page, "main button[type=submit]")
    press(page, "main form[action='/new/write'] button")
    assert "letter.docx" in page.locator("ul.files a").all_inner_texts()
    context.close()


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_every_page_with_a_problem_is_accessible(browser: Browser, live_server: LiveServer,
                                                 lang: str) -> None:
    """Each form sent with a problem: the list at the top takes the focus, each problem is
    beside its field, and axe finds nothing, in each language."""
    context, page = open_page(browser, "phone", lang)
    seen: list[str] = []

    def problem_shown() -> None:
        assert focused(page, "#error-summary")
        assert page.locator(".field.has-error .error").count() >= 1
        check_page(page, seen)

    start(page, live_server, lang, seen)
    press(page, "a[href='/new'].button")
    press(page, "main button[type=submit]")  # nothing chosen
    problem_shown()
    choose(page, "kind", "student_parent")
    press(page, "main button[type=submit]")
    press(page, "main button[type=submit]")  # no student
    problem_shown()
    press(page, "a[href='/new']")
    choose(page, "kind", "public_records")
    press(page, "main button[type=submit]")
    press(page, "main button[type=submit]")  # no agency
    problem_shown()
    choose(page, "agency", "bps")
    press(page, "main button[type=submit]")
    type_into(page, "#f-date_from", "2020-01-01")
    type_into(page, "#f-date_to", "2019-01-01")
    press(page, "main button[type=submit]")  # no records, dates backwards
    problem_shown()
    tick(page, "input[name=records][value=school-police-reports-shared-with-bric]")
    type_into(page, "#f-date_from", "")
    type_into(page, "#f-date_to", "")
    press(page, "main button[type=submit]")
    type_into(page, "#f-requester-email", "rosa(at)example.org")
    press(page, "main button[type=submit]")  # not an email address
    problem_shown()
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    choose(page, "delivery", "email")
    type_into(page, "#f-sent_on", "2026-04-01")
    press(page, "main button[type=submit]")  # its answer was due long ago: confirm it
    problem_shown()
    tick(page, "#f-confirm_past")
    press(page, "main button[type=submit]")
    press(page, "main form[action='/new/write'] button")
    request_id = page.url.rstrip("/").rsplit("/", 1)[1]
    press(page, f"a[href='/requests/{request_id}/answered']")
    type_into(page, "#f-on", "")
    press(page, "main button[type=submit]")  # nothing chosen, no date
    problem_shown()
    no_english(seen, lang)
    done(context)
