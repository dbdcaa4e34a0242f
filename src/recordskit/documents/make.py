"""The library's entry points: from a request, or a logged request, to its files.

One ``make_*`` per kind of document set; the command line calls these and assembles nothing
itself. Example::

    from recordskit import load_directory, load_answers, make_request
    directory = load_directory()
    request = load_answers(Path("answers.yaml"), directory)
    made = make_request(request, directory, Path("out"))
    print(made.schedule.date_of("response_due"))
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from recordskit.deadlines.calendars import calendar_for
from recordskit.deadlines.schedule import Schedule, refuse_a_passed_request, request_schedule
from recordskit.documents.contexts.appeal import (
    AppealPacket,
    appeal_checklist,
    appeal_context,
    prepare_appeal,
)
from recordskit.documents.contexts.companion import appeal_companion, followup_companion
from recordskit.documents.contexts.followup import FollowUpPlan, followup_context, plan_followup
from recordskit.documents.contexts.letter import letter_context, student_letter_context
from recordskit.documents.contexts.schedule_page import schedule_context
from recordskit.documents.contexts.summary import summary_context
from recordskit.documents.email_draft import email_draft
from recordskit.documents.exports import schedule_csv, schedule_ics
from recordskit.documents.instructions import how_to_send
from recordskit.documents.rendering.pdf import write_with_pdfs
from recordskit.documents.rendering.render import (
    PUBLIC_RECORDS_SUBJECT,
    STUDENT_RECORDS_SUBJECT,
    stamp,
    template,
)
from recordskit.files import LimitError, read_limited
from recordskit.i18n import LETTERS_LANGUAGE, in_language, reads_the_letters
from recordskit.intake.answers import answers_yaml
from recordskit.intake.privacy import personal_details, refuse
from recordskit.limits import LIMITS
from recordskit.logged import FollowedUp
from recordskit.models import Agency, Directory, Request
from recordskit.tracking.log import (
    LoggedRequest,
    RequestLog,
    current_user,
    now,
    replaced_event,
    usable_before_writing,
)

REQUEST_TEMPLATE = "request.docx"
STUDENT_TEMPLATE = "student_records.docx"
SCHEDULE_TEMPLATE = "schedule.docx"
FOLLOW_THROUGH_SUBJECT = "Massachusetts Public Records Law"


@dataclass(frozen=True)
class MadeRequest:
    """A request with its schedule and the contents of every file it produces."""

    request: Request
    agency: Agency
    request_id: str
    schedule: Schedule
    files: dict[str, bytes]
    replaced: tuple[tuple[str, int], ...] = ()
    """Requests logged for the same folder before, marked withdrawn now that its files are
    this request's: each id, and the number of its ``withdrawn`` event (for an undo)."""


@dataclass(frozen=True)
class MadeFiles:
    """The files a follow-up or an appeal wrote, in the order written."""

    paths: tuple[Path, ...]


@dataclass(frozen=True)
class MadeFollowUp(MadeFiles):
    """A follow-up's files, the day it asks for a reply by, and the situation it answers."""

    reply_by: date
    situation: str
    event: FollowedUp
    """The event it logs (or, without a log, that ``log ID followed_up`` would record)."""


@dataclass(frozen=True)
class MadeAppeal(MadeFiles):
    """An appeal packet's files, and what it decided (deadline, warnings)."""

    packet: AppealPacket


def prepare_request(request: Request, directory: Directory, *,
                    template_folder: Path | None = None, language: str | None = None
                    ) -> MadeRequest:
    """Compute the schedule and produce every file's contents, writing nothing.

    The family's pages are in ``language``, by default the request's own (``language`` in its
    answers), else English: the caller's own language does not leak into them.
    ``answers.yaml`` comes last: written last, its presence says the folder is complete.
    """
    with in_language(family_language(language, request)):
        return _prepare_request(request, directory, template_folder)


def family_language(language: str | None, request: Request) -> str:
    """The language of a request's family pages: the one asked for, else the request's own."""
    return language or request.language or LETTERS_LANGUAGE


