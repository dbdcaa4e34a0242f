"""What the pages call things, marked for translation: states, the agency's answers by their
meaning, the next step in plain words, and what each file is (and which stay in English)."""

from __future__ import annotations

from recordskit.i18n import N_, _

STATES = {state: state for state in (
    N_("sent"), N_("acknowledged"), N_("overdue"), N_("response"), N_("extension"),
    N_("fee estimate"), N_("partial"), N_("produced"), N_("denied"), N_("no records"),
    N_("petition filed"), N_("extension granted"), N_("fee paid"), N_("appealed"),
    N_("decided"), N_("closed"), N_("withdrawn"))}
"""The same words ``recordskit status`` shows, in the family's language."""


def state_words(state: str) -> str:
    return _(STATES[state]) if state in STATES else state


MEANINGS: tuple[tuple[str, str, str], ...] = (
    ("acknowledged", N_("They wrote that they received my request"),
     N_("As the date, give the day they say your request arrived (every deadline counts "
        "from it), and their reference number, if any.")),
    ("extension", N_("They need more time, until a date they gave"),
     N_("Give the date they said the records will come.")),
    ("fee_estimate", N_("They asked for money"),
     N_("Give the amount they asked for.")),
    ("denied", N_("They refused to give the records"), ""),
    ("partial", N_("They sent some of the records, and kept back others"), ""),
    ("produced", N_("They sent all the records"), ""),
    ("no_records", N_("They say they have no such records"), ""),
)
"""What the agency answered, by its meaning: (value, words, what to add)."""


def meanings() -> list[tuple[str, str, str]]:
    return [(value, _(words), _(more) if more else "") for value, words, more in MEANINGS]


EVENT_WORDS = {
    "received": N_("They wrote that they received the request"),
    "followed_up": N_("You sent a follow-up letter"),
    "petition": N_("They asked the Supervisor of Records for more time"),
    "petition_granted": N_("The Supervisor of Records gave them more time"),
    "paid": N_("You paid"),
    "appealed": N_("You appealed to the Supervisor of Records"),
    "decided": N_("The Supervisor of Records decided"),
    "closed": N_("You closed the request"),
    "withdrawn": N_("The request was withdrawn"),
    "undo": N_("An event was undone"),
}
RESPONSE_WORDS = {
    "extension": N_("They need more time"),
    "fee_estimate": N_("They asked for money"),
    "denied": N_("They refused to give the records"),
    "partial": N_("They sent some of the records"),
    "produced": N_("They sent all the records"),
    "no_records": N_("They say they have no such records"),
}


def event_words(event: str, kind: str = "") -> str:
    if event == "response" and kind in RESPONSE_WORDS:
        return _(RESPONSE_WORDS[kind])
    return _(EVENT_WORDS[event]) if event in EVENT_WORDS else event


NEXT_STEPS = {
    "wait_response": N_("Wait for the answer: it is due by {date}. When the agency answers, "
                        "tell recordskit what it said."),
    "follow_up": N_("Send a follow-up letter now: the agency has not done what the law asks."),
    "wait_reply": N_("Wait for the reply your follow-up letter asked for by {date}."),
    "appeal": N_("You can appeal to the Supervisor of Records until {date}."),
    "wait_production": N_("The records are due by {date}. When they come, tell recordskit."),
    "wait_decision": N_("The Supervisor of Records decides your appeal by {date}."),
    "wait_decision_undated": N_("Wait for the decision of the Supervisor of Records."),
    "close": N_("The records came. When you are satisfied, close the request."),
    "none": N_("Nothing more to do."),
    "wait_response_student": N_("Wait for the school's answer: it must give access by {date}. "
                                "When the school answers, tell recordskit what it said."),
    "follow_up_student": N_("Send a follow-up letter now: the school has not given access in "
                            "time."),
}


