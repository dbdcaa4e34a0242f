"""What the pages call things: the family vocabulary of the service layer
(``recordskit.service``: states, responses, files, follow-up situations), and the few words
only a page needs (the agency's answers as a page asks them, a student record's next steps,
the order of the files, the privacy notice as a list).

An event's meaning is said in English too (``event_words``): a page speaks to a family in
every language, where the command line shows English readers the log's own names.
"""

from __future__ import annotations

from recordskit import service
from recordskit.i18n import N_, _


def state_words(state: str) -> str:
    return str(service.state_text(state))


MEANINGS = service.MEANINGS
"""What the agency answered, by its meaning: (value, words, what to add)."""


def meanings() -> list[tuple[str, str, str]]:
    return list(service.meanings())


def event_words(event: str, kind: str = "") -> str:
    """An event's meaning, in English too: a page speaks to a family in every language."""
    return str(service.event_text(event, kind, family=True))


def next_step_words(kind: str, day: str, student: bool = False) -> str:
    return str(service.next_step_words(kind, day, student))


def sentence(message: str) -> str:
    """A message of the library (written to follow a file's name and a field) as a sentence:
    its first letter a capital."""
    return message[:1].upper() + message[1:]


FILE_ORDER = ("letter.docx", "letter.pdf", "follow_up.docx", "student_follow_up.docx",
              "appeal.docx", "appeal_cover.docx", "email.eml", "how_to_send.txt",
              "appeal_checklist.txt", "summary.docx", "follow_up_summary.docx",
              "appeal_summary.docx", "schedule.docx", "schedule.ics", "schedule.csv",
              "answers.yaml")
"""The order files are listed in: what to send first, then what to read, then the data."""
ENGLISH_FILES: frozenset[str] = service.ENGLISH_FILES
"""Files that stay in English: the letters, which the agency and the Supervisor read, and the
schedule's data."""


def file_role(name: str) -> str:
    return str(service.file_role(name))


def known_file(name: str) -> bool:
    """A file recordskit writes in a request's folder (or a PDF of one)."""
    return bool(service.file_role(name)) or (
        name.endswith(".pdf") and bool(service.file_role(f"{name[:-4]}.docx")))


def situation_words(kind: str) -> str:
    return str(service.situation_words(kind))


PRIVACY_NOTICE = N_("""\
Before you start, please read this.

  * A public records request letter can itself become a public record: the agency may
    give it to anyone who asks for it. Write only what you are comfortable with others reading.
  * You do not have to say who you are or why you want the records. You only need a way to
    receive the answer: an email address or a mailing address.
  * recordskit never asks about immigration status. Anyone may ask for public records,
    whatever their citizenship, so it does not belong in the letter.
  * If you prefer, an organization (a clinic or advocacy group) can file the request for you,
    with its own name and contact details instead of yours.
  * Everything stays on this computer; recordskit sends nothing anywhere.
""")
"""The interview's notice (the same message, so the same translations)."""


CLINIC_KEEPS = N_("Your answers are kept by the clinic that gave you this link, and sent "
                  "nowhere else.")
"""Where a family's answers go on a clinic's server (the footer says it too)."""


def privacy_notice(clinic: bool = False) -> tuple[str, list[str]]:
    """The notice's title and its points, as the page lists them. On a clinic's server the
    last point (everything stays on this computer) is not true: where the answers go is said
    instead."""
    title, points = _notice()
    return title, [*points[:-1], _(CLINIC_KEEPS)] if clinic else points


def _notice() -> tuple[str, list[str]]:
    title, _sep, rest = _(PRIVACY_NOTICE).strip().partition("\n")
    points: list[str] = []
    for line in rest.splitlines():
        stripped = line.strip()
        if stripped.startswith(("* ", "- ", "• ")):
            points.append(stripped[2:].strip())
        elif stripped and points:
            points[-1] += " " + stripped
    return title.strip(), points


REPLY_KINDS: tuple[str, ...] = tuple(service.REPLY_WORDS)
"""The kinds of the agency's reply a page offers to choose from."""


def reply_kind_words(kind: str) -> str:
    """A kind of the agency's reply by its meaning, in the language in use."""
    return str(service.reply_kind_text(kind))
