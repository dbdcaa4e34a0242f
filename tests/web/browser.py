"""Driving Debian's Chromium with the keyboard alone, and asking axe-core about every page."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "web"


def focused(page: Page, selector: str) -> bool:
    return page.locator(f"{selector}:focus").count() > 0


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    for _ in range(limit):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    if text:
        page.keyboard.insert_text(text)


def choose(page: Page, name: str, value: str) -> None:
    """Choose a radio button of a group as a keyboard does: Tab into the group, then arrows."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(20):
        current = page.locator(":focus").get_attribute("value")
        if current == value:
            page.keyboard.press("Space")
            assert page.locator(":focus").is_checked()
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"no choice {value} in {name}")


def tick(page: Page, selector: str) -> None:
    tab_to(page, selector)
    if not page.locator(":focus").is_checked():
        page.keyboard.press("Space")


def focus_shows(page: Page) -> None:
    """The element with the focus is marked so a sighted keyboard user sees where it is."""
    marked = page.evaluate("""() => {
        const style = getComputedStyle(document.activeElement);
        return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2)
            || style.boxShadow !== "none";
    }""")
    assert marked, f"no visible focus on {page.url}"


def press(page: Page, selector: str) -> None:
    """Move to a button or link and press Enter, waiting for the next page."""
    tab_to(page, selector)
    focus_shows(page)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def no_horizontal_scroll(page: Page) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth")
    shown = page.evaluate("() => window.innerWidth")
    assert wide <= shown, f"{page.url}: {wide}px wide in a {shown}px window"


def accessible(page: Page) -> None:
    """axe-core finds no violation of WCAG 2.0, 2.1 and 2.2 A and AA rules on the page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"


def check_page(page: Page, seen: list[str] | None = None) -> None:
    """What every page must be: accessible, one language (its lang), no sideways scroll."""
    lang = page.evaluate("() => document.documentElement.lang")
    assert lang in ("en", "es", "ht"), page.url
    no_horizontal_scroll(page)
    accessible(page)
    if seen is not None:
        seen.append(page.inner_text("body"))


def screenshot(page: Page, name: str, tmp_path: Path) -> None:
    """A picture of the page for README (docs/web) when asked, else in the test's folder."""
    folder = SCREENSHOTS if os.environ.get("RECORDSKIT_UPDATE_SCREENSHOTS") else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def text_of(page: Page) -> str:
    return re.sub(r"[ \t]+", " ", page.inner_text("main"))


def launch(playwright: Any, home: Path) -> Any:
    """Chromium, with its profile, caches and crash reports in ``home`` (a test folder)."""
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
           "XDG_CACHE_HOME": str(home / "cache")}
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS,
                                      env=env)
