"""The pages of ``recordskit serve``: a request from nothing to the appeal, in a browser.

Plain HTML forms that work without JavaScript, rendered on the server in the person's
language. Each form's fields are named after the answers-file keys (``agency``, ``records``,
``requester.email`` …), so a page posts what ``recordskit new --answers`` reads, and the same
check serves both. Every call into the library goes through ``recordskit.web.library``.

Handlers are ``async`` and call the library without awaiting in between: the library speaks
one language at a time (``set_language``), and one event loop runs one page at a time, so the
language a page set is the one its words are in.
"""

from __future__ import annotations

import copy
import io
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from recordskit.errors import FieldError, UserError
from recordskit.i18n import _, languages, set_language
from recordskit.limits import LIMITS
from recordskit.service import iso_day
from recordskit.web import library, words
from recordskit.web.clinic import ClinicGate, ClinicPages
from recordskit.web.guard import (
    SESSION_KEY,
    Door,
    Guard,
    Scope,
    Session,
    Sessions,
    TooLarge,
    forget_cookie,
)

HERE = Path(__file__).resolve().parent
PAGE_LANGUAGES = ("en", "es", "ht")


@dataclass(frozen=True)
class WebConfig:
    """How the server runs: where requests are written, the directory and log, the token."""

    folder: Path
    agencies_path: Path | None = None
    database_url: str = ""
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = 8765
    hosts: frozenset[str] = frozenset({"127.0.0.1", "localhost"})
    today: Callable[[], date] = date.today
    clinic: bool = False
    """A clinic's server (``serve --clinic``): families by their intake links, staff by
    signing in; see ``recordskit.web.clinic``."""


# The interview's pages, each with the answers-file keys its form posts.
FIELDS: dict[str, tuple[str, ...]] = {
    "agency": ("agency",),
    "records": ("records", "other_records", "date_from", "date_to"),
    "student": ("student.name", "student.school", "student.grade", "custody"),
    "requester": ("requester.name", "requester.organization", "requester.email",
                  "requester.mailing_address", "requester.phone"),
    "sending": ("delivery", "send_to", "sent_on", "fee_waiver", "max_fee", "format"),
}
PUBLIC_PAGES, STUDENT_PAGES = library.PUBLIC_PAGES, library.STUDENT_PAGES
SCANNED = {"records": ("other_records",),
           "requester": ("requester.name", "requester.organization",
                         "requester.mailing_address")}
"""The answers the privacy guard reads, by the page that asks them."""
PLACEHOLDER_EMAIL = "placeholder@example.org"


class Site:
    """The application's state: configuration, workspace, sessions and templates."""

    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self.sessions = Sessions()
        self.door = Door(config.token, config.hosts, config.port, clinic=config.clinic)
        self.cookie_for: Callable[[Session], str] = lambda _session: ""
        """The cookie header of a session (the guard signs it; set when the guard is made)."""
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(default=True), auto_reload=False)
        self.env.filters["boston"] = library.moment_words
        self.env.globals.update(_=_, day=library.day_words, state=words.state_words,
                                step=words.next_step_words, event=words.event_words,
                                situation=words.situation_words,
                                privacy_notice=words.privacy_notice,
                                reply_kind=words.reply_kind_words)
        self.ws = library.open_workspace(agencies_path=config.agencies_path,
                                         database_url=config.database_url,
                                         folder=config.folder, today=config.today)

    def render(self, name: str, lang: str, *, status: int = 200, session: Session | None = None,
               **context: Any) -> HTMLResponse:
        set_language(lang)
        context.setdefault("staff", None)
        body = self.env.get_template(name).render(
            lang=lang, session=session, csrf=session.csrf if session else "",
            language_names=languages(), clinic=self.config.clinic,
            family=bool(session and session.intake), **context)
        return HTMLResponse(body, status_code=status)

    def forget_cookie(self) -> str:
        return forget_cookie(secure=self.config.clinic)