def _prepare_request(request: Request, directory: Directory, template_folder: Path | None
                     ) -> MadeRequest:
    agency = request.addressed(directory.agency(request.agency))
    schedule = request_schedule(request, directory)
    student = request.request_type == "student_records"
    request_id = request.fingerprint()
    template_name = STUDENT_TEMPLATE if student else REQUEST_TEMPLATE
    context = (student_letter_context if student else letter_context)(
        request, directory, schedule)
    subject = STUDENT_RECORDS_SUBJECT if student else PUBLIC_RECORDS_SUBJECT
    rendered = template(template_name, template_folder).render_document(context, stamp(
        f"Student record request to {request.student.school}" if request.student
        else f"Public records request to {agency.name}", template_name, subject))
    letter = rendered.docx
    printable = template(SCHEDULE_TEMPLATE, template_folder).render(
        schedule_context(request, directory, schedule),
        stamp(f"Dates of the request to {agency.name}", SCHEDULE_TEMPLATE, subject))
    draft = None if student else email_draft(request, agency, letter,
                                             f"Public records request: {agency.name}",
                                             letter_xml=rendered.document_xml)
    files = {"letter.docx": letter}
    if draft is not None:
        files["email.eml"] = draft
    files["how_to_send.txt"] = how_to_send(request, agency, draft is not None).encode("utf-8")
    files["summary.docx"] = template("summary.docx", template_folder).render(
        summary_context(request, directory, schedule),
        stamp("recordskit summary", "summary.docx", subject))
    files["schedule.docx"] = printable
    files["schedule.csv"] = schedule_csv(schedule.deadlines).encode("utf-8")
    files["schedule.ics"] = schedule_ics(schedule.deadlines, agency, request_id,
                                         student=student)
    files["answers.yaml"] = answers_yaml(request).encode("utf-8")
    return MadeRequest(request, agency, request_id, schedule, files)


def make_request(request: Request, directory: Directory, out: Path, *, force: bool = False,
                 template_folder: Path | None = None, pdf: bool = False,
                 log: RequestLog | None = None, by: str | None = None,
                 allow_personal_details: bool = False, past: bool = False,
                 today: date | None = None, source: Path | None = None,
                 language: str | None = None) -> MadeRequest:
    """Produce a request's letter, schedule and calendar in ``out``; never overwrite silently.
    The family's pages are in ``language`` (see ``prepare_request``); refusals in the caller's.

    First the checks every way of making a request gets: the privacy guard refuses personal
    details in the answers (a child's name, an A-number …) unless ``allow_personal_details``
    (the interview asks about each instead), and a ``sent_on`` whose first answer was due
    before ``today`` is refused unless ``past`` says the letter really went then. ``source``,
    the answers file, lets the refusal name each detail's line.

    With ``pdf``, the PDFs are made after the other files are written, so a missing LibreOffice
    costs nothing but the PDFs (the error says how to install it). With ``log``, the request is
    recorded there once its files are written.
    """
    check_request(request, directory, today=today or date.today(),
                  allow_personal_details=allow_personal_details, past=past, source=source)
    usable_before_writing(out, log)
    made = prepare_request(request, directory, template_folder=template_folder,
                           language=language)
    made.files.update(write_with_pdfs(out, made.files, force=force, pdf_of=(
        "letter.docx", "schedule.docx") if pdf else ()))
    if log is not None:
        folder = out.resolve()
        earlier = [found for found in log.in_folders([str(folder)]).get(str(folder), [])
                   if found != made.request_id]
        log.record_request(made.request_id, request, folder=folder, by=by)
        if earlier:
            who = current_user() if by is None else by
            numbers = log.insert_events(
                replaced_event(found, made.request_id, "made again in its folder with new "
                               "answers", stamp=now(), by=who) for found in earlier)
            made = replace(made, replaced=tuple(zip(earlier, numbers, strict=True)))
    return made


def check_request(request: Request, directory: Directory, *, today: date,
                  allow_personal_details: bool = False, past: bool = False,
                  source: Path | None = None) -> None:
    """Refuse a request that carries personal details, or whose first answer was already due,
    unless told otherwise (see ``make_request``)."""
    if not allow_personal_details:
        refuse(personal_details(request), source)
    if not past:
        agency = directory.agency(request.agency)
        refuse_a_passed_request(request, agency, calendar_for(agency, directory), today)


def make_followup(logged: LoggedRequest, directory: Directory, out: Path, *, today: date,
                  force: bool = False, pdf: bool = False, log: RequestLog | None = None,
                  language: str | None = None) -> MadeFollowUp:
    """The follow-up letter for a logged request; refuses when nothing calls for one yet.
    The family's page is in ``language``, by default the request's own (see
    ``prepare_request``); a refusal is in the caller's language.

    With ``log``, a ``followed_up`` event records it with the reply-by date the letter gives,
    so the schedule waits for that date before suggesting an appeal.
    """
    plan = plan_followup(logged, directory, today)
    with in_language(family_language(language, logged.request)):
        files = _followup_files(logged, directory, plan, today)
    paths = _write(out, files, force=force, pdf=pdf)
    if log is not None:
        log.record_event(logged.id, today, plan.event)
    return MadeFollowUp(paths, plan.reply_by, plan.situation.kind, plan.event)


