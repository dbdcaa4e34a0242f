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

from recordskit.errors import PersonalDetailsError, Problem
from recordskit.i18n import N_
from recordskit.models import Request

KINDS = {
    "student_id": N_("a student ID number (SASID)"),
    "a_number": N_("an immigration A-number"),
    "birth_date": N_("a date of birth"),
    "child_name": N_("a child's name"),
    "immigration_status": N_("words about immigration status"),
}

_PATTERNS: dict[str, re.Pattern[str]] = {
    "student_id": re.compile(r"\b(?:SASID|student\s+(?:ID|number))\b[^\n]{0,20}|\b\d{10}\b",
                             re.IGNORECASE),
    "a_number": re.compile(r"\bA[-\s#]?(?:\d{3}[-\s]?\d{3}[-\s]?\d{2,3})\b|\bA-?number\b",
                           re.IGNORECASE),
    "birth_date": re.compile(
        r"\b(?:DOB|date of birth|born on|born in \d{4}|birthday|fecha de nacimiento|"
        r"naci[óo] el|dat (?:li )?fèt|li fèt)\b", re.IGNORECASE),
    "child_name": re.compile(
        r"\bmy (?:son|daughter|child|kid|grand(?:son|daughter|child))\b(?:\s*,?\s*[A-Z]\w+)?|"
        r"\b(?:student|child|boy|girl) named\s+\w+|\bmi hij[oa]\b|\bpitit (?:gason |fi )?mwen\b",
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
    return "".join(char for char in unicodedata.normalize("NFKC", text)
                   if unicodedata.category(char) != "Cf")


ADVICE = ("A public records request can itself be released to anyone who asks for it, so "
          "leave these details out.")


def refuse(findings: list[Finding], file: Path | str | None) -> None:
    """Stop a file-driven request that carries personal details."""
    if findings:
        problems = [Problem(f.field, f"contains what looks like {f.what} ({f.excerpt!r}); "
                                     f"{ADVICE} Remove it, or allow personal details if it "
                                     "must stay.") for f in findings]
        raise PersonalDetailsError(file, problems)


def explain(findings: list[Finding]) -> list[str]:
    """One line per finding, for errors and the interview."""
    return [f"{f.field}: contains what looks like {f.what} ({f.excerpt!r})" for f in findings]
