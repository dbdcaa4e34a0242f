"""The volunteers' questions: a new agency's details, or an agency's contact, over an ``Asker``."""

from __future__ import annotations

from datetime import date
from typing import Any

from recordskit.intake.asker import Asker, Option, Validator
from recordskit.models import CHANNELS

_ADDRESS_HINT = "(separate lines with ' / ', for example: 1 City Hall Square / Boston, MA 02201)"


def _lines(value: str) -> str:
    return "\n".join(part.strip() for part in value.split(" / ")).strip()


def _required(label: str) -> Validator:
    return lambda value: True if value.strip() else f"{label} is required"


def ask_contact(asker: Asker, current: dict[str, Any]) -> dict[str, Any]:
    """The records officer's contact and the delivery channels, each defaulting to ``current``."""
    officer = dict(current.get("records_officer") or {})
    address = str(officer.get("mailing_address") or "").replace("\n", " / ")
    contact = {
        "title": asker.text("Title of the person to write to:",
                            default=str(officer.get("title") or "Records Access Officer")),
        "office": asker.text("Office:", default=str(officer.get("office") or "")),
        "mailing_address": _lines(asker.text("Mailing address:", default=address,
                                             instruction=_ADDRESS_HINT)),
        "email": asker.text("Records email address:", default=str(officer.get("email") or ""),
                            instruction="(only one a source shows; Enter to leave out)"),
        "phone": asker.text("Phone:", default=str(officer.get("phone") or "")),
        "portal_url": asker.text("Public records portal (web address):",
                                 default=str(officer.get("portal_url") or "")),
    }
    current_channels = [str(c) for c in current.get("delivery") or []]
    # The agency's own order first: it is the order the interview offers them in, and an
    # edit that changes nothing must leave the file exactly as it was.
    available = [c for c in (*current_channels, *(c for c in CHANNELS
                                                   if c not in current_channels))
                 if c == "hand" or contact.get(
                     {"email": "email", "portal": "portal_url", "mail": "mailing_address"}.get(
                         c, ""))]
    chosen = asker.checkbox("How does it take requests?",
                            [Option(c, c, checked=c in current_channels) for c in available],
                            instruction="(Space to choose, Enter when done)",
                            validate=lambda picked: True if picked else "Choose at least one")
    return {"records_officer": {k: v for k, v in contact.items() if v}, "delivery": chosen}


def ask_source(asker: Asker, default_url: str = "") -> tuple[str, date]:
    """Where the contact details were checked, and when."""
    url = asker.text("Web page where you checked these details:", default=default_url,
                     validate=lambda v: True if v.startswith(("https://", "http://"))
                     else "Give the page's address, starting with https://")
    when = asker.text("Date you checked it:", default=date.today().isoformat(),
                      validate=_valid_iso_date)
    return url, date.fromisoformat(when)


def _valid_iso_date(value: str) -> bool | str:
    try:
        date.fromisoformat(value.strip())
    except ValueError:
        return "Write the date as YYYY-MM-DD"
    return True


def ask_new_agency(asker: Asker, taken_ids: list[str]) -> dict[str, Any]:
    """Every field a new agency needs, asked in plain words."""

    def free_id(value: str) -> bool | str:
        if value in taken_ids:
            return f"{value!r} is taken"
        ok = value and all(part.isalnum() and part == part.lower() for part in value.split("-"))
        return True if ok else "Use lower-case letters, digits and hyphens, such as 'city-clerk'"

    fields: dict[str, Any] = {
        "id": asker.text("Short id for the agency:", validate=free_id,
                         instruction="(lower-case, such as 'boston-housing')"),
        "name": asker.text("Full name:", validate=_required("The name")),
        "short_name": asker.text("Short name used in sentences:", validate=_required(
            "The short name"), instruction="(such as 'BPS' or 'the City Clerk')"),
        "description": asker.text("One line about it:", instruction="(Enter to skip)"),
        "kind": asker.select("What kind of body is it?", [
            Option("A city or town department (municipal)", "municipal"),
            Option("A state agency", "state_agency")]),
    }
    if fields["kind"] == "municipal":
        fields["population_over_20000"] = asker.confirm(
            "Is the city or town home to more than 20,000 people?", default=True)
    fields["calendar"] = asker.select("Which business days does it count?", [
        Option("Boston (Suffolk County): Massachusetts holidays plus 17 March and 17 June",
               "boston"),
        Option("Massachusetts holidays only", "massachusetts")])
    fields.update(ask_contact(asker, {}))
    url, checked = ask_source(asker)
    fields["sources"] = [{"url": url, "verified_on": checked}]
    return fields
