"""Reference numbers, dates and times, sums of money and exemptions, each with its sentence.

Everything is reported as the reply writes it: a receipt stated at 10:37:21 PM on a Sunday is
that Sunday at 10:37:21 PM, with no time zone applied and no business day counted. Which day
counts as received is the schedule's question, not the reader's.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import date, time
from decimal import Decimal, InvalidOperation

from recordskit.law import EXEMPTIONS
from recordskit.replies.reading import CitedExemption, MoneyAmount, Reference, StatedDate

__all__ = ["Sentences", "amounts", "dates", "exemptions", "references"]

_EVIDENCE_CHARS = 400

# Words that end with a period without ending a sentence ("Jan. 9", "c. 4", "Mr. Smith").
_ABBREVIATIONS = frozenset({
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "c",
    "cl", "ch", "st", "no", "nos", "mr", "ms", "mrs", "dr", "gen", "e", "i", "vs", "inc", "sec",
    "p", "pp", "art", "g", "l", "m", "a", "u", "s", "et", "al", "approx", "dept", "re",
})


class Sentences:
    """The sentence around any position of a text, for evidence quotes.

    Every lookup works on a window of bounded size, so that quoting stays linear in the text
    even when a hostile reply is one 400,000-character "sentence".
    """

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        for match in re.finditer(r"\n[ \t]*\n|(?<=[.!?:;])[\"”')\]]?[ \t]*\n?[ \t]+"
                                 r"(?=[A-Z(\"“\[])|(?<=[.!?])[\"”')\]]?\n(?=[A-Z])", text):
            before = text[max(0, match.start() - 40):match.start()].rstrip("\"”')] ")
            word = re.search(r"([A-Za-z.]+)\.$", before)
            if word and word.group(1).lower().strip(".") in _ABBREVIATIONS:
                continue
            if word and re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?", word.group(1) + "."):
                continue  # the general laws' abbreviation, with or without its "M."
            starts.append(match.end())
        self.starts = starts

    def _bounds(self, start: int, end: int) -> tuple[int, int]:
        first = self.starts[bisect_right(self.starts, start) - 1]
        index = bisect_right(self.starts, max(end - 1, start))
        last = self.starts[index] if index < len(self.starts) else len(self.text)
        return first, last

    def around(self, start: int, end: int | None = None) -> str:
        """The sentence (or sentences) holding ``text[start:end]``, whitespace collapsed."""
        end = start if end is None else end
        first, last = self._bounds(start, end)
        if last - first <= _EVIDENCE_CHARS:
            return re.sub(r"\s+", " ", self.text[first:last]).strip()
        # A long sentence: the part around the words found, marked as cut.
        half = _EVIDENCE_CHARS // 2
        window_start = max(first, start - half)
        window_end = min(last, max(end, window_start + _EVIDENCE_CHARS))
        quote = re.sub(r"\s+", " ", self.text[window_start:window_end]).strip()
        return ("…" if window_start > first else "") + quote + ("…" if window_end < last else "")

    def before(self, start: int, limit: int = 200) -> str:
        """Up to ``limit`` characters from the sentence's beginning up to ``start``."""
        first, _last = self._bounds(start, start)
        return self.text[max(first, start - limit):start]


# The City's system: a letter and two groups of six digits (R004372-120323); police requests
# take the letter B. Older police letters gave numbers like 17-140, which are only taken as a
# reference when a word says so: bare, they could be a phone number or a range.
_GOVQA = re.compile(r"(?<![A-Za-z0-9])([A-Z])(\d{6})-(\d{2})(\d{2})(\d{2})(?!\d)")
_LEGACY = re.compile(
    r"(?i)\b(?:reference|tracking|request|ref\.?|file|PRR|records? request|case)"
    r"(?:\s+(?:number|no\.?|#))?\s*(?:#|:|is|was)?\s*(\d{2}-\d{1,4})(?![\d-])"
)
_SUPERVISOR = re.compile(r"(?<![A-Za-z])SPR[ ]?(\d{2})[-/](\d{3,4})(?!\d)")


