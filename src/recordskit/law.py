"""The Massachusetts law as data: the one place that knows a statute's number.

Every time limit, fee rule and citation that recordskit prints comes from ``LAW`` below, and
each entry carries its source and how well that source supports it. The entries follow
``shared/legal/facts.md`` (compiled 2026-11-23): only facts tagged SOURCED there are stated
as law, and a citation is only as precise as that sheet supports. When the law changes,
change it here, bump ``LAW_VERSION``, and the golden tests will show every date that moved.

Confidence levels:

- ``official``: supported by the statute or regulation text (or a faithful copy of it).
- ``secondary``: supported by a municipal, law-firm, court or news page restating the law.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

LAW_VERSION = "2026-11-23"
"""The date of the legal fact sheet this table was checked against. Stamped into every letter."""

Confidence = Literal["official", "secondary"]
Unit = Literal["business_days", "calendar_days", "days", "usd", "usd_per_hour", "usd_per_page",
               "hours"]
AgencyKind = Literal["municipal", "state_agency"]


@dataclass(frozen=True)
class Rule:
    """One rule of law: what it says, the number it sets (if any), and where it comes from."""

    key: str
    statement: str
    citation: str
    sources: tuple[str, ...]
    confidence: Confidence
    value: int | Decimal | None = None
    unit: Unit | None = None
    note: str = ""

    @property
    def days(self) -> int:
        """The rule's number of days; an error for a rule that sets none."""
        if self.unit not in ("business_days", "calendar_days", "days") or not isinstance(
            self.value, int
        ):
            raise TypeError(f"law rule {self.key!r} sets no number of days")
        return self.value


@dataclass(frozen=True)
class Exemption:
    """A clause of M.G.L. c. 4, § 7(26) that an agency may invoke to withhold a record."""

    key: str
    clause: str
    name: str
    summary: str
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def citation(self) -> str:
        return f"M.G.L. c. 4, § 7(26)({self.clause})"


_CORNELL_3206 = "https://www.law.cornell.edu/regulations/massachusetts/950-CMR-32-06"
_CORNELL_3207 = "https://www.law.cornell.edu/regulations/massachusetts/950-CMR-32-07"
_CORNELL_3208 = "https://www.law.cornell.edu/regulations/massachusetts/950-CMR-32-08"
_MIDDLESEX_10B = "https://www.middlesex.mass.edu/disclosurestatements/reqresponse.aspx"
_MIDDLESEX_FEES = "https://middlesex.mass.edu/disclosurestatements/requestfee.aspx"
_JUSTIA_2307 = ("https://regulations.justia.com/states/massachusetts/603-cmr/"
                "title-603-cmr-23-00/section-23-07")
_SEC_PETITIONS = "https://www.sec.state.ma.us/pre/prepetitions/petitionsidx.htm"
_SEC_APPEALS = (
    "https://www.sec.state.ma.us/divisions/public-records/public-records-law/appealing-a-denial.htm"
)
_HARRINGTON_2021 = (
    "https://www.harringtonheep.com/post/summary-of-changes-to-the-regulations-under-the-"
    "public-records-act"
)

