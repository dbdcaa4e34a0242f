"""The interview: the questions that turn a person's answers into a ``Request``.

The flow is plain Python over the small ``Asker`` protocol, so it never touches a terminal
itself; ``recordskit.intake.terminal`` is the questionary ``Asker``. Each answer is checked with the
same rules an answers file is checked with, and the finished answers go through the same
``request_from`` as a file, so the two paths cannot drift apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import TypeAdapter, ValidationError

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.schedule import first_answer_due
from recordskit.i18n import N_, _, current_language
from recordskit.intake.answers import request_from
from recordskit.intake.asker import Asker, Cancelled, Option, Validator
from recordskit.intake.privacy import scan
from recordskit.law import LAW
from recordskit.models import (
    CHANNELS,
    Agency,
    Directory,
    Email,
    Request,
    SendTo,
    kept_language,
    requester_phone_problem,
)
from recordskit.text import closed_day_words, local_date, one_line

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


_EMAIL = TypeAdapter(Email)
_SEND_TO = TypeAdapter(SendTo)


def _valid_email_or_blank(value: str) -> bool | str:
    if not value.strip():
        return True
    try:
        _EMAIL.validate_python(value)
    except ValidationError:
        return _("That is not an email address; write one like name@example.org")
    return True


def _valid_phone_or_blank(value: str) -> bool | str:
    # Short, as the email's: the terminal shows it on one line under the question.
    if requester_phone_problem(value.strip()) is None:
        return True
    return _("Not a phone number; write one like 617-635-4601 (abroad: +509 3456 7890)")


def _parse_date(value: str) -> date:
    return date.fromisoformat(value.strip())


def _valid_date(optional: bool) -> Validator:
    def check(value: str) -> bool | str:
        if optional and not value.strip():
            return True
        try:
            _parse_date(value)
        except ValueError:
            return _("Write the date as YYYY-MM-DD, for example 2026-11-23")
        return True

    return check


def _valid_amount(value: str) -> bool | str:
    try:
        amount = Decimal(value.strip().lstrip("$").replace(",", "") or "0")
    except InvalidOperation:
        return _("Write an amount in dollars, for example 0, 25 or 12.50")
    return True if amount >= 0 else _("The amount cannot be negative")


def run_interview(asker: Asker, directory: Directory, *, today: date | None = None) -> Request:
    """Ask every question, show a summary, and return the confirmed request. The request
    keeps the language it was asked in: its family's pages are written in it."""
    request = _interview(asker, directory, today or date.today())
    return request.model_copy(update={"language": kept_language(current_language())})


def _interview(asker: Asker, directory: Directory, today: date) -> Request:
    asker.say(_(PRIVACY_NOTICE))
    kind = asker.select(_("What do you want to ask for?"), [
        Option(_("Public records: policies, reports, emails, data"), "public_records",
               _("Records about how an agency works, under the Public Records Law")),
        Option(_("My child's own school record"), "student_parent",
               _("A parent's right to see and copy their child's student record")),
        Option(_("My own school record (I am 14 or older, or in 9th grade or above)"),
               "student_self", _("An eligible student's right to see their own record")),
    ])
    if kind != "public_records":
        return _student_interview(asker, directory, today, kind == "student_parent")
    answers: dict[str, Any] = {}
    sections = _public_sections(asker, directory, today)
    for ask in sections.values():
        ask(answers)
    return _review(asker, directory, answers, sections, organization=True)


Section = Callable[[dict[str, Any]], None]