def create_app(config: WebConfig) -> Guard:
    """The whole application: the pages behind the guard (token, host, CSRF, headers)."""
    site = Site(config)
    pages = Pages(site)
    routes = [
        Route("/", pages.home),
        Route("/language", pages.language, methods=["GET", "POST"]),
        Route("/new", pages.kind, methods=["GET", "POST"]),
        Route("/new/privacy", pages.privacy, methods=["GET", "POST"]),
        Route("/new/review", pages.review, methods=["GET"]),
        Route("/new/write", pages.write, methods=["POST"]),
        Route("/new/{step}", pages.step, methods=["GET", "POST"]),
        Route("/requests", pages.requests, methods=["GET"]),
        Route("/requests/open", pages.open_request, methods=["POST"]),
        Route("/requests/{id}", pages.request_page, methods=["GET"]),
        Route("/requests/{id}/answered", pages.answered, methods=["GET", "POST"]),
        Route("/requests/{id}/reply", pages.reply, methods=["POST"]),
        Route("/requests/{id}/reply/check", pages.reply_check, methods=["GET", "POST"]),
        Route("/requests/{id}/followup", pages.followup, methods=["GET", "POST"]),
        Route("/requests/{id}/appeal", pages.appeal, methods=["GET", "POST"]),
        Route("/requests/{id}/appealed", pages.appealed, methods=["POST"]),
        Route("/requests/{id}/close", pages.close, methods=["POST"]),
        Route("/requests/{id}/undo", pages.undo, methods=["POST"]),
        Route("/requests/{id}/calendar.ics", pages.calendar, methods=["GET"]),
        Route("/requests/{id}/files/{path:path}", pages.download, methods=["GET"]),
        Route("/forget", pages.forget, methods=["POST"]),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        session = request.scope.get(SESSION_KEY)
        return pages.error(request, session, status)

    if config.clinic:
        staff = ClinicPages(pages, read_form)
        routes[:0] = [
            Route("/i/{secret}", staff.link, methods=["GET"]),
            Route("/submitted", staff.submitted, methods=["GET"]),
            Route("/staff/signin", staff.signin, methods=["GET", "POST"]),
            Route("/staff/signout", staff.signout, methods=["POST"]),
            Route("/staff", staff.home, methods=["GET"]),
            Route("/staff/links", staff.make_link, methods=["POST"]),
            Route("/staff/requests", staff.requests, methods=["GET"]),
            Route("/staff/intakes/{id}", staff.intake, methods=["GET"]),
            Route("/staff/intakes/{id}/produce", staff.produce, methods=["POST"]),
            Route("/staff/intakes/{id}/edit", staff.edit, methods=["POST"]),
            Route("/staff/produce", staff.produce_checked, methods=["POST"]),
            Route("/staff/accounts", staff.accounts, methods=["GET", "POST"]),
            Route("/staff/accounts/{switch:str}", staff.account_switch, methods=["POST"]),
            Route("/staff/audit", staff.audit, methods=["GET"]),
            Route("/staff/intakes/{id}/sent", staff.sent, methods=["POST"]),
        ]
    app: Any = Starlette(routes=routes, exception_handlers={HTTPException: http_error})

    async def refuse(scope: Scope, status: int, reason: str) -> tuple[bytes, str]:
        lang = accepted_language(_header(scope, "accept-language"))
        set_language(lang)  # before the words are chosen
        response = site.render("error.html", lang, status=status, bare=True,
                               title=_error_title(status),
                               message=_error_message(status, clinic=config.clinic))
        return bytes(response.body), "text/html; charset=utf-8"

    if config.clinic:
        app = ClinicGate(app, site.ws, refuse)
    guard = Guard(app, site.door, site.sessions, refuse)
    site.cookie_for = guard.cookie
    return guard


def _header(scope: Scope, name: str) -> str:
    for key, value in scope.get("headers", []):
        if key.decode("latin-1").lower() == name:
            return str(value.decode("latin-1"))
    return ""


def accepted_language(header: str) -> str:
    """The page language the browser prefers (Accept-Language), else English."""
    ranked = []
    for index, part in enumerate(header.split(",")):
        tag, _sep, rest = part.strip().partition(";")
        quality = 1.0
        if rest.strip().startswith("q="):
            try:
                quality = float(rest.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip().split("-")[0].lower()))
    for _q, _i, code in sorted(ranked):
        if code in PAGE_LANGUAGES:
            return code
    return "en"


def _error_title(status: int) -> str:
    return {400: _("This address is not this server's"),
            403: _("This page cannot be opened here"),
            404: _("This page does not exist"),
            413: _("What you sent is too long")}.get(status, _("Something went wrong"))


def _error_message(status: int, *, clinic: bool = False) -> str:
    if clinic and status in (400, 403):  # no address was printed to a family or to staff
        return _("A family: open the link the clinic gave you again. Staff: sign in again "
                 "at the clinic's address, followed by /staff.")
    return {400: _("Open recordskit at the address it printed when it started."),
            403: _("Open recordskit at the address it printed when it started: it has a key "
                   "in it. If you used this page before, the page was closed or it timed out: "
                   "start again from that address."),
            404: _("Go back to the start page."),
            413: _("Write less in one answer, and try again.")}.get(
        status, _("Nothing was changed. Go back and try again."))


