"""A clinic's server in Debian's Chromium, with the keyboard alone: a family fills her intake on
a phone's screen (360x740) through her link, in Spanish or Haitian Creole; a staff member signs
in on a laptop's, reviews it, produces it and logs the agency's answer. axe-core checks every
page."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

pytest.importorskip("playwright")
pytest.importorskip("axe_playwright_python")

from playwright.sync_api import Browser, sync_playwright

from recordskit.clinic import accounts, intakes
from recordskit.service import open_log
from recordskit.web.app import WebConfig, create_app
from tests.test_language_leaks import english_lines
from tests.web.browser import (
    CHROMIUM,
    check_page,
    choose,
    launch,
    press,
    screenshot,
    text_of,
    tick,
    type_into,
)
from tests.web.conftest import _free_port, today

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: /usr/bin/chromium is missing")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)

PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright, tmp_path_factory.mktemp("chromium-home"))
        yield launched
        launched.close()


@pytest.fixture
def clinic_url(requests_folder: Path) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    app = create_app(WebConfig(folder=requests_folder, port=port, today=today, clinic=True,
                               hosts=frozenset({"127.0.0.1"})))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


LOCALES = {"es": "es-US", "ht": "ht-HT"}


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["es", "ht"])
def test_a_family_on_her_phone_and_staff_at_their_desk(browser: Browser, clinic_url: str,
                                                      tmp_path: Path, lang: str) -> None:
    log = open_log()
    secret = intakes.make_link(log, by="Ana Lima", at=datetime.now(UTC), language=lang).token
    accounts.add_staff(log, "Ana Lima", PASSWORD, by="setup", at=datetime.now(UTC),
                       role=accounts.Role.ADMIN)

    # The family, on her phone, in her language, through her link alone
    phone = browser.new_context(viewport={"width": 360, "height": 740}, locale=LOCALES[lang])
    page = phone.new_page()
    seen: list[str] = []
    page.goto(f"{clinic_url}/i/{secret}")
    check_page(page, seen)
    choose(page, "kind", "public_records")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    choose(page, "agency", "bps")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    tick(page, "input[name=records][value=school-police-reports-shared-with-bric]")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    type_into(page, "#f-requester-name", "Rosa Díaz")
    type_into(page, "#f-requester-email", "rosa@example.org")
    press(page, "main button[type=submit]")
    check_page(page, seen)
    # The clinic sends the letter and dates it: she is asked neither how nor when
    assert page.locator("input[name=delivery], input[name=sent_on]").count() == 0
    press(page, "main button[type=submit]")
    check_page(page, seen)
    screenshot(page, f"clinic-review-{lang}", tmp_path)
    press(page, "main form[action='/new/write'] button")
    assert page.url.endswith("/submitted")
    check_page(page, seen)
    assert "Rosa Díaz" in text_of(page)
    screenshot(page, f"clinic-submitted-{lang}", tmp_path)
    found = [line for text in seen for line in english_lines(text)]
    assert found == [], f"English on the family's {lang} pages: {found}"
    phone.close()

    # A staff member, at her desk
    desk = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    page = desk.new_page()
    page.goto(f"{clinic_url}/staff")
    assert page.url.endswith("/staff/signin")
    check_page(page)
    type_into(page, "#f-name", "Ana Lima")
    type_into(page, "#f-password", PASSWORD)
    press(page, "main button[type=submit]")
    assert page.url.endswith("/staff")
    check_page(page)
    if lang == "es":
        screenshot(page, "clinic-queue", tmp_path)
    press(page, "main a[href^='/staff/intakes/']")
    check_page(page)
    assert "Rosa Díaz" in text_of(page)
    # She corrects the family's name through the interview's own pages, then saves it
    press(page, "main form[action$='/edit'] button")
    assert page.url.endswith("/new/review")
    check_page(page)
    press(page, "main a[href='/new/requester']")
    check_page(page)
    type_into(page, "#f-requester-name", "Rosa M. Díaz")
    press(page, "main button[type=submit]")
    assert page.url.endswith("/new/review")
    press(page, "main form[action='/new/write'] button")
    assert "/staff/intakes/" in page.url
    check_page(page)
    assert "Rosa M. Díaz" in text_of(page)
    if lang == "es":
        press(page, "main form[action$='/produce'] button")
        check_page(page)
        # Marked sent by keyboard, a day typed that has not come yet: refused, named
        type_into(page, "#f-sent_on", "2099-01-01")
        press(page, "main form[action$='/sent'] button")
        check_page(page)
        assert "#f-sent_on" in page.locator(".error-summary a").first.get_attribute("href")
    else:  # from the queue: checked, and produced with any others checked
        press(page, "header a[href='/staff']")
        tick(page, "input[name=intakes]")
        press(page, "main form[action='/staff/produce'] button")
    check_page(page)
    press(page, "main a[href^='/requests/']")
    check_page(page)
    request_id = page.url.rstrip("/").rsplit("/", 1)[1]
    press(page, f"a[href='/requests/{request_id}/answered']")
    check_page(page)
    choose(page, "meaning", "denied")
    press(page, "main button[type=submit]")
    check_page(page)
    events = open_log().get(request_id).events
    assert [(str(e.event), e.recorded_by) for e in events] == [("response", "Ana Lima")]
    press(page, "a[href='/staff/requests']")
    check_page(page)
    assert request_id in text_of(page)
    # An admin's pages: the accounts (a table, and a form) and the audit trail
    press(page, "header a[href='/staff/accounts']")
    check_page(page)
    assert "Ana Lima" in text_of(page)
    press(page, "header a[href='/staff/audit']")
    check_page(page)
    assert "Ana Lima" in text_of(page)
    press(page, "form[action='/staff/signout'] button")
    check_page(page)
    page.goto(f"{clinic_url}/staff/requests")
    assert page.url.endswith("/staff/signin")
    desk.close()