def _public_sections(asker: Asker, directory: Directory, today: date) -> dict[str, Section]:
    """Each part of a public records request's interview, by the title the review shows."""

    def agency(answers: dict[str, Any]) -> None:
        chosen = asker.select(_("Which agency has the records?"), [
            Option(_(a.name), a.id, _(a.description) if a.description else _(
                "{count} kinds of records in the catalog").format(count=len(a.records)))
            for a in directory.request_targets])
        if answers.get("agency") not in (None, chosen):  # its records and ways go with it
            answers.pop("records", None)
            answers.pop("delivery", None)
        answers["agency"] = chosen

    def records(answers: dict[str, Any]) -> None:
        chosen = directory.agency(answers["agency"])
        answers["records"] = asker.checkbox(
            _("Which records do you want from {agency}?").format(agency=chosen.short_name),
            [Option(_(r.title), r.id, _(r.why), checked=r.id in answers.get("records", []))
             for r in chosen.records],
            instruction=_("(Space to choose, Enter when done; none is fine if you describe your "
                          "own)"))
        answers["other_records"] = _ask_own_words(asker, bool(answers["records"]),
                                                  answers.get("other_records", ""))

    def dates(answers: dict[str, Any]) -> None:
        answers.update(_ask_dates(asker))

    def requester(answers: dict[str, Any]) -> None:
        answers["requester"] = _ask_requester(asker)

    def delivery(answers: dict[str, Any]) -> None:
        chosen = directory.agency(answers["agency"])
        known = [c for c in chosen.delivery if chosen.channel_contact(c)]
        others = [c for c in CHANNELS if c not in known]
        answers["delivery"] = asker.select(
            _("How will you send the letter?"),
            [*(Option(_channel_title(chosen, channel), channel) for channel in known),
             *(Option(_OWN_ADDRESS_TITLES[channel](), channel,
                      _("recordskit's directory has no such address for {agency}").format(
                          agency=chosen.short_name)) for channel in others)])
        answers.pop("send_to", None)
        if answers["delivery"] in others:
            answers["send_to"] = asker.text(
                _OWN_ADDRESS_QUESTIONS[answers["delivery"]](),
                validate=_valid_send_to(answers["delivery"]))



    def sent_on(answers: dict[str, Any]) -> None:
        answers["sent_on"] = _ask_sent_on(asker, today, directory, answers)

    def fees(answers: dict[str, Any]) -> None:
        answers["fee_waiver"] = asker.select(_("Do you want to ask for a fee waiver?"), [
            Option(_("No"), "none"),
            Option(_("Yes: the records are in the public interest"), "public_interest",
                   _("They help the public understand what government does, and are not for "
                     "business")),
            Option(_("Yes: I cannot afford fees"), "indigency"),
        ])
        answers["max_fee"] = asker.text(
            _("Largest fee you accept without being asked first, in dollars:"), default="0",
            instruction=_("(0 means: ask me before charging anything)"), validate=_valid_amount,
        ).strip().lstrip("$").replace(",", "") or "0"

    def format_(answers: dict[str, Any]) -> None:
        answers["format"] = _ask_format(asker, answers["requester"])

    return {N_("Agency"): agency, N_("Records"): records, N_("Dates of the records"): dates,
            N_("Who is asking"): requester, N_("How it is sent"): delivery,
            N_("Date it is sent"): sent_on, N_("Fees"): fees, N_("Format of the records"): format_}


def _review(asker: Asker, directory: Directory, answers: dict[str, Any],
            sections: dict[str, Section], *, organization: bool = False) -> Request:
    """Show what will be written; any answer can be changed before anything is written.

    Answering No leads to the choice of the answer to change; Ctrl-C, or the choice to cancel,
    writes nothing. ``organization`` offers, before the first summary and after a change of who
    is asking, to put an organization's name on the letter.
    """
    offer = organization
    while True:
        request = request_from(answers, directory)
        if offer:
            request = _offer_organization(asker, request, directory)
            answers["requester"] = request.requester.model_dump(mode="json")
            offer = False
        asker.say(summary(request, directory))
        if asker.confirm(_("Write the letter and schedule now?"), default=True):
            return request
        change = asker.select(_("Which answer do you want to change?"), [
            *(Option(_(title), title) for title in sections),
            Option(_("None: cancel and write nothing"), ""),
        ])
        if not change:
            raise Cancelled(_("Nothing was written."))
        sections[change](answers)
        offer = organization and change == "Who is asking"
        for title, key in (("Records", "records"), ("How it is sent", "delivery")):
            if title in sections and key not in answers:  # a new agency's own choices
                sections[title](answers)


