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
import string
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from recordskit.errors import UserError

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "recordskit"

_ENGLISH = gettext.NullTranslations()
_spoken: ContextVar[tuple[str, gettext.NullTranslations]] = ContextVar(
    "recordskit_language", default=("en", _ENGLISH))
"""The language in use and its catalog, per context: each web request, thread or task has its
own, so two families' pages served at once never speak each other's language."""


def languages() -> dict[str, str]:
    """Every available language: code -> its own name (English is always there).

    Only each catalog's header is read, never the whole catalog: a catalog broken in one
    language folder cannot break the language detection that every command runs."""
    found = {"en": "English"}
    if LOCALE_DIR.is_dir():
        for po in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
            found[po.parent.parent.name] = _own_name(po)
    return found


@lru_cache(maxsize=64)
def _own_name(po: Path) -> str:
    """The language's own name (``X-Language-Name``) from the start of its catalog."""
    code = po.parent.parent.name
    try:
        with po.open("rb") as handle:
            head = handle.read(8192)
    except OSError:
        return code
    found = re.search(rb'"X-Language-Name: ([^\\"]+)', head)
    name = found.group(1).decode("utf-8", errors="replace").strip() if found else ""
    return "".join(c for c in name if c.isprintable())[:40] or code


class _Loaded:
    def __init__(self, translations: gettext.NullTranslations, name: str,
                 unreviewed: frozenset[str], problems: tuple[str, ...] = (),
                 broken: bool = False) -> None:
        self.translations, self.name, self.unreviewed = translations, name, unreviewed
        self.problems, self.broken = problems, broken


class _SafeFormatter(string.Formatter):
    """``str.format`` for translated text: only named placeholders, nothing else.

    A translation is data a volunteer edits; like a template, it may name the values it is
    given (``{path}``) but never reach through them (``{path.absolute.__globals__}``,
    ``{args[0]}``), convert them (``{path!r}``) or pad them to any width (``{path:>999999999}``).
    """

    def get_field(self, field_name: str, args: Sequence[Any], kwargs: Mapping[str, Any]
                  ) -> Any:
        if not field_name.isidentifier():
            raise ValueError(f"the placeholder {{{field_name}}} is not a plain name")
        return self.get_value(field_name, args, kwargs), field_name

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        if conversion:
            raise ValueError(f"the placeholder conversion !{conversion} is not allowed")
        return value

    def format_field(self, value: Any, format_spec: str) -> Any:
        if format_spec:
            raise ValueError(f"the placeholder format :{format_spec} is not allowed")
        return format(value)


_SAFE = _SafeFormatter()


class Message(str):
    """A message in the person's language, whose ``format`` fills only its named placeholders.

    It remembers its English original: when the translation cannot be filled (a placeholder
    the code does not give, a lone brace), the original is used instead, with a warning once,
    so a broken translation never stops a command, not even while it reports an error."""

    source: str

    def __new__(cls, text: str, source: str | None = None) -> Message:
        made = super().__new__(cls, text)
        made.source = text if source is None else source
        return made

    def format(self, *args: object, **kwargs: object) -> str:
        try:
            return _SAFE.vformat(str(self), args, kwargs)
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            if self.source == str(self):
                raise
            _warn(f"translation:{self.source}", f"a translation of {self.source[:60]!r} "
                  f"cannot be filled in ({exc}); it is shown in English")
            return _SAFE.vformat(self.source, args, kwargs)

    def format_map(self, mapping: Mapping[str, object]) -> str:  # type: ignore[override]
        return self.format(**mapping)


def placeholders(text: str) -> frozenset[str] | None:
    """The placeholders of a message as ``str.format`` reads them, whole (``{path}``,
    ``{path.name}``, ``{path!r}``, ``{0}``), or None when braces do not parse (a lone ``{``)."""
    try:
        return frozenset("{" + field + (f"!{conversion}" if conversion else "")
                         + (f":{spec}" if spec else "") + "}"
                         for _text, field, spec, conversion in string.Formatter().parse(text)
                         if field is not None)
    except ValueError:
        return None


def placeholder_problem(source: str, translation: str) -> str:
    """Why ``translation`` cannot stand for ``source``, or "": it must use exactly the
    source's placeholders, each a plain name."""
    theirs, ours = placeholders(translation), placeholders(source)
    if theirs is None:
        return "its braces do not parse (a lone { or }); write {{ and }} for a brace"
    if theirs != ours:
        wanted = ", ".join(sorted(ours or ())) or "none"
        return (f"its placeholders ({', '.join(sorted(theirs)) or 'none'}) are not the "
                f"original's ({wanted})")
    if any(not p[1:-1].isidentifier() for p in theirs):
        return "a placeholder is not a plain name"
    return ""


_warned: set[str] = set()


def _warn(key: str, message: str) -> None:
    """Say ``message`` on stderr, once per run."""
    if key in _warned:
        return
    _warned.add(key)
    print(f"recordskit: warning: {message}", file=sys.stderr)


@lru_cache(maxsize=16)
def _catalog(code: str) -> _Loaded:
    """The catalog of ``code``; a broken one (it does not parse, a byte that is not UTF-8, an
    unknown charset, a wrong Plural-Forms) is English instead, with a warning once. An entry
    whose placeholders are not its original's is left out (that message stays English)."""
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        return _read_catalog(code, path)
    except Exception as exc:  # Babel and gettext raise many kinds
        reason = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        _warn(f"catalog:{code}", f"the {code!r} translation ({path}) cannot be read "
              f"({reason[:200]}); messages are shown in English")
        return _Loaded(gettext.NullTranslations(), _own_name(path), frozenset(),
                       (f"cannot be read: {reason}",), broken=True)


