"""The interview in the person's language: gettext catalogs that volunteers translate.

Each language is a folder ``locale/<code>/LC_MESSAGES/recordskit.po`` beside this module,
edited with any PO editor (Poedit, Weblate) or a text editor; no code changes to add one.
Catalogs are read with Babel when first needed. The letter to the agency always stays in
English; the interview, its help and errors, and the family's ``summary.docx`` are translated.
"""

from __future__ import annotations

import gettext
import io
import os
import re
import unicodedata
from datetime import date
from functools import lru_cache
from pathlib import Path

from recordskit.errors import UserError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "recordskit"

_state: dict[str, gettext.NullTranslations] = {"current": gettext.NullTranslations()}
_code: dict[str, str] = {"current": "en"}


def languages() -> dict[str, str]:
    """Every available language: code -> its own name (English is always there)."""
    found = {"en": "English"}
    if LOCALE_DIR.is_dir():
        for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            code = po.parent.parent.name
            found[code] = _catalog(code).name
    return found


class _Loaded:
    def __init__(self, translations: gettext.NullTranslations, name: str,
                 unreviewed: frozenset[str]) -> None:
        self.translations, self.name, self.unreviewed = translations, name, unreviewed


@lru_cache(maxsize=16)
def _catalog(code: str) -> _Loaded:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    raw = path.read_bytes()
    catalog = read_po(io.BytesIO(raw), locale=None)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    found = re.search(rb'"X-Language-Name: ([^\\"]+)', raw)  # the language's own name
    name = found.group(1).decode("utf-8").strip() if found else code
    # A translator marks an entry "#, unreviewed" until a native speaker has checked it.
    unreviewed = frozenset(str(m.id) for m in catalog if m.id and UNREVIEWED in m.flags)
    return _Loaded(gettext.GNUTranslations(compiled), name, unreviewed)


UNREVIEWED = "unreviewed"


def unreviewed_messages(code: str | None = None) -> frozenset[str]:
    """The messages of a language (by default the current one) not yet checked by a native
    speaker; English, the original, has none."""
    code = code or _code["current"]
    return frozenset() if code == "en" else _catalog(code).unreviewed


def language_code(text: str) -> str | None:
    """The code of an available language, however a person wrote it: a code in any case
    (``es``, ``ES``), a tag with a region (``es-US``, ``ht_HT``), or the language's name in
    English or in itself, or the first word of one (``Spanish``, ``español``, ``Haitian
    Creole``, ``Kreyòl``); None when it names none of them."""
    available = languages()
    code = re.split(r"[-_.\s]", text.strip().lower(), maxsplit=1)[0]
    if code in available:
        return code
    wanted = _plain(text)
    for code, names in _language_names().items():
        if wanted in names:
            return code
    return None


@lru_cache(maxsize=1)
def _language_names() -> dict[str, frozenset[str]]:
    from babel import Locale, UnknownLocaleError

    english = Locale("en").languages
    found = {}
    for code, own in languages().items():
        try:
            itself = Locale.parse(code).languages.get(code, "")
        except (UnknownLocaleError, ValueError):
            itself = ""
        names = {_plain(name) for name in (own, itself, english.get(code, "")) if name}
        found[code] = frozenset(names | {name.split()[0] for name in names})
    return found


def _plain(text: str) -> str:
    """Lower case, without accents, one space between words: ``Kreyòl`` -> ``kreyol``."""
    letters = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in letters if not unicodedata.combining(c)).split())


def set_language(code: str) -> None:
    """Use ``code`` for every message from now on (``en`` for the English originals); a tag
    or a name is taken as ``language_code`` reads it."""
    if code != "en" and code not in languages():  # a batch sets it twice a row: codes first
        code = language_code(code) or code
    if code == "en":
        _state["current"], _code["current"] = gettext.NullTranslations(), "en"
        return
    available = languages()
    if code not in available:
        raise UserError(f"no translation for {code!r}; available: {', '.join(available)}")
    _state["current"], _code["current"] = _catalog(code).translations, code


def current_language() -> str:
    return _code["current"]


def detect_language() -> str:
    """The language of the environment (LANGUAGE, LC_ALL, LC_MESSAGES, LANG) if we have it."""
    available = languages()
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        for part in os.environ.get(variable, "").split(":"):
            code = part.split(".")[0].split("_")[0].lower()
            if code in available:
                return code
    return "en"


def _(message: str) -> str:
    """The message in the current language."""
    return _state["current"].gettext(message)


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet."""
    return message


def full_date(day: date) -> str | None:
    """The date in the current language's own full format, by Babel, or None where Babel has
    no month names for it (Haitian Creole: only the root locale's "M01" placeholders)."""
    code = _code["current"]
    if not _babel_knows(code):
        return None
    from babel.dates import format_date

    return str(format_date(day, format="full", locale=code))


@lru_cache(maxsize=8)
def _babel_knows(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(code).months["format"]["wide"][1] != "M01")
    except (UnknownLocaleError, ValueError, KeyError):
        return False