def _ask_own_words(asker: Asker, optional: bool, text: str = "") -> str:
    """The person's own description, each personal detail in it shown to be removed, kept or
    edited; a parent describing her own child is pointed to the child's-record request."""
    text = asker.text(
        _("Any other records? Describe them in your own words:"), default=text,
        instruction=_("(Enter to skip)") if optional else "",
        validate=None if optional else _required(_("Describe the records you want")))
    kept: set[str] = set()
    while findings := [f for f in scan("other_records", text) if f.excerpt not in kept]:
        finding = findings[0]
        asker.say(_("This letter can be released to anyone who asks for it. What you wrote "
                    "seems to contain {what}: {excerpt}").format(what=_(finding.what),
                                                                 excerpt=finding.excerpt))
        if finding.kind == "child_name":
            asker.say(_("If you want your own child's records, a request for the child's "
                        "student record is faster and keeps them private: cancel (Ctrl-C) and "
                        "choose \"My child's own school record\" when you start again."))
        choice = asker.select(_("What should happen to it?"), [
            Option(_("Remove it from the letter"), "remove"),
            Option(_("Keep it"), "keep"),
            Option(_("Edit the text"), "edit"),
        ])
        if choice == "remove":
            text = _without(text, finding.excerpt)
            if text:
                # What is left can be half a sentence ("Any report about ,"): she sees it, and
                # by default finishes it, before it goes into the letter.
                asker.say(_("Without it, your words read: {text}").format(text=text))
                if asker.select(_("Those words go into the letter as they are."), [
                        Option(_("Edit them"), "edit"),
                        Option(_("Use them as they are"), "use")]) == "edit":
                    text = asker.text(_("Describe the records you want, without that detail:"),
                                      default=text, validate=None if optional else _required(
                                          _("Describe the records you want")))
            elif not optional:
                text = asker.text(_("Describe the records you want, without that detail:"),
                                  validate=_required(_("Describe the records you want")))
        elif choice == "keep":
            kept.add(finding.excerpt)
        else:
            text = asker.text(_("Any other records? Describe them in your own words:"),
                              default=text, validate=None if optional else _required(
                                  _("Describe the records you want")))
    return text