_RULES: tuple[Rule, ...] = (
    Rule(
        key="statute",
        statement="the Massachusetts Public Records Law",
        citation="M.G.L. c. 66, § 10",
        sources=(_MIDDLESEX_10B,),
        confidence="secondary",
    ),
    Rule(
        key="regulations",
        statement="the Public Records Access regulations of the Supervisor of Records",
        citation="950 CMR 32.00",
        sources=("https://www.mass.gov/regulations/950-CMR-3200-public-records-access",),
        confidence="official",
        note="mass.gov shows version dates 06/11/2021 and 06/23/2023; what changed in 2023 is "
        "not known (facts.md 3.2).",
    ),
    Rule(
        key="response_time",
        statement="a records access officer must respond within 10 business days of receiving "
        "a request",
        citation="M.G.L. c. 66, § 10(a)–(b); 950 CMR 32.06(2)(b)",
        sources=(_CORNELL_3206, _MIDDLESEX_10B),
        confidence="official",
        value=10,
        unit="business_days",
    ),
    Rule(
        key="without_delay",
        statement="records must be provided without unreasonable delay",
        citation="M.G.L. c. 66, § 10(a)",
        sources=(_MIDDLESEX_10B, _CORNELL_3206),
        confidence="official",
        note="facts.md 1.6: SOURCED.",
    ),
    Rule(
        key="receipt_rule",
        statement="counting starts on the first business day after receipt, and a request that "
        "arrives on a weekend, a legal holiday or a day the office is closed counts as received "
        "on the next business day",
        citation="950 CMR 32.03(3), 32.06(2)(e)",
        sources=(_HARRINGTON_2021,),
        confidence="secondary",
        note="Whether an email received after business hours counts as received that day is "
        "not known (facts.md 1.6); recordskit does not guess.",
    ),
    Rule(
        key="production_limit_municipal",
        statement="in its written response a municipality may set a production date no later "
        "than 25 business days after it first received the request",
        citation="M.G.L. c. 66, § 10(b)(vi)",
        sources=("https://bridgebostoncs.org/public-record-requests-and-information",
                 "http://nefac.org/massachusetts-new-public-records-law-now/"),
        confidence="secondary",
        value=25,
        unit="business_days",
    ),
    Rule(
        key="production_limit_state_agency",
        statement="in its written response a state agency may set a production date no later "
        "than 15 business days after it first received the request",
        citation="M.G.L. c. 66, § 10(b)(vi)",
        sources=(_MIDDLESEX_10B,),
        confidence="secondary",
        value=15,
        unit="business_days",
    ),
    Rule(
        key="withholding_reasons",
        statement="a response that withholds a record or part of one must identify it and give "
        "the specific reasons, including the specific exemption",
        citation="M.G.L. c. 66, § 10(b)(iv)",
        sources=(_MIDDLESEX_10B,),
        confidence="secondary",
    ),
    Rule(
        key="presumption_public",
        statement="records are presumed public, and the records custodian bears the burden of "
        "showing with specificity that an exemption applies and why the record should be "
        "withheld",
        citation="M.G.L. c. 66",
        sources=("https://www.rcfp.org/open-government-sections/a-exemptions-in-the-open-records-statute/",
                 "https://www.lexingtonma.gov/information-services-technology/archives-and-"
                 "public-records/pages/frequently-asked-questions-about"),
        confidence="secondary",
        note="facts.md 1.14: SOURCED. Its current section (§ 10A(d)(1)(iv) from memory) is "
        "UNVERIFIED, so it is cited to the chapter only.",
    ),
    Rule(
        key="segregable",
        statement="every segregable, non-exempt portion of a record must be released",
        citation="M.G.L. c. 66, § 10(a); Reinstein v. Police Comm'r of Boston, "
        "378 Mass. 281, 289–90 (1979)",
        sources=("http://masscases.com/cases/sjc/378/378mass281.html",
                 "https://www.rcfp.org/open-government-sections/a-exemptions-in-the-open-records-statute/"),
        confidence="official",
    ),
    Rule(
        key="segregable_extract",
        statement="giving a segregable extract of existing data is not creating a new record",
        citation="950 CMR 32.07(1)(f)",
        sources=(_CORNELL_3207,),
        confidence="official",
        note="facts.md 1.13: SOURCED.",
    ),
    Rule(
        key="electronic_format",
        statement="records kept electronically are to be provided in electronic, searchable, "
        "machine-readable form, in the requester's preferred format where feasible",
        citation="950 CMR 32.04(5)(d), 32.07(1)(c)–(d)",
        sources=("https://casetext.com/regulation/code-of-massachusetts-regulations/"
                 "department-950-cmr-office-of-the-secretary-of-the-commonwealth/"
                 "title-950-cmr-3200-public-records-access/section-3204-records-access-officers",
                 _CORNELL_3207),
        confidence="official",
    ),
    Rule(
        key="copy_fee_paper",
        statement="paper copies cost at most $0.05 a page, black and white, single- or "
        "double-sided",
        citation="M.G.L. c. 66, § 10(d); 950 CMR 32.07(2)",
        sources=(_CORNELL_3207, _MIDDLESEX_FEES),
        confidence="official",
        value=Decimal("0.05"),
        unit="usd_per_page",
    ),
    Rule(
        key="copy_fee_electronic",
        statement="no per-page copy fee may be charged for records provided electronically",
        citation="M.G.L. c. 66, § 10(d); 950 CMR 32.07(2)",
        sources=("https://jeffbennett01468.blogspot.com/2025_08_15_archive.html",),
        confidence="secondary",
        value=Decimal(0),
        unit="usd_per_page",
    ),
    Rule(
        key="labor_rate_cap",
        statement="time may be charged at the hourly rate of the lowest-paid employee able to "
        "do the work, and at no more than $25 an hour unless the Supervisor of Records allows "
        "a municipality more on its petition",
        citation="M.G.L. c. 66, § 10(d)",
        sources=(_MIDDLESEX_FEES, "https://www.cityofmelrose.org/home/webforms/form-request-public-records"),
        confidence="secondary",
        value=Decimal(25),
        unit="usd_per_hour",
    ),
    Rule(
        key="free_hours_municipal",
        statement="a municipality of more than 20,000 people may not charge for the first two "
        "hours of employee time spent on a request",
        citation="M.G.L. c. 66, § 10(d)",
        sources=("https://www.cityofmelrose.org/home/webforms/form-request-public-records",
                 "https://www.marblehead.org/public-records-requests/pages/4-fees"),
        confidence="secondary",
        value=2,
        unit="hours",
    ),
    Rule(
        key="free_hours_state_agency",
        statement="a state agency may not charge for the first four hours of employee time "
        "spent on a request",
        citation="M.G.L. c. 66, § 10(d)",
        sources=(_MIDDLESEX_FEES,),
        confidence="secondary",
        value=4,
        unit="hours",
    ),
    Rule(
        key="no_fee_if_late",
        statement="no fee may be charged if the records access officer did not respond within "
        "10 business days",
        citation="950 CMR 32.06(2)(c)",
        sources=(_CORNELL_3206,),
        confidence="official",
    ),
    Rule(
        key="fee_waiver",
        statement="fees may be waived or reduced where disclosure is in the public interest or "
        "the requester cannot afford them",
        citation="M.G.L. c. 66, § 10(d)",
        sources=(_MIDDLESEX_FEES,),
        confidence="secondary",
        note="Sourced for state agencies; that the same grounds apply to municipalities is "
        "likely but unverified (facts.md 1.11). Letters only ask for a waiver under § 10(d); "
        "they never state that the body must grant one.",
    ),
    Rule(
        key="no_particular_form",
        statement="a records access officer may not require a requester to use a particular "
        "form",
        citation="950 CMR 32.06(1)(d)",
        sources=(_CORNELL_3206,),
        confidence="official",
    ),
    Rule(
        key="rao_assists",
        statement="records access officers help requesters identify the records they want",
        citation="M.G.L. c. 66, § 6A(b)",
        sources=("https://print.casetext.com/statute/general-laws-of-massachusetts/"
                 "part-i-administration-of-the-government/title-x-public-records/"
                 "chapter-66-public-records/section-666a-records-access-officers-powers-and-duties",),
        confidence="official",
    ),
    Rule(
        key="written_request_for_appeal",
        statement="an oral request cannot be the basis of an appeal, so keep this written "
        "request and, for email, its full headers",
        citation="950 CMR 32.08(1)(b)",
        sources=(_CORNELL_3208, _SEC_APPEALS),
        confidence="official",
    ),
    Rule(
        key="appeal_right",
        statement="a requester may appeal to the Supervisor of Records when a body fails to "
        "comply with the Public Records Law, or gives a response the requester believes "
        "violates it",
        citation="M.G.L. c. 66, § 10A(a)",
        sources=("https://instalawyer.io/laws/massachusetts-general-laws/section-10a-petition-for",),
        confidence="official",
    ),
    Rule(
        key="appeal_window",
        statement="an appeal to the Supervisor of Records must be filed within 90 calendar days "
        "of the response, or of the request if there was no response",
        citation="950 CMR 32.08(1)(c)–(d)",
        sources=(_CORNELL_3208, _SEC_APPEALS),
        confidence="official",
        value=90,
        unit="calendar_days",
    ),
    Rule(
        key="supervisor_decision",
        statement="the Supervisor of Records decides an appeal within 10 business days of "
        "receiving it",
        citation="M.G.L. c. 66, § 10A(a); 950 CMR 32.08(2)(a)",
        sources=(_CORNELL_3208,),
        confidence="official",
        value=10,
        unit="business_days",
    ),
    Rule(
        key="extension_petition",
        statement="to take longer, the records access officer must petition the Supervisor of "
        "Records within 20 business days of receipt and send the requester a copy",
        citation="M.G.L. c. 66, § 10(c); 950 CMR 32.06(4)(e)",
        sources=(_SEC_PETITIONS,),
        confidence="official",
        value=20,
        unit="business_days",
    ),
    Rule(
        key="extension_max_municipal",
        statement="the Supervisor of Records may give a municipality up to 30 more business "
        "days",
        citation="M.G.L. c. 66, § 10(c); 950 CMR 32.06(4)(e)",
        sources=(_SEC_PETITIONS,),
        confidence="official",
        value=30,
        unit="business_days",
        note="CONFLICT in facts.md 1.10: the Secretary's page adds 'or longer depending on the "
        "circumstances'. recordskit never computes a granted extension's end: it prints the date "
        "the Supervisor's order gives.",
    ),
    Rule(
        key="extension_max_state_agency",
        statement="the Supervisor of Records may give a state agency up to 20 more business days",
        citation="M.G.L. c. 66, § 10(c); 950 CMR 32.06(4)(e)",
        sources=(_SEC_PETITIONS,),
        confidence="official",
        value=20,
        unit="business_days",
    ),
    Rule(
        key="appeal_contents",
        statement="an appeal must be in writing and state the specific objections; it must "
        "attach complete copies of the request and of every written response, a copy must go "
        "to the records access officer, and it must cite any earlier appeal number it relates to",
        citation="950 CMR 32.08(1)(e)–(h)",
        sources=(_CORNELL_3208,),
        confidence="official",
    ),
    Rule(
        key="email_headers",
        statement="for email, the copies must include the full header information: time, date, "
        "subject, sender and recipient addresses",
        citation="950 CMR 32.08(1)(f)",
        sources=(_CORNELL_3208,),
        confidence="official",
    ),
    Rule(
        key="superior_court",
        statement="a requester may also bring an action in Superior Court; an appeal to the "
        "Supervisor of Records is not required first",
        citation="M.G.L. c. 66, § 10A(c)",
        sources=("https://www.plymouth-ma.gov/FAQ.aspx?QID=191",
                 "http://www.lexology.com/library/detail.aspx?g=0f1a2479-7b69-48d4-9303-02fb2810b414"),
        confidence="secondary",
    ),
    Rule(
        key="fee_petition",
        statement="only a municipal records access officer may petition the Supervisor of "
        "Records to charge more than $25 an hour",
        citation="950 CMR 32.06(4)(h)",
        sources=(_SEC_PETITIONS,),
        confidence="official",
        note="facts.md 1.11. The grounds (a commercial purpose, or the actual cost) are "
        "secondary; recordskit does not state them.",
    ),
    Rule(
        key="not_held",
        statement="a written response must identify the requested records it does not hold "
        "and, if known, the agency or municipality that may hold them",
        citation="M.G.L. c. 66, § 10(b)(ii)–(iii)",
        sources=(_MIDDLESEX_10B,),
        confidence="secondary",
        note="facts.md 1.8 items 2 and 3 (SOURCED, from a restatement of § 10(b)). Nothing in "
        "facts.md says a response must describe the search made: letters only ask for it.",
    ),
    Rule(
        key="supervisor_order_enforcement",
        statement="if a body does not comply with an order of the Supervisor of Records, the "
        "Supervisor may refer the matter to the Attorney General",
        citation="M.G.L. c. 66, § 10A(b)",
        sources=("https://www.nefac.org/massachusetts-public-records/",
                 "https://accessmassrecords.com/how-it-works"),
        confidence="secondary",
    ),
    Rule(
        key="boston_saturday_holiday",
        statement="when a Massachusetts legal holiday falls on a Saturday, state offices stay "
        "open on the Friday before, but Boston's municipal buildings closed that Friday in "
        "2023; recordskit counts that Friday as closed for Boston bodies, which gives the "
        "later, safer deadline",
        citation="M.G.L. c. 4, § 7, cl. 18",
        sources=("http://www.southwickma.org/about-us/pages/holiday-closings",
                 "https://www.bostonglobe.com/2023/11/10/metro/veterans-day-2023-whats-open-"
                 "whats-closed/"),
        confidence="secondary",
        note="facts.md 7.1 and Pitfall 17: one year's report (Veterans Day 2023); whether the "
        "City closes on the Friday before every Saturday holiday is UNVERIFIED.",
    ),
    Rule(
        key="student_record_access",
        statement="a school must give a parent or eligible student access to the student "
        "record as soon as practicable and within 10 days of the request",
        citation="603 CMR 23.07(2)",
        sources=(_JUSTIA_2307,),
        confidence="official",
        value=10,
        unit="days",
        note="The regulation says 'ten days' without saying business days; recordskit says "
        "'days' and counts calendar days (facts.md 5.2, Pitfall 1).",
    ),
    Rule(
        key="non_custodial_parent",
        statement="a non-custodial parent may have access to the student record unless a court "
        "order or other listed document restricts it; the school first notifies the custodial "
        "parent by certified and first-class mail, in English and the parent's primary language, "
        "and releases the record 21 days after that notice unless restricting documents arrive",
        citation="M.G.L. c. 71, § 34H; 603 CMR 23.07(5)",
        sources=("https://arps.org/k2-non-custodial-parents/",
                 "https://www.gardnerk12.org/about-us/district-policies/"
                 "kbba-e-sample-notice-custodial-parent/"),
        confidence="secondary",
        value=21,
        unit="days",
        note="facts.md 5.6. The 21 days run from the school's notice to the custodial parent, a "
        "day the requester does not learn: recordskit assumes the notice goes out when the "
        "request arrives, and says so.",
    ),
    Rule(
        key="student_copy_fee",
        statement="copies may cost no more than the cost of reproduction, and no fee may be "
        "charged if it would effectively prevent access to the record",
        citation="603 CMR 23.07(2)",
        sources=(_JUSTIA_2307,),
        confidence="official",
    ),
    Rule(
        key="access_log",
        statement="a log kept with each student record shows everyone who obtained access to "
        "it, when, which parts, and for what purpose",
        citation="603 CMR 23.07(1)",
        sources=(_JUSTIA_2307,),
        confidence="official",
    ),
    Rule(
        key="eligible_student",
        statement="an eligible student is one who is 14 or older or has entered 9th grade",
        citation="603 CMR 23.02",
        sources=("https://www.doe.mass.edu/lawsregs/603cmr23.html?section=02",),
        confidence="official",
    ),
    Rule(
        key="ferpa_disclosure_record",
        statement="a school keeps, with the education records, a record of each request for "
        "and each disclosure of personal information from them",
        citation="34 CFR 99.32",
        sources=("http://framework.esc18.net/display/Webforms/ESC18-FW-Summary.aspx?FID=197"
                 "&DT=G&LID=en",),
        confidence="secondary",
    ),
    Rule(
        key="ferpa_access",
        statement="federal law gives a school at most 45 days to give access to education "
        "records; Massachusetts' 10 days is the stricter rule",
        citation="34 CFR 99.10(b)",
        sources=("https://webarchive.library.unt.edu/eot2008/20090508194415/http:/www.ed.gov/"
                 "policy/fund/reg/edgarReg/edlite-part99b.html",),
        confidence="official",
        value=45,
        unit="days",
    ),
    Rule(
        key="student_records_exempt",
        statement="student records are exempt from public disclosure, so a public records "
        "request is the wrong way to get a child's own file",
        citation="M.G.L. c. 4, § 7(26)(a)",
        sources=("http://masscases.com/cases/sjc/473/473mass86.html",),
        confidence="official",
    ),
    Rule(
        key="legal_holidays",
        statement="Massachusetts legal holidays; a holiday on a Sunday is observed on the "
        "Monday, a holiday on a Saturday is not moved",
        citation="M.G.L. c. 4, § 7, cl. 18",
        sources=("http://www.southwickma.org/about-us/pages/holiday-closings",
                 "http://www.mass.gov/courts/court-info/trial-court/exec-office/ocm/legal-holidays.html"),
        confidence="secondary",
    ),
    Rule(
        key="suffolk_days",
        statement="Evacuation Day (17 March) and Bunker Hill Day (17 June), or the Monday "
        "after when either falls on a Sunday, are legal holidays in Suffolk County; whether "
        "Boston offices close on them, and whether they are counted, is unsettled, so "
        "recordskit counts them as non-business days for Boston bodies, which gives the later, "
        "safer deadline",
        citation="M.G.L. c. 136, § 12",
        sources=("https://holidays.uslegal.com/state-holidays/massachusetts-legal-holidays/",
                 "https://www.masslive.com/news/2010/07/hack_holidays_are_back_and_the.html"),
        confidence="secondary",
        note="CONFLICT in facts.md 7.2: the 2010 budget law keeps Suffolk offices open.",
    ),
)

