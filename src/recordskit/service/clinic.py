"""A clinic's work beside the request log: staff accounts, families' intake links, the staff
queue (review, produce, mark sent), retention and the audit trail. Every front end (the
``staff``, ``intake`` and ``clinic`` commands; ``serve --clinic``) calls these."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from recordskit.clinic import accounts, intakes
from recordskit.clinic.accounts import Role, Staff, StaffSession
from recordskit.clinic.audit import AuditEntry, entries, now
from recordskit.clinic.intakes import Intake, IntakeStatus, NewLink, Purged
from recordskit.documents.make import MadeRequest, make_request
from recordskit.errors import FieldError, InputFileError, UserError
from recordskit.i18n import _
from recordskit.intake.answers import answers_yaml, load_answers, request_from
from recordskit.service.requests import default_folder
from recordskit.service.workspace import Workspace
from recordskit.text import written_date


def add_staff(workspace: Workspace, name: str, password: str, *, admin: bool = False,
              by: str, at: datetime | None = None) -> Staff:
    """A new staff account (an admin also manages accounts and retention)."""
    return accounts.add_staff(workspace.log, name, password,
                              role=Role.ADMIN if admin else Role.STAFF, by=by, at=at or now())


def staff_accounts(workspace: Workspace) -> list[Staff]:
    return accounts.staff_list(workspace.log) if workspace.log.exists() else []


def set_staff_password(workspace: Workspace, name: str, password: str, *, by: str) -> None:
    accounts.set_password(workspace.log, name, password, by=by, at=now())


def set_staff_active(workspace: Workspace, name: str, active: bool, *, by: str) -> None:
    accounts.set_active(workspace.log, name, active, by=by, at=now())


def sign_in(workspace: Workspace, name: str, password: str) -> StaffSession:
    return accounts.sign_in(workspace.log, name, password, at=now())


def staff_session(workspace: Workspace, token: str) -> StaffSession | None:
    return accounts.session_of(workspace.log, token, at=now())


def sign_out(workspace: Workspace, token: str) -> None:
    accounts.sign_out(workspace.log, token, at=now())


def make_intake_link(workspace: Workspace, *, by: str, language: str = "", label: str = "",
                     days: int = intakes.LINK_DAYS) -> NewLink:
    """A new intake and the secret of its link (shown once, never kept)."""
    return intakes.make_link(workspace.log, by=by, at=now(), language=language, label=label,
                             days=days)


def intake_queue(workspace: Workspace, status: IntakeStatus | None = IntakeStatus.SUBMITTED
                 ) -> list[Intake]:
    return intakes.intakes(workspace.log, status) if workspace.log.exists() else []


def intakes_of_request(workspace: Workspace, request_id: str) -> list[Intake]:
    return intakes.intakes_of_request(workspace.log, request_id)


def find_intake(workspace: Workspace, intake_id: str) -> Intake:
    return intakes.intake_by_id(workspace.log, intake_id)


def intake_by_link(workspace: Workspace, token: str) -> Intake:
    return intakes.intake_by_link(workspace.log, token, at=now())


def save_intake_answers(workspace: Workspace, token: str, answers: Mapping[str, Any]) -> None:
    intakes.save_answers(workspace.log, token, answers, at=now())


def submit_intake(workspace: Workspace, token: str) -> None:
    intakes.submit(workspace.log, token, workspace.directory, at=now())


def edit_intake(workspace: Workspace, intake_id: str, answers: Mapping[str, Any], *,
                by: str) -> None:
    intakes.edit_answers(workspace.log, intake_id, answers, by=by, at=now())


def intake_answers_file(workspace: Workspace, intake_id: str) -> str:
    """A submitted intake's answers as an answers file (YAML), for staff to correct."""
    found = intakes.intake_by_id(workspace.log, intake_id)
    try:
        return answers_yaml(request_from(found.answers, workspace.directory))
    except InputFileError:  # not a complete request yet: the answers as they are
        return str(yaml.safe_dump(found.answers, allow_unicode=True, sort_keys=False))


