"""The agency's email pasted or uploaded in a real browser (Debian's Chromium), with the
keyboard alone, on a phone's screen, in English, Spanish and Haitian Creole; axe-core checks
every new page, its problems too; with scripts off it works all the same."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("playwright")
pytest.importorskip("axe_playwright_python")

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

from recordskit.service import open_log
from recordskit.web.app import create_app
from tests.test_language_leaks import english_lines
from tests.web.browser import CHROMIUM, check_page, choose, focused, launch, press, type_into
from tests.web.conftest import PUBLIC_PAGES, LiveServer, config, make_request, visitor

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the browser tests: /usr/bin/chromium is missing")
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)",
                allow_module_level=True)

REPLIES = Path(__file__).resolve().parents[1] / "data" / "replies"
LOCALES = {"en": "en-US", "es": "es-US", "ht": "ht-HT"}
PHONE: ViewportSize = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = launch(playwright, tmp_path_factory.mktemp("chromium-home"))
        yield launched
        launched.close()


def a_request(server: LiveServer, sent_on: str) -> str:
    """A request made through the pages (another visit to the same folder and log)."""
    pages = [(path, dict(data)) for path, data in PUBLIC_PAGES]
    pages[-1][1].update(sent_on=sent_on, confirm_past="yes")
    return make_request(visitor(create_app(config(server.folder))), pages)


def open_it(page: Page, server: LiveServer, lang: str, request_id: str) -> None:
    """Start as the printed address says, choose the language, open the request by number."""
    page.goto(server.start_url())
    choose(page, "language", lang)
    press(page, "main button[type=submit]")
    press(page, "nav a[href='/requests']")
    type_into(page, "#f-id", request_id)
    press(page, "main form[action='/requests/open'] button")
    assert page.url.endswith(f"/requests/{request_id}")


def no_english_but_the_email(page: Page, lang: str) -> None:
    """On a Spanish or Creole page, only the email's own words (quoted, marked lang=en) are
    English."""
    if lang == "en":
        return
    text = page.evaluate("""() => {
        const main = document.querySelector("main").cloneNode(true);
        main.querySelectorAll("[lang=en]").forEach((quote) => quote.remove());
        return main.innerText;
    }""")
    assert english_lines(text) == [], english_lines(text)


def paste(page: Page, name: str) -> None:
    type_into(page, "#f-text", (REPLIES / name).read_text(encoding="utf-8"))
    press(page, "form[action$='/reply'] button[type=submit]")


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "es", "ht"])
def test_an_acknowledgment_pasted_and_an_unsure_reply_with_the_keyboard(
        browser: Browser, live_server: LiveServer, lang: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_TODAY", "2023-12-06")
    request_id = a_request(live_server, "2023-11-30")
    context = browser.new_context(viewport=PHONE, locale=LOCALES[lang])
    page = context.new_page()
    open_it(page, live_server, lang, request_id)
    check_page(page)  # the request's page, with the form to paste or upload
    # Nothing pasted, nothing chosen: said at the top (which takes the focus) and beside it
    press(page, "form[action$='/reply'] button[type=submit]")
    assert focused(page, "#error-summary")
    assert page.locator("#f-text-error").count() == 1
    check_page(page)
    paste(page, "city_ack_sunday_night.txt")
    assert page.url.endswith("/reply/check")
    assert page.locator("blockquote[lang=en]").count() >= 1
    check_page(page)
    no_english_but_the_email(page, lang)
    # A date written wrong: refused, said beside its field
    type_into(page, "#f-on-0", "3/12/2023")
    press(page, "button[value=log]")
    assert focused(page, "#error-summary")
    assert page.locator("#f-on-0-error").count() == 1
    check_page(page)
    type_into(page, "#f-on-0", "2023-12-03")
    press(page, "button[value=log]")
    assert page.url.endswith(f"/requests/{request_id}")
    check_page(page)
    events = open_log().get(request_id).events
    assert [(str(e.event), e.on_date.isoformat()) for e in events] == [
        ("received", "2023-12-03")]
    # An unsure reply: the candidates, no choice made for her; she chooses, then says no
    paste(page, "unsure_status_or_fee.txt")
    assert page.locator("input[name=kind]:checked").count() == 0
    check_page(page)
    no_english_but_the_email(page, lang)
    press(page, "button[value=kind]")
    assert focused(page, "#error-summary")
    check_page(page)
    choose(page, "kind", "fee_estimate")
    press(page, "button[value=kind]")
    assert page.locator("#f-amount-0").count() == 1
    check_page(page)
    no_english_but_the_email(page, lang)
    press(page, "button[value=refuse]")
    assert page.url.endswith(f"/requests/{request_id}")
    assert len(open_log().get(request_id).events) == 1
    assert len(list(live_server.folder.rglob("replies/*"))) == 1
    context.close()


@pytest.mark.slow
def test_an_extension_uploaded_with_scripts_off(browser: Browser, live_server: LiveServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_TODAY", "2024-05-09")
    request_id = a_request(live_server, "2024-04-24")
    context = browser.new_context(viewport=PHONE, locale="es-US", java_script_enabled=False)
    page = context.new_page()
    open_it(page, live_server, "es", request_id)
    page.set_input_files("#f-file", str(REPLIES / "extension_bpd.eml"))
    press(page, "form[action$='/reply'] button[type=submit]")
    assert page.url.endswith("/reply/check")
    assert page.locator("input[name^=until-]").count() == 1
    press(page, "button[value=log]")
    assert page.url.endswith(f"/requests/{request_id}")
    kinds = [str(e.event) for e in open_log().get(request_id).events]
    assert kinds == ["received", "response"]
    kept = list(live_server.folder.rglob("replies/*.eml"))
    assert [p.read_bytes() for p in kept] == [(REPLIES / "extension_bpd.eml").read_bytes()]
    context.close()