def _read_catalog(code: str, path: Path) -> _Loaded:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    # abort_invalid: a line Babel cannot read stops it (it would print to stdout and go on).
    catalog = read_po(io.BytesIO(path.read_bytes()), locale=None, abort_invalid=True)
    problems = []
    for message in list(catalog):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, (tuple, list)):  # plural forms: each like one original
            sources = [str(s) for s in message.id]
            forms = [str(f) for f in message.string if f]
        else:
            sources, forms = [str(message.id)], [str(message.string)]
        for form in forms:
            why = min((placeholder_problem(source, form) for source in sources), key=len)
            if why:
                problems.append(f"{sources[0][:60]!r}: {why}")
                catalog.delete(message.id, context=message.context)
                break
    if problems:
        _warn(f"placeholders:{code}", f"the {code!r} translation ({path}) has "
              f"{len(problems)} message(s) whose placeholders are not the original's; they "
              f"are shown in English. First: {problems[0]}")
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    # A translator marks an entry "#, unreviewed" until a native speaker has checked it.
    unreviewed = frozenset(str(m.id) for m in catalog if m.id and UNREVIEWED in m.flags)
    return _Loaded(gettext.GNUTranslations(compiled), _own_name(path), unreviewed,
                   tuple(problems))


def catalog_problems(code: str) -> tuple[str, ...]:
    """What is wrong with the catalog of ``code``: it cannot be read, or entries whose
    placeholders are not their original's (each left out, in English)."""
    return _catalog(code).problems


UNREVIEWED = "unreviewed"


def unreviewed_messages(code: str | None = None) -> frozenset[str]:
    """The messages of a language (by default the current one) not yet checked by a native
    speaker; English, the original, has none."""
    code = code or _spoken.get()[0]
    return frozenset() if code == "en" else _catalog(code).unreviewed


def language_code(text: str) -> str | None:
    """The code of an available language, however a person wrote it: a code in any case
    (``es``, ``ES``), a tag with a region (``es-US``, ``ht_HT``), or the language's name in
    English or in itself, or the first word of one (``Spanish``, ``español``, ``Haitian
    Creole``, ``Kreyòl``); None when it names none of them."""
    code = re.split(r"[-_.\s]", text.strip().lower(), maxsplit=1)[0]
    # A code as a request keeps it: its catalog is there or not (one look, where listing every
    # catalog, below, is a walk of the folder; reading a log asked it of every request)
    if code == "en" or (code.isalpha() and (LOCALE_DIR / code / "LC_MESSAGES" /
                                            f"{DOMAIN}.po").is_file()):
        return code
    available = languages()
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
        _spoken.set(("en", _ENGLISH))
        return
    available = languages()
    if code not in available:
        raise UserError(f"no translation for {code!r}; available: {', '.join(available)}")
    loaded = _catalog(code)
    if loaded.broken:  # English, said once on stderr by _catalog
        _spoken.set(("en", _ENGLISH))
        return
    _spoken.set((code, loaded.translations))


@contextmanager
def in_language(code: str) -> Iterator[None]:
    """Speak ``code`` inside the block, and the caller's language again after it (a batch row
    in its family's language, a calendar's events each in their request's)."""
    token = _spoken.set(_spoken.get())
    try:
        set_language(code)
        yield
    finally:
        _spoken.reset(token)


def untranslated(messages: Iterable[str]) -> dict[str, list[str]]:
    """For each language besides English, the ``messages`` its catalog does not translate
    (they are shown in English there): what a volunteer who adds a record is told."""
    wanted = [message for message in messages if message]
    missing: dict[str, list[str]] = {}
    for code in languages():
        if code == "en":
            continue
        translations = _catalog(code).translations
        absent = [m for m in wanted if translations.gettext(m) == m]
        if absent:
            missing[code] = absent
    return missing


def current_language() -> str:
    return _spoken.get()[0]


LETTERS_LANGUAGE = "en"
"""The language of the letters to agencies and to the Supervisor of Records, whatever the
family reads: Massachusetts bodies answer letters in English."""


def reads_the_letters() -> bool:
    """Whether the language in use is the letters' own: a person reading it reads a letter or
    an appeal itself, and needs no page in another language beside it. Not a choice of words
    (every sentence is the catalog's, in whatever language), but of which pages to write."""
    return current_language() == LETTERS_LANGUAGE


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
    """The message in the current language, as a ``Message``: its ``format`` fills only named
    placeholders, and falls back to the English original when a translation is broken."""
    return Message(_spoken.get()[1].gettext(message), message)


def N_(message: str) -> str:
    """Mark a message for translation without translating it yet."""
    return message


def full_date(day: date) -> str | None:
    """The date in the current language's own full format, by Babel, or None where Babel has
    no month names for it (Haitian Creole: only the root locale's "M01" placeholders)."""
    code = _spoken.get()[0]
    if not _babel_knows(code):
        return None
    return _babel_full_date(code, day)


@lru_cache(maxsize=4096)
def _babel_full_date(code: str, day: date) -> str:
    """Babel's full date, kept: it costs about 16 µs a call, and a batch writes the same few
    dates (a sending day and its deadlines) dozens of times a row."""
    from babel.dates import format_date

    return str(format_date(day, format="full", locale=code))


@lru_cache(maxsize=8)
def _babel_knows(code: str) -> bool:
    from babel import Locale, UnknownLocaleError

    try:
        return bool(Locale.parse(code).months["format"]["wide"][1] != "M01")
    except (UnknownLocaleError, ValueError, KeyError):
        return False
