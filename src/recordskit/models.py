"""The data recordskit works on, as pydantic models.

Two families: the directory (``Directory`` and what it holds, loaded from ``agencies.yaml``) and
a request (``Request``, built the same way by the interview, an answers file or a batch row).
A ``Request`` is validated against a directory passed as validation context, so that an unknown
agency or record id is refused where it is read, with the key that names it.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date
from decimal import Decimal
from email.errors import HeaderParseError
from email.headerregistry import Address
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from recordskit.i18n import N_, _, language_code, languages
from recordskit.law import EXEMPTIONS, AgencyKind
from recordskit.limits import LIMITS
from recordskit.logged import EARLIEST, LATEST

# A logged event lives with its details in ``recordskit.logged`` (the request log reads events
# without loading pydantic); named here too, where every caller has long found it.
from recordskit.logged import Details as Details
from recordskit.logged import LoggedEvent as LoggedEvent
from recordskit.logged import events_of as events_of
from recordskit.vocabulary import Delivery

Channel = Literal["email", "mail", "portal", "hand"]
RequestType = Literal["public_records", "student_records"]
RequesterRole = Literal["parent", "eligible_student"]
Custody = Literal["custodial", "non_custodial"]
FeeWaiver = Literal["none", "public_interest", "indigency"]
RecordFormat = Literal["electronic", "paper"]
AgencyRole = Literal["records", "appeals"]

CHANNELS: tuple[Channel, ...] = tuple(way.value for way in Delivery)
"""Every way of sending, in the vocabulary's order (a test checks ``Channel`` names them)."""

_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")


def _clean_text(value: str) -> str:
    """Strip outer space, unify line ends, and refuse characters a Word document cannot hold,
    and text over the size limit (a letter is read by a person)."""
    longest = LIMITS["text_chars"]
    if len(value) > longest.value:
        raise ValueError(_("this answer is over the limit of {limit} characters ({found}); "
                           "if it is really needed, raise the limit with {variable}").format(
                               limit=f"{longest.value:,}", found=f"{len(value):,}",
                               variable=longest.variable))
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if found := _UNHOLDABLE.search(value):
        raise ValueError(_(
            "contains an invisible control character ({code}) at character {position}; "
            "remove it and keep only printable text").format(
                code=f"U+{ord(found.group(0)):04X}", position=found.start() + 1))
    return value


_UNHOLDABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
"""Characters a Word document cannot hold: Unicode's control characters (category Cc, which
is exactly these ranges, less the tab and line break kept above) and surrogates (Cs), and the
two noncharacters U+FFFE and U+FFFF. A test checks the ranges against ``unicodedata``."""


_LOCAL = re.compile(r"[A-Za-z0-9!#$%&'*+/^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/^_`{|}~-]+)*")
"""The part before the @: RFC 5322's dot-atom in ASCII, less ``=`` and ``?`` (which make
an encoded word, ``=?utf-8?q?…?=``, that a mail program would decode into a header)."""
_LABEL = re.compile(r"(?!-)[^\W_](?:[^\W_]|-){0,62}(?<!-)")
"""One part of a domain: letters and digits (of any script, as a domain may be written),
hyphens inside; nothing invisible, no punctuation."""


def _check_email(value: str) -> str:
    """The one address validator: every door an address comes in by (the requester's, a
    ``send_to``, the directory's, an edit's) is a field of this type, and the email draft
    writes only addresses that passed it. Strict about what an address may contain: a dot-atom
    before the @ (no quotes, no ``=?``, no comments), domain labels of letters, digits and
    hyphens, no character a person cannot see (U+200B, a soft hyphen), and RFC 5321's
    lengths; and the email package must read it back as the same address."""
    shown = value if len(value) <= 80 else value[:77] + "..."
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    valid = (bool(at) and len(value) <= 254 and len(local) <= 64
             and bool(_LOCAL.fullmatch(local)) and len(labels) >= 2
             and all(_LABEL.fullmatch(label) for label in labels)
             and not labels[-1].isdigit())
    try:  # the check an email header makes, so that no address passes here and fails there
        # An ASCII address the rules above pass is a dot-atom, an @ and a dot-atom, which the
        # email package reads back unchanged (a test checks it on thousands): only another
        # address costs its parser (0.1 ms, the most of reading a stored request back)
        valid = valid and (value.isascii() or Address(addr_spec=value).addr_spec == value)
    except (ValueError, IndexError, HeaderParseError):  # the email package's parse errors
        valid = False
    if not valid:
        raise ValueError(_("{given} is not an email address; expected something like "
                           "name@example.org").format(given=repr(shown)))
    return value


