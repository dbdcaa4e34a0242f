"""Every word the pages show is in the translators' catalogs, translated in every language,
with the same placeholders; templates name only messages, never English of their own."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from recordskit.i18n import LOCALE_DIR, languages

WEB = Path(__file__).resolve().parents[2] / "src" / "recordskit" / "web"


def page_messages() -> set[str]:
    found = {message for _f, _l, message, _c, _x in extract_from_dir(
        WEB / "templates", method_map=[("**.html", "jinja2")], keywords={"_": None})}
    found |= {message for _f, _l, message, _c, _x in extract_from_dir(
        WEB, method_map=[("**.py", "python")], keywords={"_": None, "N_": None})}
    return {m for m in found if isinstance(m, str) and m}


def test_the_pages_have_words_to_check() -> None:
    assert len(page_messages()) > 150


def test_every_page_message_is_in_the_pot() -> None:
    pot = {m.id for m in read_po((LOCALE_DIR / "recordskit.pot").open("rb")) if m.id}
    assert sorted(page_messages() - pot) == []


@pytest.mark.parametrize("code", ["es", "ht"])
def test_every_page_message_is_translated(code: str) -> None:
    assert code in languages()
    po = read_po((LOCALE_DIR / code / "LC_MESSAGES" / "recordskit.po").open("rb"))
    translated = {m.id: m.string for m in po if m.id}
    for message in page_messages():
        assert translated.get(message), f"{code}: no translation for {message[:60]!r}"
        fields = set(re.findall(r"\{\w*\}", message))
        assert fields == set(re.findall(r"\{\w*\}", str(translated[message]))), message


def test_templates_say_nothing_outside_a_message() -> None:
    """Text between tags is a message, a placeholder or punctuation: an English word left in a
    template would reach a Spanish page."""
    for template in sorted((WEB / "templates").glob("*.html")):
        text = template.read_text(encoding="utf-8")
        text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", text, flags=re.DOTALL)
        text = re.sub(r"<script.*?</script>|<style.*?</style>", " ", text, flags=re.DOTALL)
        words = [w for w in re.sub(r"<[^>]*>", " ", text).split()
                 if re.search(r"[A-Za-z]{2}", w) and w not in ("recordskit", "–")
                 and not w.startswith("aria-")]  # attributes a macro writes
        assert words == [], (template.name, words)


def test_the_catalog_tool_reads_the_templates() -> None:
    """``tools/extract_messages.py`` reads the page templates with Jinja's extractor, so a
    refreshed catalog keeps every message a page shows."""
    in_templates = {message for _f, _l, message, _c, _x in extract_from_dir(
        WEB / "templates", method_map=[("**.html", "jinja2")], keywords={"_": None})}
    sys.path.insert(0, str(WEB.parents[2] / "tools"))
    from extract_messages import code_messages

    assert in_templates
    assert in_templates <= {m.id for m in code_messages() if m.id}
