"""Getting a letter out of the house: an email draft, sending instructions, and PDFs.

``email.eml`` is a standard draft (RFC 5322, UTF-8) to the agency's records email, with the
letter as its plain-text body and the DOCX attached; it exists only when the directory has a
verified email for the agency. ``how_to_send.txt`` says, for the way the person chose, where the
letter goes and what proof to keep; when the agency has no email it says so rather than pretend.
PDFs come from LibreOffice when it is installed, never as a hard dependency.
"""

from __future__ import annotations

import html
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from datetime import datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from recordskit.errors import UserError
from recordskit.law import LAW
from recordskit.letter import long_date
from recordskit.models import Agency, Request, Student

PDF_HELP = (
    "PDF needs LibreOffice, which is not installed here. The DOCX files were written and open "
    "in Word or LibreOffice. To get PDFs: on Debian or Ubuntu, `sudo apt-get install "
    "libreoffice-writer-nogui`; on macOS or Windows, install LibreOffice from libreoffice.org; "
    "then run the command again with --pdf (and --force)."
)
PDF_TIMEOUT_SECONDS = 180


def docx_text(docx: bytes) -> str:
    """The plain text of a DOCX made by recordskit: one line per paragraph, breaks kept."""
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    lines = []
    for paragraph in _PARAGRAPH.findall(xml):
        pieces = []
        for match in _RUN_PIECE.finditer(paragraph):
            text, tag = match.group(1), match.group(2)
            pieces.append(html.unescape(text) if text is not None else
                          "\t" if tag == "tab" else "\n")
        lines.append("".join(pieces))
    return "\n".join(lines).strip() + "\n"


_PARAGRAPH = re.compile(r"<w:p[ >].*?</w:p>", re.DOTALL)
_RUN_PIECE = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(br|cr|tab)/>")


def email_draft(request: Request, agency: Agency, letter: bytes, subject: str) -> bytes | None:
    """An email draft to the agency's records email, or None when the directory has none."""
    to = agency.records_officer.email
    if not to:
        return None
    message = EmailMessage()
    person = request.requester
    message["To"] = to
    if person.email:
        # One line only: a line break in a header would let an answer forge more headers.
        sender = " ".join((person.name or person.organization).split())
        try:
            message["From"] = Address(display_name=sender, addr_spec=person.email)
        except ValueError:  # an address our check allows but the email library does not
            message["From"] = person.email
    message["Subject"] = " ".join(subject.split())
    sent = datetime.combine(request.sent_on, time(9, 0)).astimezone()
    message["Date"] = format_datetime(sent)
    message["Message-ID"] = make_msgid(idstring=request.fingerprint(), domain="recordskit.invalid")
    message["X-Unsent"] = "1"  # mail programs open it as a draft to send, not a received mail
    message.set_content(docx_text(letter), charset="utf-8")
    message.add_attachment(
        letter, maintype="application",
        subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename="public-records-request.docx")
    return bytes(message)


def how_to_send(request: Request, agency: Agency, has_email_draft: bool) -> str:
    """Plain instructions for the chosen way of sending, and the proof to keep."""
    if request.student is not None:
        return _how_to_send_student(request, request.student, agency)
    officer = agency.records_officer
    address = officer.mailing_address.replace("\n", ", ")
    keep = LAW["written_request_for_appeal"]
    lines = [f"How to send your request to {agency.name}", ""]
    if request.delivery == "email":
        lines += [
            "By email: open email.eml. Your mail program shows it as a draft addressed to "
            f"{officer.email}, with the letter in the message and letter.docx attached. Check "
            "it, then press Send.",
            "Keep the sent email. If you ever appeal, you will need it with its full headers.",
        ]
    elif request.delivery == "portal":
        lines += [
            f"Through the online portal: {officer.portal_url}",
            "Start a new public records request, paste the text of the letter (it is also in "
            "the message of email.eml, if there is one) and attach letter.docx. Write down the "
            "reference number the portal gives you (it looks like R004625-112326) and log it: "
            "recordskit log ID received --on DATE --tracking NUMBER",
        ]
    elif request.delivery == "mail":
        lines += [
            f"By mail to: {officer.title}, {officer.office + ', ' if officer.office else ''}"
            f"{agency.name}, {address}",
            "Print letter.docx, sign it, and keep a copy. Certified mail with a return receipt "
            "gives you proof of the day it arrived; when you know it, log it: "
            "recordskit log ID received --on DATE",
        ]
    else:
        lines += [
            f"By hand to: {officer.title}, {officer.office + ', ' if officer.office else ''}"
            f"{agency.name}, {address}",
            "Print two copies of letter.docx. Ask the office to stamp the date of receipt on "
            "one copy, and keep it.",
        ]
    if not has_email_draft:
        lines += ["", f"The directory has no verified email address for {agency.short_name}, so "
                  "recordskit made no email draft. Ways it takes requests: "
                  + ", ".join(agency.delivery) + "."]
    lines += ["", f"Keep a copy of what you send: {keep.statement} ({keep.citation}).",
              f"Sent on {long_date(request.sent_on)}: the schedule counts from there."]
    return "\n".join(lines) + "\n"