def references(text: str, sentences: Sentences) -> list[Reference]:
    """Every reference number, in the order first written, each once."""
    found: dict[str, Reference] = {}
    first_seen: dict[str, int] = {}
    for match in _GOVQA.finditer(text):
        letter, serial, month, day, year = match.groups()
        number = f"{letter}{serial}-{month}{day}{year}"
        system = "police" if letter == "B" else "city"
        first_seen.setdefault(number, match.start())
        found.setdefault(number, Reference(number, system, sentences.around(match.start()),
                                           _date_or_none(2000 + int(year), int(month),
                                                         int(day))))
    for match in _LEGACY.finditer(text):
        number = match.group(1)
        first_seen.setdefault(number, match.start(1))
        found.setdefault(number, Reference(number, "police_legacy",
                                           sentences.around(match.start(1))))
    for match in _SUPERVISOR.finditer(text):
        number = f"SPR{match.group(1)}-{match.group(2)}"
        first_seen.setdefault(number, match.start())
        found.setdefault(number, Reference(number, "supervisor",
                                           sentences.around(match.start())))
    return sorted(found.values(), key=lambda ref: first_seen[ref.number])


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


_MONTHS = {name: number for number, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sept", "sep"),
    ("october", "oct"), ("november", "nov"), ("december", "dec")), start=1) for name in names}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = (r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?"
         r"(?:\s*(?P<half>[AaPp])\.?\s?[Mm]\.?(?![A-Za-z]))?)?")
_DATE_PATTERN = (
    r"(?<![\d/-])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}|\d{2})(?![\d/])" + _TIME
    + r"|(?<![\d-])(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})(?![\d-])" + _TIME
    + r"|(?<![\d/-])(?P<dm>\d{1,2})-(?P<dd>\d{1,2})-(?P<dy>\d{4})(?![\d-])" + _TIME
    + r"|(?i:\b(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?P<tm>" + _MONTH
    + r")\.?\s+(?P<td>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<ty>\d{4})\b)" + _TIME
)
# What a date is for, from the words just before it in its sentence: the last one written
# wins ("received on June 30, and we will respond by July 14").
_ROLE_WORDS = (
    ("received", re.compile(r"(?i)\b(?:received|receipt|submitted|filed|sent to us|"
                            r"came in)\b")),
    ("until", re.compile(r"(?i)\b(?:until|extend\w*|extension)\b")),
    # "by" only just before the date: "received by email on" is not a due date.
    ("due", re.compile(r"(?i)\bby\s*(?:(?:the )?close of business(?: on)?\s*)?$|"
                       r"\b(?:no later than|on or before|due|deadline|expect\w*|"
                       r"anticipat\w*|estimated completion|complete[ds]? on|ready on|"
                       r"(?:produced|provided|available|released|sent) on|respond\w* on|"
                       r"before)\b")),
    ("mentioned", re.compile(r"(?i)\b(?:of|for|in|during|after)\s*$|"
                             r"\b(?:from|between|since|dated)\b")),
)


def dates(text: str, sentences: Sentences, keep: int | None = None
          ) -> tuple[list[StatedDate], int]:
    """The first ``keep`` dates the text writes (all when None), each with its time when one
    follows and its role, and how many it writes in all."""
    found: list[StatedDate] = []
    total = 0
    for match in _DATE.finditer(text):
        on = _match_date(match)
        if on is None:
            continue
        total += 1
        if keep is not None and len(found) >= keep:
            continue  # counted, not quoted: quoting is the costly part
        found.append(StatedDate(on=on, at=_match_time(match), role=_role(
            sentences.before(match.start())), evidence=sentences.around(match.start(),
                                                                        match.end())))
    return found, total


def _match_date(match: re.Match[str]) -> date | None:
    groups = match.groupdict()
    if groups["m"]:
        year = int(groups["y"])
        year = year + 2000 if year < 100 else year
        return _date_or_none(year, int(groups["m"]), int(groups["d"]))
    if groups["iy"]:
        return _date_or_none(int(groups["iy"]), int(groups["im"]), int(groups["id"]))
    if groups["dm"]:
        return _date_or_none(int(groups["dy"]), int(groups["dm"]), int(groups["dd"]))
    return _date_or_none(int(groups["ty"]), _MONTHS[groups["tm"].lower()], int(groups["td"]))