LAW: dict[str, Rule] = {rule.key: rule for rule in _RULES}
"""Every rule, by key."""

SUFFOLK_DAYS: tuple[tuple[int, int, str], ...] = (
    (3, 17, "Evacuation Day"),
    (6, 17, "Bunker Hill Day"),
)
"""Suffolk County's own legal holidays (month, day, name), under ``LAW["suffolk_days"]``."""

_EXEMPTIONS: tuple[Exemption, ...] = (
    Exemption(
        key="statutory",
        clause="a",
        name="records exempted by statute",
        summary="records specifically or by necessary implication exempted by another statute, "
        "such as student records",
        sources=("https://www.belmontpd.org/resident-resources/pages/public-records-exemptions",
                 "http://masscases.com/cases/sjc/473/473mass86.html"),
    ),
    Exemption(
        key="privacy",
        clause="c",
        name="personnel, medical and personal-privacy information",
        summary="personnel and medical information, and material about a specifically named "
        "person whose disclosure may be an unwarranted invasion of personal privacy",
        sources=("http://casetext.com/case/wakefield-teachers-assn-v-school-committee",),
    ),
    Exemption(
        key="policy_deliberation",
        clause="d",
        name="policy still being developed",
        summary="inter- or intra-agency memoranda about policy positions still being developed; "
        "not reasonably completed factual studies or reports",
        sources=("https://d1tvxue8o4w0fl.cloudfront.net/rule/massachusetts-court-rules/"
                 "massachusetts-guide-to-evidence/article-v-privileges-and-disqualifications/"
                 "section-518-executive-or-governmental-privilege",),
    ),
    Exemption(
        key="investigatory",
        clause="f",
        name="investigatory materials",
        summary="investigatory materials compiled out of public view whose disclosure would "
        "probably so prejudice effective law enforcement that it would not be in the public "
        "interest; decided case by case, never a blanket exemption",
        sources=("https://law.justia.com/cases/massachusetts/supreme-court/2020/sjc-12884.html",),
    ),
    Exemption(
        key="security",
        clause="n",
        name="security and safety records",
        summary="plans, policies and assessments whose disclosure is likely to jeopardize "
        "public safety in the custodian's reasonable judgment; read narrowly",
        sources=("https://natlawreview.com/article/top-massachusetts-court-clarifies-911-era-"
                 "public-records-exemption",),
    ),
)

EXEMPTIONS: dict[str, Exemption] = {ex.key: ex for ex in _EXEMPTIONS}
"""The exemptions a catalog record may anticipate, by key. Only clauses facts.md SOURCED."""


def production_limit(kind: AgencyKind) -> Rule:
    """The latest production date a body of this kind may set in its written response."""
    return LAW["production_limit_municipal" if kind == "municipal" else
               "production_limit_state_agency"]


def extension_max(kind: AgencyKind) -> Rule:
    """The longest extension the Supervisor of Records may normally grant a body of this kind."""
    return LAW["extension_max_municipal" if kind == "municipal" else
               "extension_max_state_agency"]


def free_hours(kind: AgencyKind, population_over_20000: bool) -> Rule | None:
    """The free search-time rule that binds this body, or None when none does."""
    if kind == "state_agency":
        return LAW["free_hours_state_agency"]
    return LAW["free_hours_municipal"] if population_over_20000 else None