def _how_to_send_student(request: Request, student: Student, agency: Agency) -> str:
    officer = agency.records_officer
    school = student.school
    copy_to = officer.email or officer.mailing_address.replace("\n", ", ")
    how = {
        "email": f"Email letter.docx (or its text) to the principal of {school}; the school's "
                 "main office can give you the principal's email address.",
        "mail": f"Print letter.docx, sign it, and mail it to the principal of {school}.",
        "hand": f"Print two copies of letter.docx and bring them to the main office of {school}. "
                "Ask the office to write the date it received the letter on one copy, and keep "
                "it.",
    }.get(request.delivery, "")
    lines = [
        f"How to send your request for {student.name}'s student record", "",
        how,
        f"Send a copy to the {officer.office} of {agency.name}: {copy_to}.",
        "Keep a copy of what you send and the date you sent it. The school's 10 days count "
        "from then.",
    ]
    if agency.family_helpline:
        lines += ["", agency.family_helpline + "."]
    return "\n".join(lines) + "\n"


def write_with_pdfs(folder: Path, files: dict[str, bytes], *, force: bool,
                    pdf_of: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Write ``files``, then PDFs of the DOCX files named in ``pdf_of``; return the PDFs.

    The PDFs come after the rest, so a missing LibreOffice costs nothing but the PDFs (its
    error says how to install it); existing PDFs stop everything up front, as other files do.
    """
    from recordskit.errors import OutputExistsError
    from recordskit.files import write_folder

    taken = [name for name in (Path(n).with_suffix(".pdf").name for n in pdf_of)
             if (folder / name).exists()]
    if taken and not force:
        raise OutputExistsError(f"{folder}: already holds {', '.join(taken)}; nothing was "
                                "written. Add --force to replace them.")
    write_folder(folder, files, force=force)
    if not pdf_of:
        return {}
    pdfs = to_pdf({name: files[name] for name in pdf_of})
    write_folder(folder, pdfs, force=True)
    return pdfs


def libreoffice() -> str | None:
    """The LibreOffice command, when it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(documents: dict[str, bytes]) -> dict[str, bytes]:
    """DOCX documents as PDFs, by LibreOffice: ``letter.docx`` gives ``letter.pdf``.

    Each call uses its own LibreOffice profile, so parallel conversions never collide.
    """
    command = libreoffice()
    if command is None:
        raise UserError(PDF_HELP)
    with tempfile.TemporaryDirectory(prefix="recordskit-pdf-") as scratch:
        work = Path(scratch)
        for name, data in documents.items():
            (work / name).write_bytes(data)
        profile = (work / "profile").as_uri()
        try:
            result = subprocess.run(  # noqa: S603 (a fixed program and our own files)
                [command, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                 "--convert-to", "pdf", "--outdir", str(work / "pdf"),
                 *(str(work / name) for name in documents)],
                capture_output=True, text=True, timeout=PDF_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired:
            raise UserError(f"LibreOffice took longer than {PDF_TIMEOUT_SECONDS} s to make the "
                            "PDF; the DOCX files were written") from None
        pdfs = {}
        for name in documents:
            pdf = work / "pdf" / (Path(name).stem + ".pdf")
            if not pdf.exists():
                detail = (result.stderr or result.stdout).strip()[-300:]
                raise UserError(f"LibreOffice could not convert {name} to PDF ({detail}); the "
                                "DOCX files were written")
            pdfs[pdf.name] = pdf.read_bytes()
        return pdfs