_EXTENSION = r"(?:\s*(?:x|ext\.?|extension)\s*\d{1,6})?"
"""An optional extension after a phone number (x123, ext. 4), for both kinds of number."""
_PHONE = re.compile(r"^(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}"
                    + _EXTENSION + "$", re.IGNORECASE)


def _check_phone(value: str) -> str:
    if value and not _PHONE.match(value):
        raise ValueError(_("{given} is not a North American phone number; expected 10 digits "
                           "such as 617-635-4601, optionally with an extension (x123)").format(
                               given=repr(value)))
    return value


_LINE_BREAKS = ("\n", "\u2028", "\u2029")
"""A line end (``_clean_text`` has made every \\r\\n and \\r one), and Unicode's line and
paragraph separators, which a mail program or Word may also show as a new line."""


def _one_line(value: str, info: ValidationInfo) -> str:
    """Refuse a line break in an answer that is one line (a name, a school, a phone number).

    In the letter's signature it would split the line, and a line break is how a hostile answer
    tries to add headers to the email draft. Checked only for new answers, which are validated
    with a directory: the request log keeps what it accepted when it was recorded, and must
    still read it.
    """
    if any(mark in value for mark in _LINE_BREAKS) and _directory(info) is not None:
        raise ValueError(_("must be one line; remove the line break"))
    return value


_ANY_PHONE = re.compile(r"^\+?[\d\s().\-/]+" + _EXTENSION + "$", re.IGNORECASE)


def requester_phone_problem(value: str) -> str | None:
    """What is wrong with a requester's phone number, or None: digits and the usual
    separators, an extension, or a number abroad (families call from Haiti, too)."""
    digits = sum(char.isdigit() for char in value)
    if not value or (_ANY_PHONE.match(value) and 7 <= digits <= 20):
        return None
    shown = value if len(value) <= 40 else value[:37] + "..."
    return _("{given} is not a phone number; expected one such as 617-635-4601, with an "
             "extension as x123, or a number abroad starting with +").format(given=repr(shown))


def _check_requester_phone(value: str, info: ValidationInfo) -> str:
    """New answers only, as ``_one_line``: the log reads what it once accepted."""
    problem = requester_phone_problem(value) if _directory(info) is not None else None
    if problem:
        raise ValueError(problem)
    return value




