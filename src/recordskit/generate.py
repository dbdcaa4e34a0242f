"""From a ``Request`` to its files: the library entry point behind ``recordskit new``.

Example::

    from recordskit import load_directory, load_answers, make_request
    directory = load_directory()
    request = load_answers(Path("answers.yaml"), directory)
    made = make_request(request, directory, Path("out"))
    print(made.schedule.date_of("response_due"))
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from recordskit.answers import answers_yaml
from recordskit.business_days import get_calendar
from recordskit.exports import schedule_csv, schedule_ics
from recordskit.law import LAW_VERSION
from recordskit.letter import letter_context, schedule_context, student_letter_context
from recordskit.models import Agency, Directory, Request
from recordskit.paths import templates_dir
from recordskit.render import LetterTemplate, Stamp
from recordskit.schedule import Schedule, new_request_schedule, student_records_schedule
from recordskit.sendkit import email_draft, how_to_send, write_with_pdfs
from recordskit.summary import summary_context

REQUEST_TEMPLATE = "request.docx"
STUDENT_TEMPLATE = "student_records.docx"
SCHEDULE_TEMPLATE = "schedule.docx"
REQUIRED_FILES = ("letter.docx", "how_to_send.txt", "summary.docx", "schedule.docx",
                  "schedule.csv", "schedule.ics", "answers.yaml")
"""What every request folder holds; ``email.eml`` and the PDFs join them when they can be made."""


@dataclass(frozen=True)
class MadeRequest:
    """A request with its schedule and the contents of every file it produces."""

    request: Request
    agency: Agency
    request_id: str
    schedule: Schedule
    files: dict[str, bytes]


def recordskit_version() -> str:
    try:
        return version("recordskit")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


@lru_cache(maxsize=16)
def _load(path: Path) -> LetterTemplate:
    return LetterTemplate(path)


def template(name: str, folder: Path | None = None) -> LetterTemplate:
    """A letter template by file name, read once per process."""
    return _load((folder or templates_dir()) / name)


def prepare_request(request: Request, directory: Directory, *,
                    template_folder: Path | None = None) -> MadeRequest:
    """Compute the schedule and produce every file's contents, writing nothing.

    ``answers.yaml`` comes last: written last, its presence says the folder is complete.
    """
    agency = directory.agency(request.agency)
    calendar = get_calendar(agency.calendar, directory.closures_for(agency.calendar))
    student = request.request_type == "student_records"
    schedule = (student_records_schedule if student else new_request_schedule)(
        request, agency, calendar)
    request_id = request.fingerprint()
    template_name = STUDENT_TEMPLATE if student else REQUEST_TEMPLATE
    letter_template = template(template_name, template_folder)
    stamp = Stamp(
        title=(f"Student record request to {request.student.school}" if request.student
               else f"Public records request to {agency.name}"),
        subject="Massachusetts Public Records Law request",
        law_version=LAW_VERSION,
        template_name=template_name,
        recordskit_version=recordskit_version(),
    )
    context = (student_letter_context if student else letter_context)(
        request, directory, schedule)
    letter = letter_template.render(context, stamp)
    printable = template(SCHEDULE_TEMPLATE, template_folder).render(
        schedule_context(request, directory, schedule),
        Stamp(title=f"Dates of the request to {agency.name}", subject=stamp.subject,
              law_version=LAW_VERSION, template_name=SCHEDULE_TEMPLATE,
              recordskit_version=stamp.recordskit_version))
    draft = None if student else email_draft(request, agency, letter,
                                             f"Public records request: {agency.name}")
    files = {"letter.docx": letter}
    if draft is not None:
        files["email.eml"] = draft
    files["how_to_send.txt"] = how_to_send(request, agency, draft is not None).encode("utf-8")
    files["summary.docx"] = template("summary.docx", template_folder).render(
        summary_context(request, directory, schedule),
        Stamp(title="recordskit summary", subject=stamp.subject, law_version=LAW_VERSION,
              template_name="summary.docx", recordskit_version=stamp.recordskit_version))
    files["schedule.docx"] = printable
    files["schedule.csv"] = schedule_csv(schedule.deadlines).encode("utf-8")
    files["schedule.ics"] = schedule_ics(schedule.deadlines, agency, request_id)
    files["answers.yaml"] = answers_yaml(request).encode("utf-8")
    return MadeRequest(request, agency, request_id, schedule, files)


def make_request(request: Request, directory: Directory, out: Path, *, force: bool = False,
                 template_folder: Path | None = None, pdf: bool = False) -> MadeRequest:
    """Produce a request's letter, schedule and calendar in ``out``; never overwrite silently.

    With ``pdf``, the PDFs are made after the other files are written, so a missing LibreOffice
    costs nothing but the PDFs (the error says how to install it).
    """
    made = prepare_request(request, directory, template_folder=template_folder)
    made.files.update(write_with_pdfs(out, made.files, force=force, pdf_of=(
        "letter.docx", "schedule.docx") if pdf else ()))
    return made
