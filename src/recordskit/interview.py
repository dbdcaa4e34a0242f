"""The interview: the questions that turn a person's answers into a ``Request``.

The flow is plain Python over the small ``Asker`` protocol, so it never touches a terminal
itself; ``recordskit.prompts`` is the questionary ``Asker``. Each answer is checked with the
same rules an answers file is checked with, and the finished answers go through the same
``request_from`` as a file, so the two paths cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from pydantic import TypeAdapter, ValidationError

from recordskit.answers import request_from
from recordskit.errors import UserError
from recordskit.letter import long_date
from recordskit.models import Agency, Directory, Email, Request

Validator = Callable[[str], bool | str]

PRIVACY_NOTICE = """\
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
"""


class Cancelled(UserError):
    """The person chose not to write the files."""


@dataclass(frozen=True)
class Option:
    """One choice in a list: what the person sees, what the program gets, and a help line."""

    title: str
    value: str
    description: str = ""
    checked: bool = False


class Asker(Protocol):
    """The questions the interview can ask. ``recordskit.prompts`` answers them in a terminal."""

    def say(self, text: str) -> None: ...

    def text(self, message: str, *, default: str = "", instruction: str = "",
             validate: Validator | None = None) -> str: ...

    def select(self, message: str, options: list[Option], *, default: str | None = None,
               instruction: str = "") -> str: ...

    def checkbox(self, message: str, options: list[Option], *, instruction: str = "",
                 validate: Callable[[list[str]], bool | str] | None = None) -> list[str]: ...

    def confirm(self, message: str, *, default: bool = True) -> bool: ...


_EMAIL = TypeAdapter(Email)


def _valid_email_or_blank(value: str) -> bool | str:
    if not value.strip():
        return True
    try:
        _EMAIL.validate_python(value)
    except ValidationError as exc:
        return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
    return True


def _parse_date(value: str) -> date:
    return date.fromisoformat(value.strip())


def _valid_date(optional: bool) -> Validator:
    def check(value: str) -> bool | str:
        if optional and not value.strip():
            return True
        try:
            _parse_date(value)
        except ValueError:
            return "Write the date as YYYY-MM-DD, for example 2026-11-23"
        return True

    return check


def _valid_amount(value: str) -> bool | str:
    try:
        amount = Decimal(value.strip().lstrip("$").replace(",", "") or "0")
    except InvalidOperation:
        return "Write an amount in dollars, for example 0, 25 or 12.50"
    return True if amount >= 0 else "The amount cannot be negative"


def run_interview(asker: Asker, directory: Directory, *, today: date | None = None) -> Request:
    """Ask every question, show a summary, and return the confirmed request."""
    today = today or date.today()
    asker.say(PRIVACY_NOTICE)
    agency = directory.agency(asker.select(
        "Which agency has the records?",
        [Option(a.name, a.id, a.description or f"{len(a.records)} kinds of records in the "
                "catalog") for a in directory.request_targets],
    ))
    answers: dict[str, Any] = {"agency": agency.id}
    answers["records"] = asker.checkbox(
        f"Which records do you want from {agency.short_name}?",
        [Option(r.title, r.id, r.why) for r in agency.records],
        instruction="(Space to choose, Enter when done; none is fine if you describe your own)",
    )
    answers["other_records"] = asker.text(
        "Any other records? Describe them in your own words:",
        instruction="(Enter to skip)" if answers["records"] else "",
        validate=None if answers["records"] else _required("Describe the records you want"),
    )
    answers.update(_ask_dates(asker))
    answers["requester"] = _ask_requester(asker)
    answers["delivery"] = asker.select(
        "How will you send the letter?",
        [Option(_channel_title(agency, channel), channel) for channel in agency.delivery],
    )
    answers["sent_on"] = _parse_date(asker.text(
        "On what date will you send it?", default=today.isoformat(),
        validate=_valid_date(optional=False),
    )).isoformat()
    answers["fee_waiver"] = asker.select("Do you want to ask for a fee waiver?", [
        Option("No", "none"),
        Option("Yes: the records are in the public interest", "public_interest",
               "They help the public understand what government does, and are not for business"),
        Option("Yes: I cannot afford fees", "indigency"),
    ])
    answers["max_fee"] = asker.text(
        "Largest fee you accept without being asked first, in dollars:", default="0",
        instruction="(0 means: ask me before charging anything)", validate=_valid_amount,
    ).strip().lstrip("$").replace(",", "") or "0"
    answers["format"] = asker.select("How do you want the records?", [
        Option("Electronic copies (free of copy fees)", "electronic"),
        Option("Paper copies by mail", "paper"),
    ])
    if answers["format"] == "paper" and not answers["requester"]["mailing_address"]:
        answers["requester"]["mailing_address"] = asker.text(
            "Paper copies need a mailing address. Where should they go?",
            validate=_required("Give a mailing address, or go back and choose electronic"),
        )
    request = request_from(answers, directory)
    asker.say(summary(request, directory))
    if not asker.confirm("Write the letter and schedule now?", default=True):
        raise Cancelled("Nothing was written.")
    return request


def _required(message: str) -> Validator:
    return lambda value: True if value.strip() else message


def _ask_dates(asker: Asker) -> dict[str, str | None]:
    start = asker.text("Records from what date?", validate=_valid_date(optional=True),
                       instruction="(YYYY-MM-DD; Enter to use each record's usual range)")
    first = _parse_date(start) if start.strip() else None

    def not_before_start(value: str) -> bool | str:
        checked = _valid_date(optional=True)(value)
        if checked is not True or not value.strip() or first is None:
            return checked
        return True if _parse_date(value) >= first else f"Must be on or after {first}"

    end = asker.text("Records up to what date?", validate=not_before_start,
                     instruction="(YYYY-MM-DD; Enter for no end date)")
    return {"date_from": first.isoformat() if first else None,
            "date_to": _parse_date(end).isoformat() if end.strip() else None}


def _ask_requester(asker: Asker) -> dict[str, str]:
    asker.say("Who is asking? Only a way to receive the answer is needed.")
    person = {
        "name": asker.text("Your name:", instruction="(Enter to leave it out)"),
        "organization": asker.text(
            "Organization filing the request, if any:",
            instruction="(a clinic or group may file for a family; Enter to skip)"),
        "email": asker.text("Email address for the answer:", instruction="(Enter to skip)",
                            validate=_valid_email_or_blank).strip(),
    }
    person["mailing_address"] = asker.text(
        "Mailing address:",
        instruction="(Enter to skip)" if person["email"] else "(needed, since no email)",
        validate=None if person["email"] else _required(
            "Give a mailing address, since there is no email address"),
    )
    person["phone"] = asker.text("Phone number:", instruction="(Enter to skip)")
    return person


def _channel_title(agency: Agency, channel: str) -> str:
    where = agency.channel_contact(channel)  # type: ignore[arg-type]
    titles = {
        "email": f"By email to {where}",
        "portal": f"Through the online portal, {where}",
        "mail": "By mail to " + (where or "").replace("\n", ", "),
        "hand": "By hand to " + (where or "").replace("\n", ", "),
    }
    return titles[channel]


def summary(request: Request, directory: Directory) -> str:
    """What will be written, in plain words, for the person to check."""
    agency = directory.agency(request.agency)
    lines = [f"To: {agency.name} ({agency.records_officer.title})", "Records:"]
    lines += [f"  - {agency.record(r).title}" for r in request.records]
    if request.other_records:
        lines.append(f"  - In your words: {request.other_records}")
    if request.date_from or request.date_to:
        lines.append(f"Dates: {request.date_from or 'each record’s usual start'} to "
                     f"{request.date_to or 'now'}")
    person = request.requester
    lines.append("From: " + ", ".join(x for x in (person.name, person.organization,
                                                  person.email or "", person.phone) if x))
    if person.mailing_address:
        lines.append("      " + person.mailing_address.replace("\n", ", "))
    lines.append(f"Sent: {long_date(request.sent_on)}, {_channel_title(agency, request.delivery)}")
    waiver = {"none": "no", "public_interest": "yes, public interest",
              "indigency": "yes, cannot afford fees"}[request.fee_waiver]
    lines.append(f"Fee waiver: {waiver}; ask first above ${request.max_fee:.2f}; "
                 f"{request.format} copies")
    return "\n".join(lines)
