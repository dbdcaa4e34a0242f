"""Write the first versions of the DOCX letter templates in ``letter_templates/``.

Bootstrap only. The DOCX files are the source that lawyers and volunteers edit in Word or
LibreOffice; once one has been edited by hand, change the DOCX, not this script (running it
again would overwrite their edits, so it refuses unless told --overwrite).

Usage: python tools/make_templates.py [NAME ...] [--overwrite]
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt

FOLDER = Path(__file__).resolve().parent.parent / "letter_templates"
TEMPLATE_VERSION = "1"

Run = tuple[str, str]  # (style: "" | "b" | "i", text)


class Letter:
    """A US letter page with the house style, and helpers for docxtpl paragraphs."""

    def __init__(self, footer: str) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_height, section.page_width = Inches(11), Inches(8.5)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Inches(1))
        normal = self.doc.styles["Normal"]
        normal.font.name = "Times New Roman"
        normal.font.size = Pt(12)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.08
        paragraph = section.footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(f"{footer}, page ")
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        number = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        number.append(text)
        field.append(number)
        paragraph._p.append(field)

    def para(self, *runs: Run | str, indent: bool = False, after: int | None = None,
             keep: bool = False) -> None:
        p = self.doc.add_paragraph()
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

    def tag(self, text: str) -> None:
        """A docxtpl paragraph tag: the paragraph itself vanishes when rendered."""
        self.para(text, after=0)

    def address(self, who: str) -> None:
        self.para("{{ letter_date }}", after=18)
        self.para("{{ " + who + ".officer_title }}", after=0)
        self.tag("{%p if " + who + ".office %}")
        self.para("{{ " + who + ".office }}", after=0)
        self.tag("{%p endif %}")
        self.tag("{%p if " + who + ".name != " + who + ".officer_title %}")
        self.para("{{ " + who + ".name }}", after=0)
        self.tag("{%p endif %}")
        self.para("{{ " + who + ".address }}", after=12)

    def signature(self) -> None:
        self.para("Sincerely,", after=30, keep=True)
        self.para("{{ requester.signature }}", after=0)
        self.tag("{%p if requester.contact %}")
        self.para("{{ requester.contact }}", after=0)
        self.tag("{%p endif %}")

    def finish(self, title: str) -> DocumentObject:
        props = self.doc.core_properties
        props.title = title
        props.author = "recordskit"
        props.version = TEMPLATE_VERSION
        props.comments = ("recordskit letter template. Edit the wording freely; keep every tag "
                          "in double braces or brace-percent intact.")
        return self.doc


def request_template() -> DocumentObject:
    letter = Letter("Public records request")
    para, tag = letter.para, letter.tag
    letter.address("agency")
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
    letter.signature()
    return letter.finish("Massachusetts public records request")


def follow_up_template() -> DocumentObject:
    letter = Letter("Public records request follow-up")
    para, tag = letter.para, letter.tag
    letter.address("agency")
    para(("i", "{{ delivery_line }}"), after=18)
    para(("b", "Re: Follow-up on my public records request of {{ original.sent }}"
               "{% if original.tracking %} (reference {{ original.tracking }}){% endif %}"),
         after=12)
    para("Dear {{ agency.officer_title }}:")
    para("On {{ original.sent }} I asked you, under {{ law.statute.citation }}, for copies of "
         "{{ original.subjects }}.{% if original.received_confirmed %} You received the "
         "request on {{ original.received }}.{% endif %}")
    tag('{%p if situation == "no_response" %}')
    para("The law required a response within {{ law.response_time.value }} business days of "
         "receipt, by {{ dates.response_due }} ({{ law.response_time.citation }}). I have not "
         "received one. Because no response came within that time, no fee may be charged for "
         "these records ({{ law.no_fee_if_late.citation }}).")
    tag("{%p else %}")
    para("Your response set {{ dates.production_due }} as the date for producing the records. "
         "That date has passed and I have not received them.{% if late_response %} Because "
         "your first response came after the response date of {{ dates.response_due }}, no "
         "fee may be charged for these records ({{ law.no_fee_if_late.citation }}).{% endif %}")
    tag("{%p endif %}")
    para("Please send the records, or your written response, by ",
         ("b", "{{ dates.reply_by }}"),
         ". If you withhold any part, please release every segregable portion and name the "
         "specific exemption for what you withhold ({{ law.withholding_reasons.citation }}).")
    para("If I do not hear from you, I may appeal to the Supervisor of Records "
         "({{ law.appeal_right.citation }}){% if dates.appeal_deadline %}; the last day for "
         "that is {{ dates.appeal_deadline }} ({{ law.appeal_window.citation }}){% endif %}. I "
         "would much rather have the records from you.")
    para("Thank you for your help.", after=12, keep=True)
    letter.signature()
    return letter.finish("Public records request follow-up")


def appeal_template() -> DocumentObject:
    letter = Letter("Public records appeal")
    para, tag = letter.para, letter.tag
    letter.address("supervisor")
    para(("i", "{{ supervisor_delivery }}"), after=18)
    para(("b", "Re: Appeal under {{ law.appeal_right.citation }}: {{ agency.name }}, public "
               "records request of {{ original.sent }}{% if original.tracking %} (reference "
               "{{ original.tracking }}){% endif %}"), after=12)
    para("Dear {{ supervisor.officer_title }}:")
    para("I appeal to you under {{ law.appeal_right.citation }} and {{ law.regulations.citation }}"
         " about my public records request to {{ agency.name }}, sent on {{ original.sent }} "
         "for copies of {{ original.subjects }}. {{ agency.short_name|capfirst }} received it on "
         "{{ original.received }}.{% if responses %} It responded on "
         "{% for response in responses %}{{ response.date }} ({{ response.kind }})"
         "{% if loop.revindex == 2 %} and {% elif not loop.last %}, {% endif %}{% endfor %}."
         "{% else %} It has not responded."
         "{% endif %}{% if earlier_appeal %} This appeal relates to my earlier appeal "
         "{{ earlier_appeal }}.{% endif %}")
    para(("b", "My objections and their grounds."), keep=True)
    tag("{%p for ground in grounds %}")
    para(("b", "{{ ground.number }}. {{ ground.title }}."),
         " {{ ground.argument }}{% if ground.citation %} ({{ ground.citation }}){% endif %}",
         indent=True)
    tag("{%p endfor %}")
    tag("{%p if objections %}")
    para("I also object specifically to the following:", keep=True)
    tag("{%p for objection in objections %}")
    para("•\t{{ objection }}", indent=True)
    tag("{%p endfor %}")
    tag("{%p endif %}")
    para(("b", "What I ask. "),
         "I ask you to find that {{ agency.short_name }} has not complied with the Public "
         "Records Law, and to order it to produce the requested records promptly"
         "{% if no_fee %}, without charge{% endif %}, releasing every segregable portion "
         "({{ law.segregable.citation }}) and identifying any exemption it claims, and why it "
         "applies, for each record it withholds ({{ law.withholding_reasons.citation }}).")
    para("This appeal is filed within {{ law.appeal_window.value }} calendar days of "
         "{{ window.counted }} ({{ law.appeal_window.citation }}). As the regulations require "
         "({{ law.appeal_contents.citation }}), I attach complete copies of my request and of "
         "every written response, and I am sending a copy of this appeal to "
         "{{ agency.short_name }}'s records access officer today.")
    para("Thank you for your help.", after=12, keep=True)
    letter.signature()
    para("", after=12)
    para(("b", "Attached:"), after=0, keep=True)
    tag("{%p for item in attachments %}")
    para("•\t{{ item }}", indent=True, after=0)
    tag("{%p endfor %}")
    para("cc: {{ agency.officer_title }}, {{ agency.name }}", after=0)
    return letter.finish("Public records appeal")


def appeal_cover_template() -> DocumentObject:
    letter = Letter("Copy of public records appeal")
    para = letter.para
    letter.address("agency")
    para(("b", "Re: Copy of my appeal to the Supervisor of Records about my request of "
               "{{ original.sent }}{% if original.tracking %} (reference "
               "{{ original.tracking }}){% endif %}"), after=12)
    para("Dear {{ agency.officer_title }}:")
    para("Enclosed is a copy of the appeal I am filing today with the Supervisor of Records "
         "about my public records request of {{ original.sent }}, with its attachments. The "
         "regulations require that you receive a copy ({{ law.appeal_contents.citation }}).")
    para("I would still rather resolve this with you. If you send the records, or a response "
         "that meets the law, I will tell the Supervisor of Records.")
    para("Thank you for your help.", after=12, keep=True)
    letter.signature()
    return letter.finish("Copy of public records appeal")


def schedule_template() -> DocumentObject:
    letter = Letter("Your request's dates")
    para, tag = letter.para, letter.tag
    para(("b", "{{ title }}"), after=6)
    para("{{ intro }}", after=12)
    table = letter.doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Date", "What happens", "What to do"),
                          strict=True):
        cell.paragraphs[0].add_run(text).bold = True
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for row in rows %}")
    cells = table.rows[2].cells
    cells[0].paragraphs[0].add_run("{{ row.date }}").bold = True
    cells[1].paragraphs[0].add_run("{{ row.title }}")
    cells[2].paragraphs[0].add_run("{{ row.description }}")
    law = cells[2].add_paragraph()
    law.add_run("{{ row.citation }}").italic = True
    table.rows[3].cells[0].paragraphs[0].add_run("{%tr endfor %}")
    table.autofit = False
    for index, width in enumerate((Inches(1.45), Inches(1.65), Inches(3.4))):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.space_after = Pt(2)
                for run in paragraph.runs:
                    run.font.size = Pt(10)
    para("", after=6)
    tag("{%p for note in notes %}")
    para("{{ note }}", after=6)
    tag("{%p endfor %}")
    para(("i", "Keep this page with your copy of the letter. Made with recordskit; law table "
               "{{ law_version }}."))
    return letter.finish("Your request's dates")


def student_records_template() -> DocumentObject:
    letter = Letter("Request for a student record")
    para, tag = letter.para, letter.tag
    para("{{ letter_date }}", after=18)
    para("Principal", after=0)
    para("{{ student.school }}", after=0)
    para("Boston Public Schools", after=18)
    para(("b", "Re: Access to the student record of {{ student.name }}"
               "{% if student.grade %}, grade {{ student.grade }}{% endif %}"), after=12)
    para("Dear Principal:")
    tag("{%p if parent %}")
    para("I am the parent of {{ student.name }}, a student at {{ student.school }}. Under "
         "{{ law.student_record_access.citation }}, I ask for access to, and copies of, my "
         "child's complete student record, wherever its parts are kept, including:", keep=True)
    tag("{%p else %}")
    para("I am {{ student.name }}, a student at {{ student.school }}, and an eligible student "
         "({{ law.eligible_student.citation }}): I am 14 or older or have entered 9th grade. "
         "Under {{ law.student_record_access.citation }}, I ask for access to, and copies of, my "
         "complete student record, wherever its parts are kept, including:", keep=True)
    tag("{%p endif %}")
    para("•\tthe log of access kept with the record, showing everyone who obtained access to "
         "it, when, which parts, and for what purpose ({{ law.access_log.citation }}); and",
         indent=True)
    para("•\tthe record of every request for, and every disclosure of, personal information "
         "from the record ({{ law.ferpa_disclosure_record.citation }}).", indent=True)
    para("Separately, please give me copies of any incident reports written by Boston School "
         "Police about {% if parent %}my child{% else %}me{% endif %}, or tell me which office "
         "holds them.")
    para("The regulations require access within {{ law.student_record_access.value }} days of "
         "this request, that is, by ", ("b", "{{ dates.due }}"),
         " ({{ law.student_record_access.citation }}). Copies may cost no more than the cost of "
         "reproduction, and no fee may be charged if it would keep me from seeing the record "
         "({{ law.student_copy_fee.citation }}).{% if format == 'electronic' %} Electronic "
         "copies are best for me.{% endif %}")
    para("Thank you for your help.", after=12, keep=True)
    letter.signature()
    para("", after=6)
    para("cc: {{ copy_to.office }}, {{ copy_to.name }}, {{ copy_to.address }}", after=0)
    return letter.finish("Request for a student record")


def summary_template() -> DocumentObject:
    letter = Letter("recordskit")
    para, tag = letter.para, letter.tag
    para(("b", "{{ title }}"), after=12)
    para(("b", "{{ asked_label }}"), after=2, keep=True)
    tag("{%p for item in asked %}")
    para("•\t{{ item }}", indent=True, after=2)
    tag("{%p endfor %}")
    para(("b", "{{ whom_label }} "), "{{ whom }}", after=6)
    para("{{ sent }}", after=12)
    para(("b", "{{ dates_label }}"), after=4, keep=True)
    tag("{%p for row in rows %}")
    para(("b", "{{ row.date }}: {{ row.title }}."), " {{ row.what }}", indent=True, after=4)
    tag("{%p endfor %}")
    para("", after=6)
    para(("i", "{{ keep }}"))
    return letter.finish("recordskit summary")


BUILDERS: dict[str, Callable[[], DocumentObject]] = {
    "request.docx": request_template,
    "follow_up.docx": follow_up_template,
    "appeal.docx": appeal_template,
    "appeal_cover.docx": appeal_cover_template,
    "schedule.docx": schedule_template,
    "student_records.docx": student_records_template,
    "summary.docx": summary_template,
}


def _drop_styles_with_effects(document: DocumentObject) -> None:
    """Leave out python-docx's stylesWithEffects.xml, a copy of the styles only Word 2010 read
    (438 KB of XML): every document made from the template is then a third smaller."""
    for rel_id, rel in list(document.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            document.part.drop_rel(rel_id)


def main() -> int:
    names = [a for a in sys.argv[1:] if not a.startswith("--")] or list(BUILDERS)
    for name in names:
        target = FOLDER / name
        if target.exists() and "--overwrite" not in sys.argv:
            print(f"{target} exists and may hold hand edits; pass --overwrite to replace it")
            continue
        FOLDER.mkdir(exist_ok=True)
        document = BUILDERS[name]()
        _drop_styles_with_effects(document)
        document.save(str(target))
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