class Pages:
    """Every page, as handlers of Starlette requests."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.ws = site.ws

    # -- shared ------------------------------------------------------------------------------

    def lang(self, request: Request, session: Session) -> str:
        return session.language or accepted_language(request.headers.get("accept-language", ""))

    def page(self, request: Request, name: str, *, status: int = 200, **context: Any
             ) -> HTMLResponse:
        session = _session(request)
        lang = self.lang(request, session)
        notice, session.notice = session.notice, ""
        # On a clinic's server, every page a staff member opens shows the staff's menu
        context.setdefault("staff", request.scope.get("recordskit.staff"))
        return self.site.render(name, lang, status=status, session=session, notice=notice,
                                **context)

    def speak(self, request: Request) -> Session:
        session = _session(request)
        set_language(self.lang(request, session))
        return session

    def error(self, request: Request, session: Session | None, status: int) -> HTMLResponse:
        lang = self.lang(request, session) if session else accepted_language(
            request.headers.get("accept-language", ""))
        set_language(lang)  # before the words are chosen
        return self.site.render("error.html", lang, status=status, session=session,
                                bare=session is None, title=_error_title(status),
                                message=_error_message(status, clinic=self.site.config.clinic))

    # -- start -------------------------------------------------------------------------------

    async def home(self, request: Request) -> Response:
        session = _session(request)
        if not session.language:
            return RedirectResponse("/language", 303)
        return self.page(request, "home.html")

    async def language(self, request: Request) -> Response:
        session = _session(request)
        if request.method == "POST":
            form = await read_form(request, session)
            self.speak(request)
            chosen = form.get("language", "")
            if chosen in PAGE_LANGUAGES:
                session.language = chosen
                return RedirectResponse("/", 303)
            return self.page(request, "language.html", status=400, chosen="",
                             errors=[("language", _("Choose a language"))])
        return self.page(request, "language.html", chosen=self.lang(request, session), errors=[])

    # -- the interview -----------------------------------------------------------------------

    async def kind(self, request: Request) -> Response:
        session = _session(request)
        if request.method == "POST":
            form = await read_form(request, session)
            self.speak(request)
            chosen = form.get("kind", "")
            if chosen not in ("public_records", "student_parent", "student_self"):
                return self.page(request, "kind.html", status=400, chosen="",
                                 errors=[("kind", _("Choose what you want to ask for"))])
            if chosen == "public_records":
                fresh: dict[str, Any] = {}
            else:
                fresh = {"request_type": "student_records", "agency": "bps",
                         "requester_role": "parent" if chosen == "student_parent"
                         else "eligible_student"}
            if _kind_of(session.answers) != chosen:
                session.answers, session.done, session.kept = fresh, set(), set()
                session.past_ok = False
            return RedirectResponse(f"/new/{_pages(session)[0]}", 303)
        return self.page(request, "kind.html", chosen=request.query_params.get(
            "kind", _kind_of(session.answers)), errors=[])

    async def step(self, request: Request) -> Response:
        session = _session(request)
        name = request.path_params["step"]
        if not session.answers and name != "agency":
            if name not in FIELDS:
                raise HTTPException(404)
            return RedirectResponse("/new", 303)
        if name not in _pages(session):
            raise HTTPException(404)
        if request.method == "GET":
            return self.step_page(request, name, session.answers, [])
        form = await read_form(request, session)
        self.speak(request)
        answers = copy.deepcopy(session.answers)
        old_agency = answers.get("agency")
        keys = FIELDS[name]
        by_clinic: dict[str, Any] = {}
        if name == "sending" and session.intake:
            by_clinic = _sent_by_clinic(answers, self.ws)
            keys = tuple(key for key in keys if key not in by_clinic)
        _merge(answers, form, keys)
        answers.update(by_clinic)
        if name == "agency" and old_agency not in (None, answers.get("agency")):
            for key in ("records", "delivery", "send_to"):  # they go with the agency
                answers.pop(key, None)
            session.done -= {"records", "sending"}
        problems = self.problems(answers, session, name)
        ask_past = False
        if not problems and name == "sending" and not by_clinic:
            request_made, _p = library.check_answers(_final(answers, session), self.ws)
            if request_made is not None:
                check = library.sending_check(request_made, self.ws)
                if check.passed_due is not None and form.get("confirm_past") != "yes":
                    ask_past = True
                    problems = [library.Problem("sent_on", _(
                        "A letter sent on {date} was due an answer by {due}, which has passed. "
                        "Is that really the day it was sent?").format(
                            date=library.day_words(request_made.sent_on),
                            due=library.day_words(check.passed_due)))]
        if problems:
            return self.step_page(request, name, answers, problems, status=400,
                                  ask_past=ask_past)
        if session.intake and not library.save_intake(self.ws, session.intake, answers):
            # Her link expired, or she submitted already: what she sent, nothing changed
            return RedirectResponse("/submitted", 303)
        session.answers = answers
        session.done.add(name)
        if name == "sending":
            session.past_ok = form.get("confirm_past") == "yes"
        following = self.next_page(session, name)
        if _findings(session, self.ws):
            session.after_privacy = following
            return RedirectResponse("/new/privacy", 303)
        return RedirectResponse(following, 303)

    def next_page(self, session: Session, name: str) -> str:
        pages = _pages(session)
        if all(p in session.done for p in pages):
            return "/new/review"
        later = pages[pages.index(name) + 1:]
        return f"/new/{next((p for p in later if p not in session.done), pages[0])}"

    def problems(self, answers: dict[str, Any], session: Session, name: str
                 ) -> list[library.Problem]:
        """The problems of the pages up to this one, the later ones' answers stood in for."""
        pages = _pages(session)
        upto = pages[: pages.index(name) + 1]
        trial = _with_placeholders(answers, session, upto, self.ws)
        _made, problems = library.check_answers(trial, self.ws)
        shown = []
        for problem in problems:
            where = _page_of(problem.field)
            if where is None and name == "sending" and _paper_without_address(answers):
                # said in the family's words, beside the choice, below
                continue
            if where is None or where in upto:
                key = _root_field(answers, name) if not problem.field else _field_id_key(
                    problem.field, name)
                shown.append(library.Problem(key, problem.message))
        if name == "sending" and _paper_without_address(answers):
            shown.append(library.Problem("format", _(
                "Paper copies need a mailing address: give one under Who is asking.")))
        if name == "sending" and self.needs_address(answers):
            shown = [p for p in shown if p.field not in ("delivery", "send_to")]
            shown.append(library.Problem("send_to", _(
                "Give the address to send it to, for the way you chose: recordskit's directory "
                "has none for it.")))
        return [_own_field(problem) for problem in shown]

    def needs_address(self, answers: dict[str, Any]) -> bool:
        """A way of sending the directory has no address for, and none given."""
        if answers.get("request_type") == "student_records" or str(
                answers.get("send_to") or "").strip() or not answers.get("delivery"):
            return False
        agency = next((a for a in library.agencies(self.ws) if a.id == answers.get("agency")),
                      None)
        return agency is not None and answers["delivery"] in agency.other_channels

    def step_page(self, request: Request, name: str, answers: dict[str, Any],
                  problems: list[library.Problem], *, status: int = 200, ask_past: bool = False
                  ) -> HTMLResponse:
        session = self.speak(request)
        agency = None
        if answers.get("agency"):
            agency = next((a for a in library.agencies(self.ws) if a.id == answers["agency"]),
                          None)
        return self.page(
            request, f"step_{name}.html", status=status, answers=answers,
            value=lambda key: _value(answers, key), errors=[(p.field, p.message)
                                                             for p in problems],
            error_of=_errors_by_field(problems), agencies=library.agencies(self.ws),
            agency=agency, student=answers.get("request_type") == "student_records",
            parent=answers.get("requester_role") == "parent", ask_past=ask_past,
            today=self.ws.today.isoformat(), step=name, pages=_pages(session),
            by_clinic=_sent_by_clinic(answers, self.ws) if session.intake else {})

    async def privacy(self, request: Request) -> Response:
        session = _session(request)
        if request.method == "POST":
            form = await read_form(request, session)
            self.speak(request)
            found = _findings(session, self.ws)
            if found:
                finding = found[0]
                choice = form.get("choice", "")
                if choice not in ("remove", "keep", "edit"):
                    return self.page(request, "privacy.html", status=400, finding=finding,
                                     text=_value(session.answers, finding.field),
                                     errors=[("choice", _("Choose what should happen to it"))])
                text = _value(session.answers, finding.field)
                if choice == "remove":
                    text = " ".join(text.replace(finding.excerpt, "").split())
                elif choice == "keep":
                    session.kept.add(finding.excerpt)
                else:
                    text = form.get("text", text)
                _set(session.answers, finding.field, text)
            return RedirectResponse("/new/privacy", 303)
        self.speak(request)
        found = _findings(session, self.ws)
        if not found:
            following, session.after_privacy = session.after_privacy or "/new/review", ""
            return RedirectResponse(following, 303)
        return self.page(request, "privacy.html", finding=found[0],
                         text=_value(session.answers, found[0].field), errors=[])

    async def review(self, request: Request) -> Response:
        session = self.speak(request)
        if not session.answers:
            return RedirectResponse("/new", 303)
        pages = _pages(session)
        missing = next((p for p in pages if p not in session.done), None)
        if missing:
            return RedirectResponse(f"/new/{missing}", 303)
        made, problems = library.check_answers(_final(session.answers, session), self.ws)
        if made is None:
            first = next((_page_of(p.field) for p in problems if _page_of(p.field)), pages[-1])
            return self.step_page(request, first or pages[-1], session.answers, problems,
                                  status=400)
        check = library.sending_check(made, self.ws)
        by_clinic = bool(session.intake or session.editing)  # the clinic dates and sends it
        return self.page(request, "review.html",
                         summary=library.review_text(made, self.ws, by_clinic=by_clinic),
                         closed=check.closed, pages=pages, errors=[],
                         student=made.request_type == "student_records")

    async def write(self, request: Request) -> Response:
        session = _session(request)
        await read_form(request, session)
        self.speak(request)
        made, _problems = library.check_answers(_final(session.answers, session), self.ws)
        if made is None or any(p not in session.done for p in _pages(session)):
            return RedirectResponse("/new/review", 303)
        if _findings(session, self.ws):
            session.after_privacy = "/new/review"
            return RedirectResponse("/new/privacy", 303)
        if session.editing:  # a clinic's staff correcting an intake: the answers go back to it
            intake_id = session.editing
            try:
                library.edit_intake(self.ws, intake_id, _final(session.answers, session))
            except UserError as refused:
                session.notice = str(refused)
            else:
                session.notice = _("The corrected answers are saved.")
            session.answers, session.done, session.kept = {}, set(), set()
            session.editing = session.editing_language = ""
            return RedirectResponse(f"/staff/intakes/{intake_id}", 303)
        if session.intake:  # a clinic's family: her answers go to the staff, who produce it
            if not (library.save_intake(self.ws, session.intake, _final(session.answers, session))
                    and library.submit_intake(self.ws, session.intake)):
                raise HTTPException(403)
            session.answers, session.done, session.kept = {}, set(), set()
            return RedirectResponse("/submitted", 303)
        request_id = library.make(made, self.ws, past=session.past_ok)
        if request_id not in session.requests:
            session.requests.append(request_id)
        session.answers, session.done, session.kept = {}, set(), set()
        session.notice = _("Your letter and your dates are ready.")
        return RedirectResponse(f"/requests/{request_id}", 303)

    # -- after it is sent --------------------------------------------------------------------

    async def requests(self, request: Request) -> Response:
        self.speak(request)
        session = _session(request)
        return self.page(request, "requests.html", rows=library.rows(self.ws, session.requests),
                         errors=[], typed="")

    async def open_request(self, request: Request) -> Response:
        session = _session(request)
        form = await read_form(request, session)
        self.speak(request)
        typed = form.get("id", "").strip().lower()
        found = ""
        # The whole number, never a beginning of one: on a shared computer a short guess
        # must not open another family's request.
        if re.fullmatch(r"[0-9a-f]{10}", typed):
            found = library.find(self.ws, typed)
            found = found if found == typed else ""
        if not found:
            return self.page(request, "requests.html", status=400,
                             rows=library.rows(self.ws, session.requests), typed=typed,
                             errors=[("id", _("No request has that number on this computer. "
                                              "Check it on your summary."))])
        if found not in session.requests:
            session.requests.append(found)
        return RedirectResponse(f"/requests/{found}", 303)

    def owned(self, request: Request) -> tuple[Session, str]:
        session = self.speak(request)
        request_id = request.path_params["id"]
        if request.scope.get("recordskit.staff") is not None:  # a clinic's staff: every request
            if not re.fullmatch(r"[0-9a-f]{10}", request_id) or library.find(
                    self.ws, request_id) != request_id:
                raise HTTPException(404)
            return session, request_id
        if request_id not in session.requests:
            raise HTTPException(404)
        return session, request_id

    async def request_page(self, request: Request) -> Response:
        _s, request_id = self.owned(request)
        shown = library.view(self.ws, request_id)
        staff = request.scope.get("recordskit.staff") is not None
        return self.page(request, "request.html", view=shown,
                         files=_files_of(shown.folder), errors=[],
                         today=self.ws.today.isoformat(),
                         from_intakes=library.intakes_of_request(self.ws, request_id)
                         if staff else [])

    async def answered(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        shown = library.view(self.ws, request_id)
        values = {"on": self.ws.today.isoformat()}
        if request.method == "POST":
            form = await read_form(request, session)
            self.speak(request)
            values = dict(form)
            meaning = form.get("meaning", "")
            error: tuple[str, str] | None = None
            if meaning not in {m[0] for m in words.MEANINGS}:
                error = ("meaning", _("Choose what the agency answered"))
            else:
                try:
                    library.record_answer(self.ws, request_id, meaning, form)
                except FieldError as exc:
                    error = (_answer_field(exc.field), words.sentence(str(exc)))
                except UserError as exc:
                    error = ("meaning", words.sentence(str(exc)))
            if error is None:
                session.notice = _("Saved. Your dates and your next step are updated.")
                return RedirectResponse(f"/requests/{request_id}", 303)
            return self.page(request, "answered.html", status=400, view=shown, values=values,
                             errors=[error], error_of=dict([error]),
                             meanings=words.meanings())
        return self.page(request, "answered.html", view=shown, values=values, errors=[],
                         error_of={}, meanings=words.meanings())

    # -- the agency's email, pasted or uploaded ---------------------------------------------

    async def reply(self, request: Request) -> Response:
        """Read the pasted or uploaded email; hold it (in this session's memory only) until
        she confirms or refuses what it calls for."""
        session, request_id = self.owned(request)
        form, upload = await read_upload(request, session)
        self.speak(request)
        shown = library.view(self.ws, request_id)
        text = form.get("text", "")
        error: tuple[str, str] | None = None
        held: library.Reply = None
        if upload is not None and upload.filename:
            if not upload.filename.lower().endswith((".eml", ".txt")):
                error = ("file", _("Choose the email saved as a file ending in .eml or .txt"))
            else:
                try:
                    held = library.read_reply(upload.file, upload.filename)
                except UserError as exc:
                    error = ("file", _("recordskit cannot read this file: {reason}").format(
                        reason=str(exc)))
        elif text.strip():
            try:
                held = library.read_reply(io.BytesIO(text.encode("utf-8")), "pasted")
            except UserError as exc:
                error = ("text", _("recordskit cannot read this text: {reason}").format(
                    reason=str(exc)))
        else:
            error = ("text", _("Paste the agency's email, or choose the file you saved it in"))
        if held is not None and error is None:
            try:
                library.check_reply(self.ws, request_id, held, "")
            except UserError as exc:
                error = ("text", words.sentence(str(exc)))
        if error is not None or held is None:
            error = error or ("text", _("Paste the agency's email, or choose the file you "
                                        "saved it in"))
            return self.page(request, "answered.html", status=400, view=shown,
                             values={"on": self.ws.today.isoformat()}, errors=[error],
                             error_of={}, reply_errors=dict([error]), reply_text=text,
                             meanings=words.meanings())
        session.reply = PendingReply(request_id, held)
        return RedirectResponse(f"/requests/{request_id}/reply/check", 303)

    async def reply_check(self, request: Request) -> Response:
        """What recordskit read, to confirm, change or refuse event by event."""
        session, request_id = self.owned(request)
        pending = session.reply
        if not isinstance(pending, PendingReply) or pending.request_id != request_id:
            if request.method == "POST":
                await read_form(request, session)
            return RedirectResponse(f"/requests/{request_id}/answered#reply", 303)
        shown = library.view(self.ws, request_id)
        check = library.check_reply(self.ws, request_id, pending.reply, pending.kind)
        if request.method == "GET":
            return self.page(request, "reply.html", view=shown, check=check, values={},
                             errors=[], error_of={})
        form = await read_form(request, session)
        self.speak(request)
        action = form.get("action", "log")
        if action == "refuse":
            session.reply = None
            session.notice = _("Nothing was logged, and the reply was not kept.")
            return RedirectResponse(f"/requests/{request_id}", 303)
        kind = form.get("kind", "")
        if kind not in words.REPLY_KINDS:
            if not check.kind:
                error = ("kind", _("Choose what the email says, or log nothing"))
                return self.page(request, "reply.html", status=400, view=shown, check=check,
                                 values=dict(form), errors=[error], error_of=dict([error]))
            kind = check.kind
        if kind != check.kind or action != "log" or not check.events:
            pending.kind = kind
            return RedirectResponse(f"/requests/{request_id}/reply/check", 303)
        answers, errors = _confirmed(form, check)
        if not errors:
            try:
                kept = library.log_confirmed(self.ws, request_id, pending.reply, kind, answers)
            except UserError as exc:
                errors = [("kind", words.sentence(str(exc)))]
            else:
                session.reply = None
                session.notice = _("Nothing was logged, and the reply was not kept.") if (
                    not kept) else _("Saved. The agency's email is kept as it came, in the "
                                     "request's folder ({name}). Your dates and your next step "
                                     "are updated.").format(name=kept)
                return RedirectResponse(f"/requests/{request_id}", 303)
        return self.page(request, "reply.html", status=400, view=shown, check=check,
                         values=dict(form), errors=errors, error_of=dict(errors))

    async def followup(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        shown = library.view(self.ws, request_id)
        if request.method == "POST":
            await read_form(request, session)
            self.speak(request)
            try:
                made = library.followup(self.ws, request_id)
            except UserError as exc:
                return self.page(request, "followup.html", status=400, view=shown,
                                 errors=[("make", words.sentence(str(exc)))])
            session.notice = _("Your follow-up letter is ready. It asks for a reply by "
                               "{date}.").format(date=library.day_words(made.day)
                                                 if made.day else "")
            return RedirectResponse(f"/requests/{request_id}#files", 303)
        return self.page(request, "followup.html", view=shown, errors=[])

    async def appeal(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        shown = library.view(self.ws, request_id)
        if request.method == "POST":
            form = await read_form(request, session)
            self.speak(request)
            objection = form.get("objection", "")
            try:
                made = library.appeal(self.ws, request_id, objection)
            except UserError as exc:
                # The log may show no ground the law names (a denial citing an exemption):
                # then her own words are the appeal's ground.
                said = words.sentence(str(exc)) if objection.strip() else _(
                    "Write why you disagree with the answer: for example, that the records "
                    "are public and the reason the agency gave does not apply to them.")
                return self.page(request, "appeal.html", status=400, view=shown,
                                 objection=objection, errors=[("objection", said)])
            session.notice = _("Your appeal is ready. The last day to send it is "
                               "{date}.").format(date=library.day_words(made.day)
                                                 if made.day else "")
            return RedirectResponse(f"/requests/{request_id}#files", 303)
        return self.page(request, "appeal.html", view=shown, objection="", errors=[])

    async def appealed(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        form = await read_form(request, session)
        self.speak(request)
        try:
            library.record_appealed(self.ws, request_id, form)
        except UserError as exc:
            shown = library.view(self.ws, request_id)
            return self.page(request, "request.html", status=400, view=shown,
                             files=_files_of(shown.folder), today=form.get("on", ""),
                             errors=[("on", words.sentence(str(exc)))])
        session.notice = _("Saved. Your dates and your next step are updated.")
        return RedirectResponse(f"/requests/{request_id}", 303)

    async def close(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        await read_form(request, session)
        self.speak(request)
        library.close_request(self.ws, request_id)
        session.notice = _("The request is closed.")
        return RedirectResponse(f"/requests/{request_id}", 303)

    async def undo(self, request: Request) -> Response:
        session, request_id = self.owned(request)
        form = await read_form(request, session)
        self.speak(request)
        number = form.get("number", "")
        if not number.isdigit():
            raise HTTPException(400)
        try:
            library.undo(self.ws, request_id, int(number))
        except UserError as exc:
            session.notice = words.sentence(str(exc))
        else:
            session.notice = _("Undone. Your dates and your next step are counted again.")
        return RedirectResponse(f"/requests/{request_id}", 303)

    async def calendar(self, request: Request) -> Response:
        _s, request_id = self.owned(request)
        return Response(library.calendar(self.ws, request_id), media_type="text/calendar",
                        headers={"content-disposition":
                                 f'attachment; filename="request-{request_id}.ics"'})

    async def download(self, request: Request) -> Response:
        _s, request_id = self.owned(request)
        shown = library.view(self.ws, request_id)
        path = _file_in(shown.folder, request.path_params["path"])
        if path is None:
            raise HTTPException(404)
        return FileResponse(path, filename=path.name, media_type=_media_type(path.name),
                            content_disposition_type="attachment")

    async def forget(self, request: Request) -> Response:
        session = _session(request)
        await read_form(request, session)
        lang = self.lang(request, session)
        self.site.sessions.forget(session.id)
        response = self.site.render("forgotten.html", lang, bare=True)
        response.headers["set-cookie"] = self.site.forget_cookie()
        response.headers["clear-site-data"] = '"cache", "cookies", "storage"'
        return response


# -- forms ----------------------------------------------------------------------------------

class Form(dict[str, str]):
    """A posted form: each field's last value, and every value of a repeated one."""

    def __init__(self, data: FormData) -> None:
        super().__init__((key, str(value)) for key, value in data.multi_items()
                         if isinstance(value, str))
        self.lists: dict[str, list[str]] = {}
        for key, value in data.multi_items():
            if isinstance(value, str):
                self.lists.setdefault(key, []).append(value)

    def getlist(self, key: str) -> list[str]:
        return self.lists.get(key, [])


async def read_form(request: Request, session: Session) -> Form:
    """The posted form, once its CSRF token is this session's; refused otherwise (403), and
    above the size limits (413)."""
    form, _files = await _checked_form(request, session, max_files=0)
    return form


async def _checked_form(request: Request, session: Session, *, max_files: int,
                        max_part_size: int | None = None) -> tuple[Form, FormData]:
    """A posted form parsed within its limits (413 above them, 400 when it is not a form) and
    refused (403) unless its CSRF token is this session's."""
    sizes = {} if max_part_size is None else {"max_part_size": max_part_size}
    try:
        data = await request.form(max_files=max_files, max_fields=LIMITS["web_fields"].value,
                                  **sizes)
    except TooLarge:
        raise HTTPException(413) from None
    except MultiPartException:
        raise HTTPException(400) from None
    form = Form(data)
    if not secrets.compare_digest(form.get("csrf", "").encode(), session.csrf.encode()):
        raise HTTPException(403)
    return form, data


@dataclass
class PendingReply:
    """The agency's reply read and not yet logged or refused: its request, the reply, and the
    kind she chose ("" for what recordskit read)."""

    request_id: str
    reply: library.Reply
    kind: str = ""


async def read_upload(request: Request, session: Session) -> tuple[Form, UploadFile | None]:
    """The agency's email form (multipart: the pasted text or one saved file), once its CSRF
    token is this session's; refused otherwise (403), and above the size limits (413). The
    guard bounds the body by the reply size limit; the service reads no further than it."""
    form, data = await _checked_form(request, session, max_files=1,
                                     max_part_size=LIMITS["reply_bytes"].value)
    upload = data.get("file")
    return form, upload if isinstance(upload, UploadFile) else None


def _confirmed(form: Form, check: library.ReplyCheck
               ) -> tuple[list[library.Confirmed], list[tuple[str, str]]]:
    """What she said of each proposed event, or the problems (each naming its field)."""
    answers: list[library.Confirmed] = []
    errors: list[tuple[str, str]] = []
    wrong_date = _("Write the date as YYYY-MM-DD, for example 2026-11-23")
    for event in check.events:
        number = event.number
        if form.get(f"do-{number}", "yes") == "no":
            answers.append(library.Confirmed(number, False, event.on))
            continue
        on = iso_day(form.get(f"on-{number}", ""))
        if on is None:
            errors.append((f"on-{number}", wrong_date))
        until = None
        if event.asks_until:
            until = iso_day(form.get(f"until-{number}", ""))
            if until is None:
                errors.append((f"until-{number}", wrong_date))
        amount = ""
        if event.asks_amount:
            amount = form.get(f"amount-{number}", "").strip()
            if not re.fullmatch(r"\$?\s*\d[\d,]*(\.\d{1,2})?", amount):
                errors.append((f"amount-{number}",
                               _("Write the amount in dollars, for example 200.00")))
        if on is not None:
            answers.append(library.Confirmed(number, True, on, until, amount.replace(",", "")))
    return answers, errors


def _session(request: Request) -> Session:
    session = request.scope.get(SESSION_KEY)
    if not isinstance(session, Session):
        raise HTTPException(403)
    return session


def _kind_of(answers: dict[str, Any]) -> str:
    if not answers:
        return ""
    if answers.get("request_type") != "student_records":
        return "public_records"
    return "student_parent" if answers.get("requester_role") == "parent" else "student_self"


def _pages(session: Session) -> tuple[str, ...]:
    return library.interview_pages(session.answers)


def _merge(answers: dict[str, Any], form: Form, keys: tuple[str, ...]) -> None:
    """Put a page's fields into the answers, as an answers file holds them."""
    for key in keys:
        if key == "records":
            answers["records"] = form.getlist("records")
            continue
        value = form.get(key, "")
        if key in ("date_from", "date_to"):
            answers[key] = value.strip() or None
        elif key == "max_fee":
            answers[key] = _amount(value)
        elif key == "custody":
            if answers.get("requester_role") == "parent":
                answers[key] = value or None
        elif key in ("fee_waiver", "delivery", "format", "agency") and not value:
            answers.pop(key, None)
        else:
            _set(answers, key, value.strip())


def _amount(value: str) -> str:
    """An amount as the answers file writes it (``answers.yaml`` holds ``0.0``, ``12.5``), so
    that the request, and its id, are the same once its answers are read back: the id counts
    ``0`` and ``0.0`` apart."""
    text = value.strip().lstrip("$").replace(",", "") or "0"
    try:
        return repr(float(text))
    except ValueError:
        return text  # the check names the field


def _set(answers: dict[str, Any], key: str, value: Any) -> None:
    if "." in key:
        parent, child = key.split(".", 1)
        answers.setdefault(parent, {})[child] = value
    else:
        answers[key] = value


def _value(answers: dict[str, Any], key: str) -> str:
    if "." in key:
        parent, child = key.split(".", 1)
        found = (answers.get(parent) or {}).get(child, "")
    else:
        found = answers.get(key, "")
    return "" if found is None else str(found)


def _final(answers: dict[str, Any], session: Session) -> dict[str, Any]:
    """The answers as ``new --answers`` reads them, with the family's language."""
    data = copy.deepcopy(answers)
    # Staff correcting an intake keep the family's language; the pages speak the staff's
    language = session.editing_language if session.editing else session.language
    data["language"] = "" if language in ("", "en") else language
    if data.get("request_type") == "student_records" and data.get(
            "requester_role") == "eligible_student":
        person = data.setdefault("requester", {})
        if not person.get("name"):
            person["name"] = (data.get("student") or {}).get("name", "")
    return data


def _with_placeholders(answers: dict[str, Any], session: Session, upto: tuple[str, ...],
                       ws: library.Workspace) -> dict[str, Any]:
    """The answers, with a valid stand-in for each page not yet reached, so that a page is
    checked with the same check as a whole answers file and shows only its own problems."""
    trial = _final(answers, session)
    student = trial.get("request_type") == "student_records"
    pages = STUDENT_PAGES if student else PUBLIC_PAGES
    later = [p for p in pages if p not in upto]
    agency = next((a for a in library.agencies(ws) if a.id == trial.get("agency")), None)
    if "records" in later and agency and agency.records:
        trial["records"], trial["other_records"] = [agency.records[0].value], ""
    if "student" in later:
        trial["student"] = {"name": "Student", "school": "School"}
    if "requester" in later:
        trial["requester"] = {"email": PLACEHOLDER_EMAIL}
    if "sending" in later:
        channels = [c.value for c in agency.channels] if agency and not student else []
        trial.update(delivery=channels[0] if channels else "email", format="electronic",
                     sent_on=ws.today.isoformat())
        trial.pop("send_to", None)
        if not channels and not student:
            trial["send_to"] = PLACEHOLDER_EMAIL
    return trial


def _sent_by_clinic(answers: dict[str, Any], ws: library.Workspace) -> dict[str, Any]:
    """What a clinic decides for a family who fills her request through its link: the day
    (staff date the letter the day they make it, so hers would only mislead) and, for an
    agency whose directory entry has a way of sending, that way. She is asked neither."""
    chosen: dict[str, Any] = {"sent_on": ws.today.isoformat()}
    if answers.get("request_type") != "student_records":
        agency = next((a for a in library.agencies(ws) if a.id == answers.get("agency")), None)
        if agency and agency.channels:
            chosen["delivery"] = agency.channels[0].value
            chosen["send_to"] = ""
    return chosen


def _page_of(field_name: str) -> str | None:
    if not field_name:
        return None
    for page, keys in FIELDS.items():
        for key in keys:
            if field_name == key or field_name.startswith(key + ".") or key.startswith(
                    field_name + "."):
                return page
    return None


def _own_field(problem: library.Problem) -> library.Problem:
    """A problem the library words after a key (``send_to 'x' is not …``) put beside that
    key's field, without the key."""
    for key in ("send_to",):
        if problem.message.lower().startswith(key + " "):
            rest = problem.message[len(key) + 1:]
            return library.Problem(key, rest[:1].upper() + rest[1:])
    return problem


def _paper_without_address(answers: dict[str, Any]) -> bool:
    return answers.get("format") == "paper" and not str(
        (answers.get("requester") or {}).get("mailing_address") or "").strip()


def _root_field(answers: dict[str, Any], page: str) -> str:
    """The field a problem of the whole request points to on a page: the dates on the records
    page when they run backwards, else the page's first field."""
    if page == "records" and answers.get("date_from") and answers.get("date_to"):
        return "date_to"
    return FIELDS.get(page, ("",))[0]


def _field_id_key(field_name: str, page: str) -> str:
    """The form field a problem points to: its own, or the page's first for a problem of the
    whole request (or of a whole mapping, such as ``requester``)."""
    if not field_name:
        return FIELDS.get(page, ("",))[0]
    if field_name == "requester":
        return "requester.email"
    for keys in FIELDS.values():
        for key in keys:
            if key == field_name or key.startswith(field_name + "."):
                return key
    return field_name


def _errors_by_field(problems: list[library.Problem]) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in problems:
        found[problem.field] = (found[problem.field] + " " + problem.message
                                if problem.field in found else problem.message)
    return found


def _findings(session: Session, ws: library.Workspace) -> list[library.Finding]:
    """The personal details still in the answers asked so far (those kept left out)."""
    done = tuple(p for p in _pages(session) if p in session.done)
    if not any(p in SCANNED for p in done):
        return []
    made, _problems = library.check_answers(
        _with_placeholders(session.answers, session, done, ws), ws)
    if made is None:
        return []
    scanned = {key for page in done for key in SCANNED.get(page, ())}
    return [f for f in library.findings(made, ws)
            if f.field in scanned and f.excerpt not in session.kept]


def _answer_field(name: str) -> str:
    return name if name in ("on", "until", "amount", "tracking", "note") else "meaning"


# -- files ----------------------------------------------------------------------------------

_SUBFOLDER = re.compile(r"(follow-up|appeal)(-[0-9]{1,4})?")
"""The folders the pages write a follow-up or an appeal in, inside the request's folder."""


def _known(name: str) -> bool:
    """A file recordskit writes in a request's folder (its PDFs too), and nothing else: a
    request's folder may be any folder the command line was given."""
    return words.known_file(name)


@dataclass(frozen=True)
class ShownFile:
    path: str
    name: str
    role: str
    english: bool
    group: str


def _shown(path: str, name: str, group: str) -> ShownFile:
    return ShownFile(path, name, words.file_role(name), name in words.ENGLISH_FILES, group)


def _files_of(folder: Path | None) -> list[ShownFile]:
    """The request's files, and those of its follow-ups and appeals (one folder down)."""
    if folder is None or not folder.is_dir() or folder.is_symlink():
        return []
    order = {name: index for index, name in enumerate(words.FILE_ORDER)}

    def place(path: Path) -> tuple[bool, int, str]:
        return path.is_dir(), order.get(path.name, len(order)), path.name

    found = []
    for entry in sorted(folder.iterdir(), key=place):
        if entry.is_symlink():
            continue
        if entry.is_file() and _known(entry.name):
            found.append(_shown(entry.name, entry.name, ""))
        elif entry.is_dir() and _SUBFOLDER.fullmatch(entry.name):
            found += [_shown(f"{entry.name}/{inner.name}", inner.name, entry.name)
                      for inner in sorted(entry.iterdir(), key=place)
                      if inner.is_file() and not inner.is_symlink() and _known(inner.name)]
    return found


def _file_in(folder: Path | None, relative: str) -> Path | None:
    """The file ``relative`` names inside the request's folder, or None: only a file
    recordskit writes, in the folder or in its follow-up or appeal folder, never through a
    link, never out of the folder."""
    if folder is None:
        return None
    parts = relative.split("/")
    if not 1 <= len(parts) <= 2 or not _known(parts[-1]) or (
            len(parts) == 2 and not _SUBFOLDER.fullmatch(parts[0])):
        return None
    path = folder
    for part in parts:
        path = path / part
        if path.is_symlink():
            return None
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return None
    return path if path.is_file() else None


def _media_type(name: str) -> str:
    return {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".txt": "text/plain; charset=utf-8", ".csv": "text/csv; charset=utf-8",
            ".ics": "text/calendar", ".eml": "message/rfc822", ".yaml": "text/plain; charset=utf-8",
            ".pdf": "application/pdf"}.get(Path(name).suffix, "application/octet-stream")