def _followup_files(logged: LoggedRequest, directory: Directory, plan: FollowUpPlan,
                    today: date) -> dict[str, bytes]:
    context = followup_context(logged, directory, plan, today)
    student = logged.request.request_type == "student_records"
    name = "student_follow_up.docx" if student else "follow_up.docx"
    title = ("Student record request follow-up" if student
             else "Public records request follow-up")
    subject = STUDENT_RECORDS_SUBJECT if student else FOLLOW_THROUGH_SUBJECT
    files = {name: template(name).render(context, stamp(title, name, subject))}
    answer_by = plan.reply_by
    if not reads_the_letters():  # her page, in her language, beside the English letter
        facts = plan.timeline.facts
        closes = [w.closes for w in facts.windows if w.is_open(today)]
        files["follow_up_summary.docx"] = template("summary.docx").render(
            followup_companion(logged.request, directory.agency(logged.request.agency),
                               plan.situation.kind, today=today,
                               response_due=facts.response_due, reply_by=answer_by,
                               appeal_deadline=max(closes, default=None), letter=name),
            stamp("recordskit follow-up summary", "summary.docx", subject))
    return files


def make_appeal(logged: LoggedRequest, directory: Directory, out: Path, *, today: date,
                grounds: tuple[str, ...] = (), objections: tuple[str, ...] = (),
                earlier_appeal: str = "", response: int | None = None, force: bool = False,
                pdf: bool = False, language: str | None = None) -> MadeAppeal:
    """The appeal packet: the appeal, the copy for the records access officer, the checklist.
    The family's checklist and page are in ``language``, by default the request's own (see
    ``prepare_request``); a refusal is in the caller's language.

    ``response`` names the logged response appealed; by default the most recent one whose
    window is open.
    """
    packet = prepare_appeal(logged, directory, today, grounds=grounds, objections=objections,
                            earlier_appeal=earlier_appeal, response=response)
    with in_language(family_language(language, logged.request)):
        files = _appeal_files(packet)
    files.update(_enclosed_replies(logged, packet))
    return MadeAppeal(_write(out, files, force=force, pdf=pdf), packet)


def _appeal_files(packet: AppealPacket) -> dict[str, bytes]:
    context = appeal_context(packet)
    files = {
        "appeal.docx": template("appeal.docx").render(context, stamp(
            "Public records appeal", "appeal.docx", FOLLOW_THROUGH_SUBJECT)),
        "appeal_cover.docx": template("appeal_cover.docx").render(context, stamp(
            "Copy of public records appeal", "appeal_cover.docx", FOLLOW_THROUGH_SUBJECT)),
        "appeal_checklist.txt": appeal_checklist(packet).encode("utf-8"),
    }
    if not reads_the_letters():  # her page, in her language, beside the English appeal
        files["appeal_summary.docx"] = template("summary.docx").render(
            appeal_companion(packet), stamp("recordskit appeal summary", "summary.docx",
                                            FOLLOW_THROUGH_SUBJECT))
    return files


def _enclosed_replies(logged: LoggedRequest, packet: AppealPacket) -> dict[str, bytes]:
    """The agency's replies as they came, byte for byte, to enclose (the appeal regulation
    asks for the response appealed, whole: ``LAW["written_request_for_appeal"]``'s source):
    each read from the request's folder only
    when it is a regular file there, within its limit, and still has the hash logged."""
    enclosed: dict[str, bytes] = {}
    if not logged.folder:
        return enclosed
    for reply in packet.replies:
        try:
            data = read_limited(Path(logged.folder) / reply.kept_as, LIMITS["reply_bytes"],
                                follow=False)
        except (OSError, LimitError):
            continue  # the checklist still names it; the family attaches the email herself
        if hashlib.sha256(data).hexdigest() == reply.sha256:
            enclosed[reply.enclosed_as] = data
    return enclosed


def _write(folder: Path, files: dict[str, bytes], *, force: bool, pdf: bool
           ) -> tuple[Path, ...]:
    documents = tuple(name for name in files if name.endswith(".docx")) if pdf else ()
    pdfs = write_with_pdfs(folder, files, force=force, pdf_of=documents)
    return tuple(folder / name for name in [*files, *pdfs])