def _check_day(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError(_("{date} is outside {first}–{last}; check the year").format(
            date=value, first=EARLIEST.year, last=LATEST.year))
    return value


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(f"{value!r} is not a valid id; expected lower-case letters, digits "
                         "and single hyphens, such as 'city-clerk'")
    return value


def _check_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError(f"{value!r} is not a web address; expected one starting with "
                         "https:// or http://")
    return value


Text = Annotated[str, AfterValidator(_clean_text)]
NonEmptyText = Annotated[str, AfterValidator(_clean_text), Field(min_length=1)]
Email = Annotated[str, AfterValidator(_clean_text), AfterValidator(_check_email)]
Identifier = Annotated[str, AfterValidator(_check_id)]
Url = Annotated[str, AfterValidator(_check_url)]
Day = Annotated[date, AfterValidator(_check_day)]
Phone = Annotated[str, AfterValidator(_clean_text), AfterValidator(_check_phone)]
Line = Annotated[str, AfterValidator(_clean_text), AfterValidator(_one_line)]
NonEmptyLine = Annotated[str, AfterValidator(_clean_text), AfterValidator(_one_line),
                         Field(min_length=1)]
RequesterPhone = Annotated[str, AfterValidator(_clean_text), AfterValidator(_one_line),
                           AfterValidator(_check_requester_phone)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# --- The directory --------------------------------------------------------------------------


class Source(_Strict):
    """Where a piece of directory data comes from, and when someone last checked it."""

    url: Url
    verified_on: date
    note: Text = ""

    @field_validator("verified_on")
    @classmethod
    def _not_in_the_future(cls, value: date) -> date:
        if value > date.today():
            raise ValueError(f"{value} is in the future; give the day you checked the page")
        return value


class Contact(_Strict):
    """How to reach a body's records access officer. Only what a source supports."""

    title: NonEmptyText = "Records Access Officer"
    office: Text = ""
    mailing_address: Text = ""
    email: Email | None = None
    phone: Phone = ""
    fax: Phone = ""
    portal_url: Url | None = None


class ExemptionAsk(_Strict):
    """An exemption the body is likely to claim, and what the letter asks for instead."""

    exemption: str
    ask: NonEmptyText

    @field_validator("exemption")
    @classmethod
    def _known_exemption(cls, value: str) -> str:
        if value not in EXEMPTIONS:
            known = ", ".join(sorted(EXEMPTIONS))
            raise ValueError(f"unknown exemption {value!r}; expected one of: {known}")
        return value


class RecordType(_Strict):
    """One kind of record a body holds, worded the way it goes into the letter."""

    id: Identifier
    title: NonEmptyText
    description: NonEmptyText
    why: NonEmptyText
    date_from: date | None = None
    date_to: date | None = None
    precedents: list[Identifier] = Field(default_factory=list)
    exemptions: list[ExemptionAsk] = Field(default_factory=list)
    # What the letter asks for where the records themselves are likely to be withheld: a
    # segregable extract of existing data without names (dates, counts, categories).
    deidentified: Text = ""


class PrecedentSource(_Strict):
    """A published report that documents a precedent."""

    publisher: NonEmptyText
    title: Text = ""
    published: date | None = None
    url: Url | None = None


class Precedent(_Strict):
    """A documented earlier request (or release) of records like the ones asked for.

    ``kind`` says what it was: a ``request`` for records or a ``release`` of them may be cited
    in a letter as records "requested or made public before"; a ``policy`` event (a proposal,
    a vote) is background for volunteers and never printed as one.
    """

    id: Identifier
    title: NonEmptyText
    kind: Literal["request", "release", "policy"] = "request"
    summary: NonEmptyText
    sources: list[PrecedentSource] = Field(min_length=1)


class Closure(_Strict):
    """A day an office was or will be closed that no holiday list knows (a storm, an order)."""

    date: date
    name: NonEmptyText
    calendars: list[str] = Field(min_length=1)


class Agency(_Strict):
    """A public body: whom to write to, how, on which calendar, and what records it holds."""

    id: Identifier
    name: NonEmptyText
    short_name: NonEmptyText
    description: Text = ""
    kind: AgencyKind
    role: AgencyRole = "records"
    population_over_20000: bool = False
    calendar: str
    records_officer: Contact
    delivery: list[Channel] = Field(min_length=1)
    handled_by: Identifier | None = None
    family_helpline: Text = ""
    notes: Text = ""
    sources: list[Source] = Field(min_length=1)
    records: list[RecordType] = Field(default_factory=list)

    def record(self, record_id: str) -> RecordType:
        for record in self.records:
            if record.id == record_id:
                return record
        raise KeyError(record_id)

    def channel_contact(self, channel: Channel) -> str | None:
        """The address, email or web page a channel needs, or None when the directory has none."""
        officer = self.records_officer
        if channel == "email":
            return officer.email
        if channel == "portal":
            return officer.portal_url
        return officer.mailing_address or None


class Directory(_Strict):
    """The whole of ``agencies.yaml``: agencies, the precedents they cite, and closures."""

    version: Literal[1] = 1
    precedents: list[Precedent] = Field(default_factory=list)
    closures: list[Closure] = Field(default_factory=list)
    agencies: list[Agency] = Field(min_length=1)

    def agency(self, agency_id: str) -> Agency:
        for agency in self.agencies:
            if agency.id == agency_id:
                return agency
        raise KeyError(agency_id)

    def precedent(self, precedent_id: str) -> Precedent:
        for precedent in self.precedents:
            if precedent.id == precedent_id:
                return precedent
        raise KeyError(precedent_id)

    @property
    def request_targets(self) -> list[Agency]:
        """The bodies a person can send a records request to (not the appeal body)."""
        return [agency for agency in self.agencies if agency.role == "records"]

    def closures_for(self, calendar: str) -> tuple[tuple[date, str], ...]:
        return tuple((c.date, c.name) for c in self.closures if calendar in c.calendars)


# --- A request ------------------------------------------------------------------------------


class Requester(_Strict):
    """Who asks, and where the answer goes. Only a way to receive the answer is required."""

    name: Line = ""
    organization: Line = ""
    email: Email | None = None
    mailing_address: Text = ""
    phone: RequesterPhone = ""

    @field_validator("email", mode="before")
    @classmethod
    def _blank_email_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _reachable(self) -> Requester:
        if not self.email and not self.mailing_address:
            raise ValueError(N_("give an email address or a mailing address (or both), so "
                                "the records officer can send the answer"))
        return self

    @property
    def signature(self) -> str:
        """The name the letter is signed with."""
        return self.name or self.organization or self.email or ""


class Student(_Strict):
    """The student whose own record a student-records request asks for."""

    name: NonEmptyLine
    school: NonEmptyLine
    grade: Line = ""


class Request(_Strict):
    """One request, however it was entered. Validate with a directory context.

    ``request_type`` is ``public_records`` (the Public Records Law) or ``student_records`` (a
    parent's or eligible student's own access to a student record, with ``student`` and
    ``requester_role``).
    """

    request_type: RequestType = "public_records"
    agency: str
    records: list[str] = Field(default_factory=list)
    other_records: Text = ""
    date_from: Day | None = None
    date_to: Day | None = None
    requester: Requester
    send_to: Text = ""
    delivery: Channel
    sent_on: Day = Field(default_factory=date.today)
    fee_waiver: FeeWaiver = "none"
    max_fee: Decimal = Field(default=Decimal(0), ge=0, max_digits=9, decimal_places=2)
    format: RecordFormat = "electronic"
    student: Student | None = None
    requester_role: RequesterRole | None = None
    custody: Custody | None = None
    language: Text = ""
    """The language the family reads (``es``, ``ht``; blank for English): later commands speak
    it. Not part of the request's id: the same letter in another language is the same request."""

    @field_validator("agency")
    @classmethod
    def _known_agency(cls, value: str, info: ValidationInfo) -> str:
        directory = _directory(info)
        if directory is None:
            return value
        targets = [agency.id for agency in directory.request_targets]
        if value not in targets:
            raise ValueError(_("unknown agency {agency}; expected one of: {agencies}").format(
                agency=repr(value), agencies=", ".join(targets)))
        return value

    @field_validator("records")
    @classmethod
    def _known_records(cls, value: list[str], info: ValidationInfo) -> list[str]:
        directory = _directory(info)
        agency_id = info.data.get("agency")
        if directory is None or agency_id is None:
            return value
        known = [record.id for record in directory.agency(agency_id).records]
        for record_id in value:
            if record_id not in known:
                raise ValueError(_(
                    "unknown record id {record} for agency {agency}; expected any of: {known} "
                    "(see: {command})").format(record=repr(record_id), agency=repr(agency_id),
                                               known=", ".join(known),
                                               command=f"recordskit agencies show {agency_id}"))
        if len(set(value)) != len(value):
            raise ValueError(_("lists the same record id twice"))
        return value

    @field_validator("delivery")
    @classmethod
    def _accepted_channel(cls, value: Channel, info: ValidationInfo) -> Channel:
        send_to = str(info.data.get("send_to") or "")
        if send_to:
            _check_send_to(value, send_to)
        directory = _directory(info)
        agency_id = info.data.get("agency")
        if directory is None or agency_id is None:
            return value
        agency = directory.agency(agency_id)
        if info.data.get("request_type") == "student_records":
            if value == "portal":
                raise ValueError(_("a student-records request goes to the school itself: choose "
                                 "email, mail or hand"))
            return value
        if value not in agency.delivery and not send_to:
            raise ValueError(_("{agency} does not take requests by {way} in the directory; "
                               "expected one of: {ways}, or give the {what} you know in "
                               "send_to").format(agency=agency.short_name, way=repr(value),
                                                 ways=", ".join(agency.delivery),
                                                 what=_(_SEND_TO_WHAT[value])))
        return value

    @model_validator(mode="after")
    def _asks_for_something(self) -> Request:
        if self.request_type == "student_records":
            return self._student_request()
        if self.student is not None or self.requester_role is not None or self.custody:
            raise ValueError(_("'student', 'requester_role' and 'custody' belong to request_type: "
                             "student_records; remove them or set request_type"))
        if not self.records and not self.other_records:
            raise ValueError(_("asks for no records: choose catalog records ('records') or "
                             "describe them in your own words ('other_records')"))
        if self.format == "paper" and not self.requester.mailing_address:
            raise ValueError(_("asks for paper copies but gives no requester.mailing_address to "
                             "send them to; add one or choose format: electronic"))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(_("the date range is backwards: date_from {start} is after "
                               "date_to {end}").format(start=self.date_from, end=self.date_to))
        return self

    def _student_request(self) -> Request:
        if self.agency != "bps":
            raise ValueError(_("student-records requests are for Boston Public Schools: set "
                             "agency: bps"))
        if self.student is None:
            raise ValueError(_("a student-records request needs 'student' with the student's "
                             "name and school"))
        if self.requester_role is None:
            raise ValueError(_("a student-records request needs requester_role: parent or "
                             "eligible_student"))
        if self.custody is not None and self.requester_role != "parent":
            raise ValueError(_("custody is a parent's: leave it out for an eligible student"))
        if self.records or self.other_records:
            raise ValueError(_("a student-records request asks for the whole student record; "
                             "leave 'records' and 'other_records' empty"))
        if self.format == "paper" and not self.requester.mailing_address:
            raise ValueError(_("asks for paper copies but gives no requester.mailing_address to "
                             "send them to; add one or choose format: electronic"))
        return self

    def addressed(self, agency: Agency) -> Agency:
        """The agency as this request reaches it: with the address the requester gave
        (``send_to``) in place of the directory's, for the way it is sent."""
        if not self.send_to:
            return agency
        field = {"email": "email", "portal": "portal_url", "mail": "mailing_address",
                 "hand": "mailing_address"}[self.delivery]
        officer = agency.records_officer.model_copy(update={field: self.send_to})
        channels = agency.delivery if self.delivery in agency.delivery else [
            *agency.delivery, self.delivery]
        return agency.model_copy(update={"records_officer": officer, "delivery": channels})

    @property
    def non_custodial(self) -> bool:
        """A non-custodial parent: the school notifies the custodial parent first."""
        return self.custody == "non_custodial"

    def answers(self) -> dict[str, Any]:
        """The request as plain answers data; keys added in later releases (``custody``) are
        left out while unset, so a request made before them keeps its id and its answers file."""
        data = self.model_dump(mode="json")
        for key in _OMITTED_WHEN_UNSET:
            if data.get(key) in (None, ""):
                data.pop(key, None)
        return data

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        return kept_language(value)

    def stored(self) -> str:
        """The request as the log keeps it (JSON). Keys added in later releases are left out
        while unset, so a log shared with an older release stays readable there."""
        unset = {key for key in _OMITTED_WHEN_UNSET if getattr(self, key) in (None, "")}
        return self.model_dump_json(exclude=unset)

    def fingerprint(self) -> str:
        """A short id that stays the same for the same request (used for calendar UIDs)."""
        answers = {k: v for k, v in self.answers().items() if k != "language"}
        canonical = json.dumps(answers, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()[:10]


_OMITTED_WHEN_UNSET = ("custody", "send_to", "language")


def kept_language(value: str) -> str:
    """A family's language as a request keeps it: its code, blank for English (the catalog's
    source language, which needs no catalog), so that a request written in English keeps no
    ``language`` and an older release can read its log."""
    if not value.strip():
        return ""
    code = language_code(value)
    if code is None:
        raise ValueError(f"no translation for {value!r}; expected one of: "
                         f"{', '.join(languages())} (or the language's name, such as "
                         "Spanish)")
    return "" if code == "en" else code
_SEND_TO_WHAT = {"email": N_("email address"), "portal": N_("portal's web address"),
                 "mail": N_("mailing address"), "hand": N_("street address")}


def _check_send_to(delivery: str, send_to: str) -> None:
    """``send_to`` must be an address of the kind the way of sending needs."""
    if delivery == "email":
        _check_email(send_to)
    elif delivery == "portal":
        _check_url(send_to)
    elif len(send_to.strip()) < 5:
        raise ValueError(_("send_to {given} is not a {what}").format(
            given=repr(send_to), what=_(_SEND_TO_WHAT[delivery])))


class SendTo(_Strict):
    """A way of sending and the address for it, checked as a request's ``send_to`` is."""

    delivery: Channel
    send_to: Text

    @model_validator(mode="after")
    def _matches(self) -> SendTo:
        _check_send_to(self.delivery, self.send_to)
        return self


def _directory(info: ValidationInfo) -> Directory | None:
    context = info.context or {}
    directory = context.get("directory")
    return directory if isinstance(directory, Directory) else None


ANSWER_KEYS: tuple[str, ...] = tuple(Request.model_fields)
REQUESTER_KEYS: tuple[str, ...] = tuple(Requester.model_fields)
STUDENT_KEYS: tuple[str, ...] = tuple(Student.model_fields)


# --- What happened to a request, and its schedule --------------------------------------------


Basis = Literal["logged", "stated", "assumed", "computed"]


class Deadline(_Strict):
    """One dated event of a request's schedule, with the rule it comes from.

    ``basis`` says how the date is known: ``logged`` (someone recorded it happening, or copied it
    from an order), ``stated`` (the agency stated it in a reply recordskit read and kept),
    ``assumed`` (recordskit's assumption, said in ``assumption``, until the real
    date is logged), or ``computed`` (counted by the law's rules from the dates before it).
    ``ref`` tells apart several events of one kind (the appeal window of each response).
    """

    date: date
    event: str
    description: str
    citation: str
    basis: Basis = "computed"
    assumption: str = ""
    ref: str = ""

    @property
    def key(self) -> str:
        """Unique within a request's schedule: the event, and its ``ref`` when it has one."""
        return f"{self.event}-{self.ref}" if self.ref else self.event

    @property
    def basis_text(self) -> str:
        """``logged``, ``stated by the agency``, ``computed``, or ``assumed: <the assumption>``."""
        if self.basis == "stated":
            return "stated by the agency"
        return f"assumed: {self.assumption}" if self.basis == "assumed" else self.basis


def directory_json_schema() -> dict[str, Any]:
    """The JSON Schema of ``agencies.yaml``, for editors that complete and check YAML."""
    schema = Directory.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "recordskit agency directory (agencies.yaml)"
    return schema