def edit_intake_from_file(workspace: Workspace, intake_id: str, path: Path, *, by: str
                          ) -> None:
    """Replace a submitted intake's answers with an answers file's, checked as ``new
    --answers`` checks one (each problem named by its line)."""
    request = load_answers(path, workspace.directory)
    intakes.edit_answers(workspace.log, intake_id, json.loads(request.stored()), by=by,
                         at=now())


@dataclass(frozen=True)
class ProducedIntake:
    intake: Intake
    made: MadeRequest
    folder: Path


def produce_intake(workspace: Workspace, intake_id: str, parent: Path, *, by: str,
                   allow_personal_details: bool = False, pdf: bool = False) -> ProducedIntake:
    """Make the request a submitted intake asks for, as ``new --answers`` would, in a folder
    of its own under ``parent``, dated today; log it by ``by``; mark the intake produced
    (audited)."""
    intake = intakes.intake_by_id(workspace.log, intake_id)
    if intake.status != IntakeStatus.SUBMITTED:
        raise intakes.intake_not_waiting(intake_id)
    directory = workspace.directory
    request = request_from(intake.answers, directory)
    # The clinic sends the letter, so it is dated the day staff make it, whatever day the
    # family had in mind (a date she gave weeks ago would already be late)
    request = request.model_copy(update={"sent_on": workspace.today})
    if intake.language and not request.language:
        request = request.model_copy(update={"language": intake.language})
    folder = default_folder(request, parent)
    known = workspace.log.requests_named([request.fingerprint()])
    if (earlier := known.get(request.fingerprint())) is not None:
        # The same answers on the same day make the same request: two families asking one
        # letter (a clinic filing in its own name). It is never made twice, nor moved.
        raise intakes.same_request(intake_id, earlier.id, earlier.folder)
    # The family's files (her summary, her dates) are in her language, the request's own,
    # whoever produces them
    made = make_request(request, directory, folder, log=workspace.log, by=by, pdf=pdf,
                        allow_personal_details=allow_personal_details, today=workspace.today)
    intakes.mark_produced(workspace.log, intake_id, made.request_id, str(folder.resolve()),
                          by=by, at=now())
    return ProducedIntake(intakes.intake_by_id(workspace.log, intake_id), made, folder)


@dataclass(frozen=True)
class SentIntake:
    """A produced intake's letter, marked sent: the day it is dated (its deadlines count from
    it) and the day it went."""

    dated: date
    sent_on: date

    @property
    def late(self) -> bool:
        """Whether it went after the day it is dated: its deadlines, counted from that day,
        are then earlier than the law's, until the agency's receipt is logged."""
        return self.sent_on > self.dated


def mark_intake_sent(workspace: Workspace, intake_id: str, *, by: str,
                     sent_on: date | None = None) -> SentIntake:
    """Mark a produced intake's letter sent on ``sent_on`` (by default today; audited). A day
    after today, or before the letter was made, is refused."""
    intake = intakes.intake_by_id(workspace.log, intake_id)
    if intake.status != IntakeStatus.PRODUCED or not intake.request_id:
        raise UserError(_("intake {id} has not been produced yet").format(id=intake_id))
    dated = workspace.log.get(intake.request_id).request.sent_on
    went = sent_on or workspace.today
    if went > workspace.today:
        raise FieldError(_("The day the letter went cannot be after today ({today}).").format(
            today=written_date(workspace.today)), field="sent_on")
    if went < dated:
        raise FieldError(_("The letter was made on {dated}: it cannot have gone before.").format(
            dated=written_date(dated)), field="sent_on")
    intakes.mark_sent(workspace.log, intake_id, by=by, at=now(), sent_on=went)
    return SentIntake(dated, went)


def purge_intakes(workspace: Workspace, *, unsubmitted_days: int, submitted_days: int,
                  by: str) -> Purged:
    return intakes.purge(workspace.log, unsubmitted_days=unsubmitted_days,
                         submitted_days=submitted_days, by=by, at=now())


def audit_trail(workspace: Workspace, *, limit: int = 200) -> list[AuditEntry]:
    return entries(workspace.log, limit=limit) if workspace.log.exists() else []
