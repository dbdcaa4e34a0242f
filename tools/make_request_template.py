"""Write the first version of ``letter_templates/request.docx``.

Bootstrap only. The DOCX in ``letter_templates/`` is the source that lawyers and volunteers
edit in Word or LibreOffice; once it has been edited by hand, change the DOCX, not this
script (running it again would overwrite their edits, so it refuses unless told --overwrite).

Usage: python tools/make_request_template.py [--overwrite]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

TARGET = Path(__file__).resolve().parent.parent / "letter_templates" / "request.docx"
TEMPLATE_VERSION = "1"

Run = tuple[str, str]  # (style: "" | "b" | "i", text)


def build() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Inches(11), Inches(8.5)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(1))
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.08

    def para(*runs: Run | str, indent: bool = False, after: int | None = None,
             keep: bool = False) -> None:
        p = doc.add_paragraph()
        for run in runs:
            style, text = ("", run) if isinstance(run, str) else run
            r = p.add_run(text)
            r.bold = "b" in style
            r.italic = "i" in style
        if indent:
            p.paragraph_format.left_indent = Inches(0.4)
            p.paragraph_format.first_line_indent = Inches(-0.25)
            p.paragraph_format.tab_stops.add_tab_stop(Inches(0.4))
        if after is not None:
            p.paragraph_format.space_after = Pt(after)
        if keep:  # a lead-in stays on the page of what it introduces
            p.paragraph_format.keep_with_next = True

    def tag(text: str) -> None:  # a docxtpl paragraph tag: the paragraph vanishes when rendered
        para(text, after=0)

    para("{{ letter_date }}", after=18)
    para("{{ agency.officer_title }}", after=0)
    tag("{%p if agency.office %}")
    para("{{ agency.office }}", after=0)
    tag("{%p endif %}")
    para("{{ agency.name }}", after=0)
    para("{{ agency.address }}", after=12)
    para(("i", "{{ delivery_line }}"), after=18)
    para(("b", "Re: Public records request under {{ law.statute.citation }}"), after=12)
    para("Dear {{ agency.officer_title }}:")
    para("This is a request under {{ law.statute.statement }}, {{ law.statute.citation }}, and "
         "{{ law.regulations.statement }}, {{ law.regulations.citation }}. Please provide copies "
         "of the following records:", keep=True)
    tag("{%p for item in items %}")
    para(("b", "{{ item.number }}. {{ item.title }}."),
         " {{ item.description }}{% if item.period %} Period: {{ item.period }}.{% endif %}",
         indent=True)
    tag("{%p endfor %}")

    tag('{%p if format == "electronic" %}')
    para(("b", "Format. "),
         "Please provide the records electronically{% if delivery == 'email' %}, by reply "
         "email{% endif %}, in a searchable, machine-readable form and in their native format "
         "where possible (for example, spreadsheets as spreadsheets and emails with their "
         "attachments), as the regulations provide ({{ law.electronic_format.citation }}).")
    tag("{%p else %}")
    para(("b", "Format. "),
         "Please send paper copies to my mailing address below. Paper copies may cost no more "
         "than ${{ law.copy_fee_paper.value }} a page ({{ law.copy_fee_paper.citation }}).")
    tag("{%p endif %}")

    para(("b", "Exemptions. "),
         "If you withhold any record or part of a record, please release every segregable, "
         "non-exempt portion ({{ law.segregable.citation }}), and for anything withheld, "
         "identify it and state the specific exemption and the reason it applies, as the law "
         "requires ({{ law.withholding_reasons.citation }}).{% if asks %} In particular:"
         "{% endif %}")
    tag("{%p for ask in asks %}")
    para("•\tItem {{ ask.item }}, if you rely on {{ ask.citation }} ({{ ask.name }}): "
         "{{ ask.ask }}", indent=True)
    tag("{%p endfor %}")

    para(("b", "Fees. "),
         "{% if format == 'electronic' %}No per-page copy fee may be charged for records "
         "provided electronically ({{ law.copy_fee_electronic.citation }}). {% endif %}"
         "{% if fees.free_hours %}{{ agency.short_name|capfirst }} may not charge for the first "
         "{{ fees.free_hours }} hours of employee time spent on this request "
         "({{ fees.free_hours_citation }}), and time may be charged at no more than "
         "${{ law.labor_rate_cap.value }} an hour ({{ law.labor_rate_cap.citation }}). "
         "{% endif %}"
         "{% if fees.max_fee > 0 %}If the fees will exceed {{ fees.max_fee|money }}, please send "
         "me an itemized, good-faith estimate before doing the work.{% else %}If there will be "
         "any fee, please send me an itemized, good-faith estimate before doing any work that "
         "would be charged.{% endif %} No fee may be charged if you do not respond within "
         "{{ law.response_time.value }} business days ({{ law.no_fee_if_late.citation }}).")

    tag('{%p if fee_waiver == "public_interest" %}')
    para(("b", "Fee waiver. "),
         "I ask that you waive all fees ({{ law.fee_waiver.citation }}). Disclosure of these "
         "records is in the public interest: it is likely to contribute significantly to public "
         "understanding of the operations and activities of government, and it is not "
         "primarily in any commercial interest of mine.")
    tag('{%p elif fee_waiver == "indigency" %}')
    para(("b", "Fee waiver. "),
         "I ask that you waive all fees ({{ law.fee_waiver.citation }}) because I cannot "
         "afford to pay them.")
    tag("{%p endif %}")

    para(("b", "Response date. "),
         "The law requires a response within {{ law.response_time.value }} business days of "
         "receipt ({{ law.response_time.citation }}). {% if receipt_assumed %}I expect this "
         "letter to reach you by {{ dates.received }}; counting from that day{% else %}This "
         "request counts as received on {{ dates.received }}; counting from that day{% endif %}"
         ", your response is due by ",
         ("b", "{{ dates.response_due }}"),
         ". If you need more time to produce the records, please still respond in writing by "
         "that date. Any production date you set may be no later than "
         "{{ dates.production_due_max }}, {{ production_limit.value }} business days after "
         "receipt ({{ production_limit.citation }}), unless the Supervisor of Records grants "
         "more time ({{ law.extension_petition.citation }}).")

    tag("{%p if precedents %}")
    para(("b", "Earlier requests. "),
         "Records of this kind have been requested or made public before:", keep=True)
    tag("{%p for precedent in precedents %}")
    para("•\t{{ precedent.summary }}", indent=True)
    tag("{%p endfor %}")
    tag("{%p endif %}")

    para(("b", "Questions. "),
         "If any part of this request is unclear, or if narrowing it would let you produce "
         "records faster or at lower cost, please contact me{% if requester.email %} at "
         "{{ requester.email }}{% endif %}. Records access officers help requesters identify "
         "the records they seek ({{ law.rao_assists.citation }}).")
    para("Thank you for your help.", after=12, keep=True)
    para("Sincerely,", after=30, keep=True)
    para("{{ requester.signature }}", after=0)
    tag("{%p if requester.contact %}")
    para("{{ requester.contact }}", after=0)
    tag("{%p endif %}")

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Public records request, page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    number = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    number.append(text)
    field.append(number)
    footer._p.append(field)

    props = doc.core_properties
    props.title = "Massachusetts public records request"
    props.author = "recordskit"
    props.version = TEMPLATE_VERSION
    props.comments = ("recordskit letter template. Edit the wording freely; keep every tag in "
                      "double braces or brace-percent intact.")
    return doc


def main() -> int:
    if TARGET.exists() and "--overwrite" not in sys.argv:
        print(f"{TARGET} exists and may hold hand edits; pass --overwrite to replace it")
        return 1
    TARGET.parent.mkdir(exist_ok=True)
    build().save(TARGET)
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