def next_step_words(kind: str, day: str, student: bool = False) -> str:
    if kind == "wait_decision" and not day:
        kind = "wait_decision_undated"
    if student and f"{kind}_student" in NEXT_STEPS:
        kind = f"{kind}_student"
    return _(NEXT_STEPS.get(kind, NEXT_STEPS["none"])).format(date=day)


def sentence(message: str) -> str:
    """A message of the library (written to follow a file's name and a field) as a sentence:
    its first letter a capital."""
    return message[:1].upper() + message[1:]


FILE_ROLES = {
    "letter.docx": N_("the letter to send"),
    "letter.pdf": N_("the letter as PDF"),
    "email.eml": N_("an email draft to the agency, with the letter attached"),
    "how_to_send.txt": N_("where and how to send it, and what proof to keep"),
    "summary.docx": N_("for you, in your language: what you asked and each date"),
    "schedule.docx": N_("every date on one printable page"),
    "schedule.csv": N_("every deadline, for a spreadsheet"),
    "schedule.ics": N_("every deadline, to import into a calendar"),
    "answers.yaml": N_("your answers, to make these files again"),
    "follow_up.docx": N_("the follow-up letter to send"),
    "student_follow_up.docx": N_("the follow-up letter to send"),
    "follow_up_summary.docx": N_("for you, in your language: what the follow-up asks and what "
                                 "to do next"),
    "appeal.docx": N_("the appeal, to send to the Supervisor of Records"),
    "appeal_cover.docx": N_("the copy of the appeal, to send to the agency's records officer"),
    "appeal_checklist.txt": N_("what to attach, where to send it and by when"),
    "appeal_summary.docx": N_("for you, in your language: what the appeal asks and what to do "
                              "next"),
}
FILE_ORDER = ("letter.docx", "letter.pdf", "follow_up.docx", "student_follow_up.docx",
              "appeal.docx", "appeal_cover.docx", "email.eml", "how_to_send.txt",
              "appeal_checklist.txt", "summary.docx", "follow_up_summary.docx",
              "appeal_summary.docx", "schedule.docx", "schedule.ics", "schedule.csv",
              "answers.yaml")
"""The order files are listed in: what to send first, then what to read, then the data."""
ENGLISH_FILES = frozenset({"letter.docx", "letter.pdf", "email.eml", "follow_up.docx",
                           "student_follow_up.docx", "appeal.docx", "appeal_cover.docx",
                           "schedule.csv"})
"""Files that stay in English: the letters, which the agency and the Supervisor read, and the
schedule's data."""


def file_role(name: str) -> str:
    return _(FILE_ROLES[name]) if name in FILE_ROLES else ""


SITUATIONS = {
    "no_response": N_("The agency did not answer by the day the law gives. The letter reminds "
                      "it of that day, says it may no longer charge fees, and asks for an "
                      "answer."),
    "extension_beyond_limit": N_("The agency set a date for the records later than the law "
                                 "allows. The letter asks for the records by the legal limit."),
    "late_fee": N_("The agency asked for money after the day its answer was due. The letter "
                   "says no fee may be charged now."),
    "no_exemption": N_("The agency kept back records without naming the law that allows it. "
                       "The letter asks which law, and for every part that can be released."),
    "production_missed": N_("The date the agency set for the records has passed. The letter "
                            "asks for them."),
    "student_no_access": N_("The school did not give access in time. The letter to the "
                            "principal asks for it, with a copy to the BPS Office of Legal "
                            "Advisor."),
}


def situation_words(kind: str) -> str:
    return _(SITUATIONS[kind]) if kind in SITUATIONS else ""


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


def privacy_notice() -> tuple[str, list[str]]:
    """The notice's title and its points, as the page lists them."""
    title, _sep, rest = _(PRIVACY_NOTICE).strip().partition("\n")
    points: list[str] = []
    for line in rest.splitlines():
        stripped = line.strip()
        if stripped.startswith(("* ", "- ", "• ")):
            points.append(stripped[2:].strip())
        elif stripped and points:
            points[-1] += " " + stripped
    return title.strip(), points