def _without(text: str, excerpt: str) -> str:
    """``text`` with ``excerpt`` taken out, and the punctuation it leaves hanging (a space
    before a comma, an empty pair of brackets, two commas) tidied."""
    text = " ".join(text.replace(excerpt, " ").split())
    text = re.sub(r"\(\s*\)|\[\s*\]", "", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return " ".join(text.strip(" ,;:").split())


def _ask_sent_on(asker: Asker, today: date, directory: Directory, answers: dict[str, Any]
                 ) -> str:
    """The sending date: a closed day is explained, and a past day whose response date has
    already passed must be confirmed."""
    agency = directory.agency(answers["agency"])
    calendar = calendar_for(agency, directory)
    while True:
        sent = _parse_date(asker.text(
            _("On what date will you send it?"),
            default=str(answers.get("sent_on") or today.isoformat()),
            validate=_valid_date(optional=False)))
        closed = calendar.closed_reason(sent)
        # A mailed letter is expected days after it is posted, whatever day that is (the
        # schedule says when): only a request that arrives the day it is sent meets the closed
        # office.
        if closed and answers.get("delivery") != "mail" and calendar.assumed(sent):
            # A Suffolk County day, or a Friday before a Saturday holiday: closed only by
            # recordskit's assumption (the later, safer date), never said as fact
            asker.say(_("{date} is {reason}: recordskit counts it as a day the office is closed, "
                        "which may not be so. A request that arrives that day is taken as "
                        "received on {next}; if the office was open, every deadline is one "
                        "business day earlier.").format(
                date=local_date(sent), reason=closed_day_words(closed),
                next=local_date(calendar.next_business_day(sent))))
        elif closed and answers.get("delivery") != "mail":
            asker.say(_("{date} is a day the office is closed ({reason}). A request that arrives "
                        "that day counts as received on the next business day, {next}, and "
                        "every deadline counts from there.").format(
                date=local_date(sent), reason=closed_day_words(closed),
                next=local_date(calendar.next_business_day(sent))))
        due = first_answer_due(
            sent, str(answers.get("delivery", "email")), calendar,
            student=answers.get("request_type") == "student_records",
            non_custodial=answers.get("custody") == "non_custodial")
        passed = due if due < today else None
        if passed is None or asker.confirm(_(
                "A letter sent on {date} was due an answer by {due}, which has passed. Is that "
                "really the day it was sent?").format(date=local_date(sent),
                                                      due=local_date(passed)), default=False):
            return sent.isoformat()


def _ask_format(asker: Asker, person: dict[str, str]) -> str:
    chosen = asker.select(_("How do you want the records?"), [
        Option(_("Electronic copies (free of copy fees)"), "electronic"),
        Option(_("Paper copies by mail"), "paper"),
    ])
    if chosen == "paper" and not person["mailing_address"]:
        person["mailing_address"] = asker.text(
            _("Paper copies need a mailing address. Where should they go?"),
            validate=_required(_("Give a mailing address, or go back and choose electronic")),
        )
    return chosen


def _offer_organization(asker: Asker, request: Request, directory: Directory) -> Request:
    """Before writing: the letter may be released; an organization can file instead."""
    if request.requester.organization and not request.requester.name:
        return request
    choice = asker.select(_("This letter can be released to others. Whose name goes on it?"), [
        Option(_("Mine, as I gave it"), "as_is"),
        Option(_("An organization's, filing for me"), "organization",
               _("The letter shows the organization's name and contact instead of yours")),
    ])
    if choice == "as_is":
        return request
    asker.say(_("Give the organization's details. Only a way to receive the answer is needed."))
    data = request.model_dump(mode="json")
    data["requester"] = {
        "name": "",
        "organization": asker.text(_("Organization's name:"),
                                   validate=_required(_("Give the organization's name"))),
        "email": asker.text(_("Organization's email address:"), validate=_valid_email_or_blank,
                            instruction=_("(Enter to skip)")).strip(),
        "mailing_address": "", "phone": "",
    }
    address_needed = not data["requester"]["email"] or data["format"] == "paper"
    data["requester"]["mailing_address"] = asker.text(
        _("Organization's mailing address:"),
        instruction="" if address_needed else _("(Enter to skip)"),
        validate=_required(_("Give a mailing address, since there is no email address")
                           if not data["requester"]["email"] else
                           _("Paper copies need a mailing address. Where should they go?"))
        if address_needed else None)
    return request_from(data, directory)


def _student_interview(asker: Asker, directory: Directory, today: date, parent: bool
                       ) -> Request:
    """A parent's or eligible student's request for the student's own record."""
    rule = LAW["student_records_exempt"]
    asker.say(_("A student's own record is not asked for with a public records request: "
                "student records are kept from the public ({citation}), and the student "
                "records rules give you a faster, stronger right to see and copy them. "
                "recordskit writes that request instead.").format(citation=rule.citation))
    answers: dict[str, Any] = {"request_type": "student_records", "agency": "bps",
                               "requester_role": "parent" if parent else "eligible_student"}
    sections = _student_sections(asker, directory, today, parent)
    for ask in sections.values():
        ask(answers)
    return _review(asker, directory, answers, sections)


def _student_sections(asker: Asker, directory: Directory, today: date, parent: bool
                      ) -> dict[str, Section]:
    """Each part of a student-records request's interview, by the title the review shows."""

    def student(answers: dict[str, Any]) -> None:
        answers["student"] = {
            "name": asker.text(_("The student's full name:") if parent else _("Your full name:"),
                               validate=_required(_("The student's name is needed"))),
            "school": asker.text(_("The student's school:"),
                                 validate=_required(_("The school is needed")),
                                 instruction=_("(for example: East Boston High School)")),
            "grade": asker.text(_("Grade:"), instruction=_("(Enter to skip)")),
        }

    def custody(answers: dict[str, Any]) -> None:
        answers["custody"] = asker.select(_("Does the student live with you?"), [
            Option(_("Yes: I am the custodial parent, or we share custody"), "custodial"),
            Option(_("No: the student lives with the other parent"), "non_custodial",
                   _("The school tells the other parent first, and answers some weeks later")),
        ])

    def requester(answers: dict[str, Any]) -> None:
        person = _ask_requester(asker, named=parent)
        if not parent:
            person["name"] = person["name"] or answers["student"]["name"]
        answers["requester"] = person

    def delivery(answers: dict[str, Any]) -> None:
        answers["delivery"] = asker.select(_("How will you give the letter to the school?"), [
            Option(_("By email to the principal"), "email"),
            Option(_("By hand, at the school's main office"), "hand"),
            Option(_("By mail to the school"), "mail"),
        ])

    def sent_on(answers: dict[str, Any]) -> None:
        answers["sent_on"] = _ask_sent_on(asker, today, directory, answers)

    def format_(answers: dict[str, Any]) -> None:
        answers["format"] = _ask_format(asker, answers["requester"])

    sections: dict[str, Section] = {N_("The student"): student}
    if parent:
        sections[N_("Custody")] = custody
    sections.update({N_("Who is asking"): requester, N_("How it is sent"): delivery,
                     N_("Date it is sent"): sent_on, N_("Format of the records"): format_})
    return sections


def _required(message: str) -> Validator:
    return lambda value: True if value.strip() else message


def _ask_dates(asker: Asker) -> dict[str, str | None]:
    start = asker.text(_("Records from what date?"), validate=_valid_date(optional=True),
                       instruction=_("(YYYY-MM-DD; Enter to use each record's usual range)"))
    first = _parse_date(start) if start.strip() else None

    def not_before_start(value: str) -> bool | str:
        checked = _valid_date(optional=True)(value)
        if checked is not True or not value.strip() or first is None:
            return checked
        return True if _parse_date(value) >= first else _(
            "Must be on or after {date}").format(date=first)

    end = asker.text(_("Records up to what date?"), validate=not_before_start,
                     instruction=_("(YYYY-MM-DD; Enter for no end date)"))
    return {"date_from": first.isoformat() if first else None,
            "date_to": _parse_date(end).isoformat() if end.strip() else None}


def _ask_requester(asker: Asker, *, named: bool = True) -> dict[str, str]:
    asker.say(_("Who is asking? Only a way to receive the answer is needed."))
    person = {
        "name": asker.text(_("Your name:"), instruction=_("(Enter to leave it out)"))
        if named else "",
        "organization": asker.text(
            _("Organization filing the request, if any:"),
            instruction=_("(a clinic or group may file for a family; Enter to skip)")),
        "email": asker.text(_("Email address for the answer:"), instruction=_("(Enter to skip)"),
                            validate=_valid_email_or_blank).strip(),
    }
    person["mailing_address"] = asker.text(
        _("Mailing address:"),
        instruction=_("(Enter to skip)") if person["email"] else _("(needed, since no email)"),
        validate=None if person["email"] else _required(
            _("Give a mailing address, since there is no email address")),
    )
    person["phone"] = asker.text(_("Phone number:"), instruction=_("(Enter to skip)"),
                                 validate=_valid_phone_or_blank)
    return person


_OWN_ADDRESS_TITLES: dict[str, Callable[[], str]] = {
    "email": lambda: _("By email, to an address you know"),
    "portal": lambda: _("Through an online portal you know"),
    "mail": lambda: _("By mail, to an address you know"),
    "hand": lambda: _("By hand, at an address you know"),
}
_OWN_ADDRESS_QUESTIONS: dict[str, Callable[[], str]] = {
    "email": lambda: _("The email address to send it to:"),
    "portal": lambda: _("The web address of the portal:"),
    "mail": lambda: _("The mailing address to send it to:"),
    "hand": lambda: _("The street address to bring it to:"),
}


def _valid_send_to(channel: str) -> Validator:
    def check(value: str) -> bool | str:
        try:
            _SEND_TO.validate_python({"delivery": channel, "send_to": value.strip()})
        except ValidationError:
            return _("That is not an address for this way of sending; check it")
        return True

    return check


def _channel_title(agency: Agency, channel: str) -> str:
    where = one_line(agency.channel_contact(channel) or "")  # type: ignore[arg-type]
    titles = {
        "email": _("By email to {where}"),
        "portal": _("Through the online portal, {where}"),
        "mail": _("By mail to {where}"),
        "hand": _("By hand to {where}"),
    }
    return titles[channel].format(where=where)


def summary(request: Request, directory: Directory, *, dated_by_clinic: bool = False) -> str:
    """What will be written, in plain words, for the person to check. ``dated_by_clinic``: a
    clinic sends the letter and dates it the day staff make it, so no day is shown as hers."""
    agency = directory.agency(request.agency)
    person = request.requester
    if request.student is not None:
        lines = [_("To: the principal of {school}, with a copy to {office}").format(
            school=request.student.school, office=agency.records_officer.office),
            _("Asking for: the complete student record of {name}").format(
                name=request.student.name)]
    else:
        # The directory's words as its catalog translates them (the name stays beside it)
        lines = [_("To: {agency} ({title})").format(agency=_(agency.name),
                                                    title=_(agency.records_officer.title)),
                 _("Records:")]
        lines += [f"  - {_(agency.record(r).title)}" for r in request.records]
        if request.other_records:
            lines.append("  - " + _("In your words: {text}").format(text=request.other_records))
        if request.date_from or request.date_to:
            lines.append(_("Dates: {start} to {end}").format(
                start=request.date_from or _("each record's usual start"),
                end=request.date_to or _("now")))
    lines.append(_("From: {who}").format(who=", ".join(
        x for x in (person.name, person.organization, person.email or "", person.phone) if x)))
    if person.mailing_address:
        lines.append("      " + one_line(person.mailing_address))
    if request.send_to:
        lines.append(_("Sent to: {address} (the address you gave)").format(
            address=one_line(request.send_to)))
    lines.append(_("Sent: by the clinic, which dates the letter the day it makes it")
                 if dated_by_clinic else _("Sent: {date}").format(date=local_date(request.sent_on)))
    if request.student is None:
        waiver = {"none": _("no"), "public_interest": _("yes, public interest"),
                  "indigency": _("yes, cannot afford fees")}[request.fee_waiver]
        lines.append(_("Fee waiver: {waiver}; ask first above ${amount}").format(
            waiver=waiver, amount=f"{request.max_fee:.2f}"))
    return "\n".join(lines)
