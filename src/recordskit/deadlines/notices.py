"""The notes and warnings beside a request's dates: one message each, said in the language in use.

A note says something the dates alone do not (a response came late, so no fee may be charged);
a warning, something to act on (a production date past the law's limit). A notice is its
message (English, the catalog's source language) and the values it is filled with; it is worded
when it is shown, so a family reading Spanish or Haitian Creole is told the same thing as an
English reader, not another note or an English one.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordskit.i18n import N_, Message, _, current_language

SUFFOLK = N_("A Suffolk County legal holiday (Evacuation Day or Bunker Hill Day) is counted as a "
             "day Boston offices are closed ({citation}). They may open that day, so a deadline "
             "may be one business day earlier.")
FRIDAY_CLOSED = N_("The Friday before a Saturday holiday is counted as a day Boston offices are "
                   "closed, as they were on Friday, November 10, 2023 ({citation}). They may open "
                   "that day, so a deadline may be one business day earlier.")
RECEIPT_ON_ASSUMED_DAY = N_("The request is taken as received on {received}, not {sent}: {day} "
                            "({reason}) is counted as a day the office is closed, which is an "
                            "assumption. If the office was open, every date is one business day "
                            "earlier.")
MAIL_ON_ASSUMED_DAY = N_("The mailed letter is taken to arrive on {received}: the {days} business "
                         "days of the mail skip {day} ({reason}), counted as a day the office is "
                         "closed, which is an assumption. If the office was open, every date is "
                         "one business day earlier.")
PORTAL_SUNDAY = N_("A request made on a Sunday: the City's records portal has shown a due date "
                   "one business day earlier than the one counted here (for example for "
                   "R002556-062324 and R004372-120323). It seems to count from the Sunday, while "
                   "the rule counts a request that arrives on a Sunday as received on the next "
                   "business day ({citation}). If the portal shows an earlier date, that is why; "
                   "an answer by it is never late.")
# The next four are the family's words only: their English, said to an English reader, quotes
# the law table's no_fee_if_late statement, which no message may copy (law text lives in
# law.py alone) and which the translations word their own way; see Notice.english.
LATE_RESPONSE = N_("The first answer came on {date}, after the day it was due ({due}), so no fee "
                   "may be charged ({citation}).")
OVERDUE = N_("No answer came by {due}. From now on no fee may be charged ({fee_citation}), and "
             "you may appeal to the Supervisor of Records ({appeal_citation}) until {until}.")
OVERDUE_ASSUMED = N_("No answer came by {due}, the day it is due if your request arrived on "
                     "{received}, as assumed (not confirmed). If it did, no fee may be charged "
                     "from now on ({fee_citation}). You may appeal to the Supervisor of Records "
                     "({appeal_citation}) until {until}.")
OVERDUE_APPEALED = N_("No answer came by {due}. From now on no fee may be charged "
                      "({fee_citation}). You have appealed; the Supervisor of Records decides.")
PETITION = N_("{agency} petitioned the Supervisor of Records for more time on {date}. It must "
              "send you a copy ({citation}), and must still answer in writing by the response "
              "date.")
PETITION_GRANTED = N_("The Supervisor of Records granted {agency} {days} more business days on "
                      "{date}. Log the production date the order gives with the "
                      "petition_granted event.")
EXTENSION_BEYOND_LIMIT = N_(
    "{agency} set {until} for production, later than {latest}, the {days} business days after "
    "receipt the law allows ({citation}) unless the Supervisor of Records grants more time. You "
    "may appeal.")
PETITION_LATE = N_("{agency} petitioned for more time on {date}, after {limit}, the last day to "
                   "do so: {days} business days after receipt ({citation}). You may appeal on "
                   "that ground.")
PETITION_GRANTED_LATE = N_("The Supervisor of Records granted {agency} more time, though it "
                           "petitioned after {limit}, the last day to do so ({citation}). You may "
                           "appeal on that ground.")
PRODUCTION_PASSED = N_("The date {agency} set for the records, {date}, has passed, and no "
                       "records were logged.")
PRODUCTION_PASSED_ENGLISH = "The production date {date} has passed and no records were logged. " \
    "You may follow up, and appeal."
"""Its English names no agency, while the translations do (a translation must use exactly its
original's placeholders), so neither can be the other's msgid without changing what it says."""
MORE_THAN_NORMAL = N_("{days} business days is more than the {most} the Supervisor normally "
                      "grants ({citation}); check the order.")


@dataclass(frozen=True)
class Notice:
    """A note or a warning: its message, marked for translation, and the values it is filled
    with (dates, the agency's short name, numbers and citations from the law table)."""

    message: str
    """A message marked for translation, with ``{placeholders}`` for ``values``."""
    values: tuple[tuple[str, str], ...] = ()
    english: str = ""
    """The English sentence, with the same ``{placeholders}``, where it cannot be the message's
    msgid: the four fee notices (their English quotes the law table) and ``PRODUCTION_PASSED``.
    Every other notice's English is its message."""

    def __str__(self) -> str:
        """The notice in the language in use."""
        if self.english and current_language() == "en":  # see ``english``
            return Message(self.english).format(**dict(self.values))
        return _(self.message).format(**dict(self.values))

    @property
    def text(self) -> str:
        """The notice in English, the catalog's source language, whatever the language in use:
        the words a machine reads (``status --json``) stay the same for every reader."""
        return Message(self.english or self.message).format(**dict(self.values))


def notice(message: str, *, english: str = "", **values: object) -> Notice:
    return Notice(message, tuple((key, str(value)) for key, value in values.items()), english)


def notes_in_words(notes: tuple[Notice, ...] | list[Notice]) -> tuple[str, ...]:
    """Notes or warnings in the language in use, each once (two notices may say the same thing
    in a language that words them more shortly)."""
    return tuple(dict.fromkeys(str(note) for note in notes))
