"""The privacy guard: details that do not belong in a public records request.

A public records request can itself be released to anyone who asks for it. Before a letter is
written, its free-text answers are checked for a child's name or date of birth, a student ID
(SASID), an A-number, and words about immigration status. In the interview each finding is
shown and the person chooses to remove it or keep it; from a file it is an error unless the
person allows them (``allow_personal``). A student-records letter is meant to name the student:
the student's own fields are not checked.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from recordskit import inputfile
from recordskit.errors import InputFileError, PersonalDetailsError, Problem
from recordskit.i18n import N_, _
from recordskit.models import Request

KINDS = {
    "student_id": N_("a student ID number (SASID)"),
    "a_number": N_("an immigration A-number"),
    "birth_date": N_("a date of birth"),
    "child_name": N_("a child's name"),
    "immigration_status": N_("words about immigration status"),
}

_MONTHS = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
           r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|enero|febrero|marzo|"
           r"abril|mayo|junio|julio|agosto|se?ptiembre|octubre|noviembre|diciembre|janvye|"
           r"fevriye|mas|avril|me|jen|jiyè|dawou|septanm|oktòb|novanm|desanm)")
_DATE = (r"(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|"
         rf"{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|"
         rf"\d{{1,2}}\s+(?:de\s+)?{_MONTHS}\s+(?:de\s+)?\d{{4}})")
_BORN = r"(?:born|birth|b\.|nacid[oa]|naci[óo]|nacimiento|fèt|ne)"
# A name: capitalized words, matched with case (the rest of each pattern ignores case).
_NAME = r"(?-i:\s*,?\s*[A-ZÁÉÍÓÚÑÈÒ][\w'’-]+(?:\s+(?:de\s+la\s+|de\s+)?[A-ZÁÉÍÓÚÑÈÒ][\w'’-]+){0,3})"

_PATTERNS: dict[str, re.Pattern[str]] = {
    "student_id": re.compile(
        r"\b(?:SASID|student\s+(?:ID|number)|número de estudiante|nimewo elèv)\b[\s:#.-]*\d*|"
        r"\b\d{10}\b", re.IGNORECASE),
    "a_number": re.compile(
        r"\bA-?(?:number|#)?[\s:#-]*\d{3}[-\s]?\d{3}[-\s]?\d{2,3}\b|\bA-?number\b",
        re.IGNORECASE),
    "birth_date": re.compile(
        rf"\b(?:li\s+|dat\s+(?:li\s+)?)?{_BORN}\b(?:\s+(?:on|in|el|le|nan|the))?[\s:,]*{_DATE}|"
        r"\b(?:DOB|date of birth|born on|born in \d{4}|birthday|fecha de nacimiento|"
        r"naci[óo] el|dat (?:li )?fèt|li fèt)\b", re.IGNORECASE),
    "child_name": re.compile(
        rf"\bmy (?:son|daughter|child|kid|grand(?:son|daughter|child)|step(?:son|daughter))\b"
        rf"{_NAME}?|"
        rf"\b(?:student|child|boy|girl|niñ[oa]|estudiante|elèv) (?:named|llamad[oa]|ki rele)"
        rf"{_NAME}|"
        rf"\bmi hij[oa]\b{_NAME}?|\bpitit (?:gason |fi )?mwen\b{_NAME}?",
        re.IGNORECASE),
    "immigration_status": re.compile(
        r"\b(?:undocumented|illegal (?:alien|immigrant)s?|DACA|asylum|asylee|refugee status|"
        r"green card|visa status|overstay(?:ed)?|TPS|immigration status|"
        r"indocumentad[oa]s?|sin papeles|estatus migratorio|asilo|san papye|estati imigrasyon)\b",
        re.IGNORECASE),
}


@dataclass(frozen=True)
class Finding:
    """One personal detail found in one answer."""

    field: str
    kind: str
    excerpt: str

    @property
    def what(self) -> str:
        return KINDS[self.kind]


def personal_details(request: Request) -> list[Finding]:
    """Every detail in the request's free text that could expose a family.

    The requester's own name, organization and mailing address are scanned too (a name field
    is no place for an A-number), except for a child's name, which a name field is.
    """
    person = request.requester
    fields = {"other_records": request.other_records,
              "requester.organization": person.organization,
              "requester.name": person.name,
              "requester.mailing_address": person.mailing_address}
    return [finding for field, text in fields.items() for finding in scan(field, text)
            if not (field == "requester.name" and finding.kind == "child_name")]


def scan(field: str, text: str) -> list[Finding]:
    """The personal details in one answer, found through invisible characters and look-alikes.

    The text is folded first (NFKC, and format characters such as zero-width spaces removed),
    so ``undocu\u200bmented`` is found; the excerpt quotes the folded text.
    """
    folded = _fold(text)
    return [Finding(field, kind, match.group(0).strip())
            for kind, pattern in _PATTERNS.items() for match in pattern.finditer(folded)]


def _fold(text: str) -> str:
    if text.isascii():  # NFKC leaves ASCII as it is, and no format character is ASCII
        return text
    return "".join(char for char in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(char) != "Cf")


ADVICE = N_("A public records request can itself be released to anyone who asks for it, so "
            "leave these details out.")
REFUSED = N_("contains what looks like {what} ({excerpt}). {advice} Remove it, or allow "
             "personal details if it must stay.")


def refuse(findings: list[Finding], file: Path | str | None) -> None:
    """Stop a file-driven request that carries personal details, naming each one's place."""
    if not findings:
        return
    node = None
    if isinstance(file, Path) and file.is_file():
        try:
            _data, node = inputfile.read(file)
        except InputFileError:
            node = None
    problems = []
    for finding in findings:
        line, column = inputfile.locate(node, tuple(finding.field.split(".")))
        problems.append(Problem(finding.field, _(REFUSED).format(
            what=_(finding.what), excerpt=repr(finding.excerpt), advice=_(ADVICE)),
            line, column))
    raise PersonalDetailsError(file, problems)
