"""What a request letter says, as plain data for the template.

This module decides the content (which records, which asks, which dates, which rules of law);
the DOCX template decides the wording around it. Every rule reaches the template as
``law.<key>.statement``, ``.citation`` and ``.value``, straight from ``recordskit.law``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from recordskit.deadlines.schedule import Schedule, receipt_sentence
from recordskit.law import EXEMPTIONS, LAW, LAW_VERSION, free_hours, production_limit
from recordskit.logged import Received
from recordskit.models import (
    Agency,
    Directory,
    ExemptionAsk,
    LoggedEvent,
    PrecedentSource,
    RecordType,
    Request,
    events_of,
)
from recordskit.text import join_titles, long_date, one_line, sentence


def letter_context(request: Request, directory: Directory, schedule: Schedule) -> dict[str, Any]:
    """Everything ``request.docx`` may use. Plain data only: the template runs in a sandbox."""
    agency = request.addressed(directory.agency(request.agency))
    items = _items(request, agency)
    return {
        "letter_date": long_date(request.sent_on),
        "agency": agency_block(agency),
        "subject": _subject(items),
        "delivery": request.delivery,
        "delivery_line": delivery_line(request, agency),
        "items": items,
        "deidentified": any(item["deidentified"] for item in items),
        "format": request.format,
        "fees": _fees(request, agency),
        "fee_waiver": request.fee_waiver,
        "dates": {
            "received": long_date(schedule.date_of("received")),
            "response_due": long_date(schedule.date_of("response_due")),
            "production_due_max": long_date(schedule.date_of("production_due_max")),
            "appeal_deadline": long_date(schedule.date_of("appeal_deadline_no_response")),
        },
        "receipt_assumed": request.delivery == "mail",
        "precedents": _precedents(request, agency, directory),
        "requester": requester_block(request),
        "law": law_data(),
        "production_limit": rule_data(production_limit(agency.kind).key),
        "law_version": LAW_VERSION,
    }


def student_letter_context(request: Request, directory: Directory, schedule: Schedule
                           ) -> dict[str, Any]:
    """Everything ``student_records.docx`` may use."""
    if request.student is None:  # the Request model requires it for this request type
        raise ValueError("a student-records request needs a student")
    agency = directory.agency(request.agency)
    return {
        "letter_date": long_date(request.sent_on),
        "student": request.student.model_dump(),
        "parent": request.requester_role == "parent",
        "delivery": request.delivery,
        "format": request.format,
        "copy_to": copy_to_block(agency),
        "non_custodial": request.non_custodial,
        "dates": {"due": long_date(schedule.date_of(
            "non_custodial_release" if request.non_custodial else "student_record_due"))},
        "requester": requester_block(request),
        "law": law_data(),
        "law_version": LAW_VERSION,
    }


@lru_cache(maxsize=1)
def law_data() -> dict[str, dict[str, Any]]:
    """Every rule of the law table as template data (``law.<key>.citation`` and so on)."""
    return {key: rule_data(key) for key in LAW}


def rule_data(key: str) -> dict[str, Any]:
    rule = LAW[key]
    value: Any = rule.value
    if isinstance(value, Decimal):
        value = f"{value:.2f}" if value != value.to_integral_value() else str(int(value))
    return {"statement": rule.statement, "citation": rule.citation, "value": value}


def agency_block(agency: Agency) -> dict[str, Any]:
    officer = agency.records_officer
    return {
        "id": agency.id,
        "name": agency.name,
        "short_name": agency.short_name,
        "officer_title": officer.title,
        "office": officer.office,
        "address": officer.mailing_address,
        "email": officer.email or "",
        "portal_url": officer.portal_url or "",
    }


def copy_to_block(agency: Agency) -> dict[str, Any]:
    """The office a student-record letter is copied to, its address on one line for the cc."""
    return {**agency_block(agency),
            "address_line": one_line(agency.records_officer.mailing_address)}


def delivery_line(request: Request, agency: Agency) -> str:
    officer = agency.records_officer
    if request.delivery == "email":
        return f"By email to {officer.email}"
    if request.delivery == "portal":
        return f"Submitted through the public records portal, {officer.portal_url}"
    if request.delivery == "hand":
        return "By hand delivery"
    return "By mail"


def _period(start: date | None, end: date | None) -> str:
    if start and end:
        return f"from {long_date(start)} through {long_date(end)}"
    if start:
        return f"from {long_date(start)} to the date of this request"
    if end:
        return f"through {long_date(end)}"
    return ""


def _record_period(request: Request, record: RecordType) -> tuple[date | None, date | None]:
    """The period asked of one catalog record: the request's own dates, each end the request
    leaves open taken from the record's usual period only where that keeps the period in
    order (a family asking from 2019 on, of a record the catalog dates 2014 to 2018, asks
    from 2019 to the date of the request, never from 2019 through 2018)."""
    start = request.date_from or record.date_from
    if request.date_to and start and start > request.date_to:
        start = None
    end = request.date_to or record.date_to
    if request.date_from and end and end < request.date_from:
        end = None
    return start, end


def _items(request: Request, agency: Agency) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for record_id in request.records:
        record = agency.record(record_id)
        start, end = _record_period(request, record)
        items.append({"number": len(items) + 1, "title": record.title,
                      "description": record.description, "period": _period(start, end),
                      "asks": [_ask(anticipated) for anticipated in record.exemptions],
                      "deidentified": record.deidentified})
    if request.other_records:
        items.append({"number": len(items) + 1, "title": "Other records",
                      "description": sentence(" ".join(request.other_records.split())),
                      "period": _period(request.date_from, request.date_to),
                      "asks": [], "deidentified": ""})
    return items


def _subject(items: list[dict[str, Any]], longest: int = 90) -> str:
    """The Re: line's subject: the records asked for, by title, never cut off (a records
    officer triages by subject). Many records: the first, and how many more."""
    titles = [str(item["title"]) if item["title"] != "Other records"
              else str(item["description"]).rstrip(".") for item in items]
    subject = join_titles(titles)
    if len(subject) > longest and len(titles) > 1:
        more = len(titles) - 1
        subject = f"{titles[0]}, and {more} other record{'s' if more > 1 else ''} listed below"
    return subject[:1].upper() + subject[1:]


def _ask(anticipated: ExemptionAsk) -> dict[str, str]:
    """One exemption the body may claim for an item, and the one sentence asked instead."""
    exemption = EXEMPTIONS[anticipated.exemption]
    return {"citation": exemption.citation, "name": exemption.name, "ask": anticipated.ask}


def _fees(request: Request, agency: Agency) -> dict[str, Any]:
    hours = free_hours(agency.kind, agency.population_over_20000)
    return {
        "max_fee": float(request.max_fee),
        "free_hours": hours.value if hours else 0,
        "free_hours_citation": hours.citation if hours else "",
    }


LETTER_PRECEDENTS_MAX = 2  # evidence, briefly: a records officer reads two, not a history


def _precedents(request: Request, agency: Agency, directory: Directory) -> list[dict[str, Any]]:
    """At most two earlier requests or releases, those behind the most of the items asked for
    (ties in catalog order), each one sentence ending with its published source."""
    items_behind: dict[str, int] = {}
    for record_id in request.records:
        for precedent_id in agency.record(record_id).precedents:
            items_behind[precedent_id] = items_behind.get(precedent_id, 0) + 1
    cited = [directory.precedent(p) for p in items_behind
             if directory.precedent(p).kind != "policy"]
    # The closest evidence only: a precedent behind fewer items than the best one is left out.
    most = max((items_behind[precedent.id] for precedent in cited), default=0)
    cited = [precedent for precedent in cited if items_behind[precedent.id] == most]
    return [{"title": precedent.title, "summary": _with_source(precedent.summary,
                                                               precedent.sources[0])}
            for precedent in cited[:LETTER_PRECEDENTS_MAX]]


def _with_source(summary: str, source: PrecedentSource) -> str:
    """The summary as one sentence that names its source: '… (reported by X on May 1, 2020).'"""
    told = (f"reported by {source.publisher} on {long_date(source.published)}"
            if source.published else f"source: {source.publisher}")
    return f"{summary.rstrip().rstrip('.')} ({told})."


def requester_block(request: Request) -> dict[str, Any]:
    """Who signs, and how to reach them. An eligible student's own letter is signed with the
    student's name: the letter says "I am" the student."""
    person = request.requester
    if request.requester_role == "eligible_student" and request.student is not None:
        contact = [line for line in (person.mailing_address, person.email or "", person.phone)
                   if line]
        return {"name": request.student.name, "organization": "", "email": person.email or "",
                "mailing_address": person.mailing_address, "phone": person.phone,
                "signature": request.student.name, "contact": "\n".join(contact)}
    lines = (person.organization if person.name else "", person.mailing_address,
             person.email or "", person.phone)
    contact_lines = [line for line in lines if line and line != person.signature]
    return {
        "name": person.name,
        "organization": person.organization,
        "email": person.email or "",
        "mailing_address": person.mailing_address,
        "phone": person.phone,
        "signature": person.signature,
        "contact": "\n".join(contact_lines),
    }


def original_request_block(request: Request, agency: Agency, events: Sequence[LoggedEvent],
                           received: date) -> dict[str, Any]:
    """The request as a later letter (follow-up, appeal) describes it.

    ``receipt`` says when the body received it: as a fact when receipt was logged, otherwise as
    the assumption it is.
    """
    receipts = events_of(events, Received)
    titles = [agency.record(r).title for r in request.records]
    if request.other_records:
        titles.append("other records described in my own words")
    return {
        "sent": long_date(request.sent_on),
        "received": long_date(received),
        "received_confirmed": bool(receipts),
        "receipt": receipt_sentence(request, agency.short_name, received,
                                    logged=bool(receipts)),
        "tracking": receipts[-1].details.tracking if receipts else "",
        "subjects": join_titles(titles),
        "delivery": request.delivery,
    }
