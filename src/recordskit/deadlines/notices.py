"""The notes and warnings beside a request's dates, in English and in the family's words.

A note says something the dates alone do not (a response came late, so no fee may be charged);
a warning, something to act on (a production date past the law's limit). Each keeps its full
English sentence, for the letter-writer's tables, ``--json`` and the English screens, and its
own message for families, translated when it is shown, so a family reading Spanish or Haitian
Creole is told the same thing, not another note or an English one.
"""

from __future__ import annotations

from dataclasses import dataclass

from recordskit.i18n import N_, _

SUFFOLK = N_("A Suffolk County legal holiday (Evacuation Day or Bunker Hill Day) is counted here "
             "as a day Boston offices are closed. They may open that day, so a deadline may be "
             "one business day earlier ({citation}).")
FRIDAY_CLOSED = N_("The Friday before a Saturday holiday is counted here as a day Boston offices "
                   "are closed, as they were on Friday, November 10, 2023. They may open that "
                   "day, so a deadline may be one business day earlier ({citation}).")
RECEIPT_ON_ASSUMED_DAY = N_("Your request is taken as received on {received}, not {sent}: "
                            "{sent} ({reason}) is counted as a day the office is closed, which "
                            "may not be so. If it was open, every date is one business day "
                            "earlier.")
MAIL_ON_ASSUMED_DAY = N_("Your mailed letter is taken to arrive on {received}: the {days} business "
                        "days of the mail skip {day} ({reason}), counted as a day the office is "
                        "closed, which may not be so. If it was open, every date is one business "
                        "day earlier.")
PORTAL_SUNDAY = N_("A request made on a Sunday: the City's records portal has shown a due date "
                   "one business day earlier than the one counted here. It seems to count from "
                   "the Sunday, while the rule counts a request that arrives on a Sunday as "
                   "received on the next business day ({citation}). If the portal shows an "
                   "earlier date, that is why; answering by it is never wrong.")
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
PETITION = N_("{agency} asked the Supervisor of Records for more time on {date}. It must send "
              "you a copy ({citation}), and must still answer you in writing by the day the "
              "answer is due.")
PETITION_GRANTED = N_("The Supervisor of Records gave {agency} {days} more business days on "
                      "{date}. Log the date the order gives for the records, with the "
                      "petition_granted event.")
EXTENSION_BEYOND_LIMIT = N_(
    "{agency} set {until} to give you the records. That is later than {latest}, {days} business "
    "days after it received your request, the latest the law allows ({citation}) unless the "
    "Supervisor of Records gives it more time. You may appeal.")
PETITION_LATE = N_("{agency} asked the Supervisor of Records for more time on {date}, after "
                   "{limit}, the last day to ask: {days} business days after it received your "
                   "request ({citation}). You may appeal on that ground.")
PETITION_GRANTED_LATE = N_("The Supervisor of Records gave {agency} more time, though it asked "
                           "after {limit}, the last day to ask ({citation}). You may appeal on "
                           "that ground.")
PRODUCTION_PASSED = N_("The date {agency} set for the records, {date}, has passed, and no "
                       "records were logged.")
MORE_THAN_NORMAL = N_("{days} business days is more than the {most} the Supervisor of Records "
                      "normally grants ({citation}); check the order.")


@dataclass(frozen=True)
class Notice:
    """A note or a warning: its English sentence, and its message for families with the
    values it is filled with (dates, the agency's short name, numbers and citations from the
    law table)."""

    text: str
    family: str
    """A message marked for translation, with ``{placeholders}`` for ``values``."""
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.text

    def in_family_words(self) -> str:
        """The notice in the language in use (English families read ``text`` instead)."""
        return _(self.family).format(**dict(self.values))


def notice(text: str, family: str, **values: object) -> Notice:
    return Notice(text.strip(), family, tuple((key, str(value)) for key, value in values.items()))