def _match_time(match: re.Match[str]) -> time | None:
    # The time groups repeat in each alternative; the ones that matched belong to this date.
    hour = minute = second = half = None
    for name, value in match.groupdict().items():
        if value is None:
            continue
        if name.startswith("hour"):
            hour = int(value)
        elif name.startswith("minute"):
            minute = int(value)
        elif name.startswith("second"):
            second = int(value)
        elif name.startswith("half"):
            half = value.lower()
    if hour is None or minute is None:
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)  # 12:02 AM is 00:02, 12:30 PM is 12:30
    if hour > 23 or minute > 59 or (second or 0) > 59:
        return None
    return time(hour, minute, second or 0)


def _role(before: str) -> str:
    window = before[-120:]
    if re.search(r"(?i)(?:\bto|through|thru|and|-|–)\s*$", window) and _DATE.search(
            window[-40:]):
        return "mentioned"  # the end of a range of dates ("from 1/1/2016 to 12/31/2016")
    role, last = "mentioned", -1
    for name, pattern in _ROLE_WORDS:
        for match in pattern.finditer(window):
            if match.end() > last or (match.end() == last and name == "mentioned"):
                role, last = name, match.end()
    return role


# Python's re refuses a group name used twice, so each alternative's time groups are numbered.
def _numbered(pattern: str) -> str:
    count = {"hour": 0, "minute": 0, "second": 0, "half": 0}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        count[name] += 1
        return f"(?P<{name}{count[name]}>"
    return re.sub(r"\(\?P<(hour|minute|second|half)>", rename, pattern)


_DATE = re.compile(_numbered(_DATE_PATTERN))

_AMOUNT = re.compile(
    r"\$\s?(?P<dollars>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<cents>\d{2}))?(?!\d)"
    r"|(?<![\d.])(?P<words>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<wcents>\d{2}))?\s+dollars\b"
)


def amounts(text: str, sentences: Sentences, keep: int | None = None
            ) -> tuple[list[MoneyAmount], int]:
    """The first ``keep`` sums written with "$" or "dollars" (all when None), and the count."""
    found: list[MoneyAmount] = []
    total = 0
    for match in _AMOUNT.finditer(text):
        total += 1
        if keep is not None and len(found) >= keep:
            continue
        whole = (match.group("dollars") or match.group("words")).replace(",", "")
        cents = match.group("cents") or match.group("wcents") or "00"
        try:
            dollars = Decimal(f"{whole}.{cents}")
        except InvalidOperation:  # pragma: no cover (the pattern admits digits only)
            continue
        found.append(MoneyAmount(dollars, sentences.around(match.start())))
    return found, total


_CLAUSE = r"\(\s*([a-u])\s*\)"
_CLAUSE_LIST = _CLAUSE + r"(?:\s*(?:,|and|or|&|,\s*and|,\s*or)\s*" + _CLAUSE + r")*"
_EXEMPTION_ANCHOR = re.compile(
    r"(?i)(?:\u00a7+\s*7\s*,?\s*(?:cl(?:ause)?\.?\s*)?(?:\(\s*26\s*\)|26(?:th)?)\s*|"
    r"\b7\s*\(\s*26\s*\)\s*|\bcl(?:ause)?\.?\s*(?:26|twenty-?sixth)\s*,?\s*(?:sub-?clauses?\s*)?|"
    r"\btwenty-?sixth\s+clause\s*,?\s*(?:sub-?clauses?\s*)?|\bexemptions?\s*|"
    r"\bsub-?clauses?\s*)(?=\()"
)


def exemptions(text: str, sentences: Sentences) -> list[CitedExemption]:
    """Every clause of the exemptions statute (``law.EXEMPTIONS``) cited, each once, in the
    order first cited."""
    by_clause = {exemption.clause: key for key, exemption in EXEMPTIONS.items()}
    found: dict[str, CitedExemption] = {}
    for anchor in _EXEMPTION_ANCHOR.finditer(text):
        listed = re.match(_CLAUSE_LIST, text[anchor.end():anchor.end() + 120])
        if listed is None:
            continue
        for clause in re.findall(_CLAUSE, listed.group(0)):
            letter = clause.lower()
            found.setdefault(letter, CitedExemption(letter, by_clause.get(letter),
                                                    sentences.around(anchor.start())))
    return list(found.values())
