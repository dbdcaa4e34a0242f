"""The pages only a clinic's server has (``recordskit serve --clinic``): a family's intake
link, the staff's sign-in, queue, review and produce, and every request of the log.

Who may open what is decided here, before any page (``ClinicGate``): a family's session
reaches only her own interview through her link; a staff page needs an open staff session,
checked against the log on every request (so a sign-out, an expiry or an account turned off
takes effect at once); anything else answers 403.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, Protocol

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from recordskit.errors import FieldError, InputFileError, UserError
from recordskit.i18n import _, set_language
from recordskit.web import library
from recordskit.web.guard import (
    SESSION_KEY,
    Receive,
    Refusal,
    Scope,
    Send,
    Session,
    send_plain,
)


class FrontPages(Protocol):
    """What the clinic's pages use of the front door's (``recordskit.web.app.Pages``)."""

    site: Any
    ws: library.Workspace

    def speak(self, request: Request) -> Session: ...

    def lang(self, request: Request, session: Session) -> str: ...

    def page(self, request: Request, name: str, *, status: int = 200, **context: Any
             ) -> Response: ...


class PostedForm(Protocol):
    """A posted form as the front door reads it (``recordskit.web.app.Form``)."""

    def get(self, key: str, default: str, /) -> str: ...

    def getlist(self, key: str) -> list[str]: ...


STAFF_KEY = "recordskit.staff"
FAMILY_PATHS = re.compile(r"/(new(/.*)?|language|submitted|forget)")
STAFF_PATHS = re.compile(r"/(staff(/.*)?|requests(/.*)?|forget)")
EDIT_PATHS = re.compile(r"/new(/.*)?")
"""The interview's pages, which staff reach only while correcting an intake."""


class ClinicGate:
    """ASGI: the clinic's rule of who opens what (see the module), around the pages."""

    def __init__(self, app: Any, ws: library.Workspace, refuse: Refusal) -> None:
        self.app, self.ws, self.refuse = app, ws, refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        session = scope.get(SESSION_KEY)
        if path.startswith(("/static/", "/i/")) or path == "/staff/signin":
            await self.app(scope, receive, send)
            return
        if not isinstance(session, Session):
            await self._refused(scope, send)
            return
        staff = library.staff_member(self.ws, session.staff_token)
        if staff is None and session.staff_token:
            session.staff_token = ""  # signed out, expired or turned off: never again
        if staff is not None and (STAFF_PATHS.fullmatch(path) or (
                session.editing and EDIT_PATHS.fullmatch(path))):
            scope[STAFF_KEY] = staff
            with library.acting_as(staff.name):
                await self.app(scope, receive, send)
            return
        if session.intake and FAMILY_PATHS.fullmatch(path):
            # Checked where she comes in ("My request"); a page she posts is refused by the
            # link itself, which no longer takes answers (a query a page would cost every
            # family, the pages being served one at a time)
            if scope.get("method") == "GET" and path == "/new" and \
                    not library.intake_open(self.ws, session.intake):
                # Sent (or no longer open): what she sent, never the interview again
                await RedirectResponse("/submitted", 303)(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        if path == "/":
            target = "/staff" if staff else "/new" if session.intake else ""
            if target:
                await RedirectResponse(target, 303)(scope, receive, send)
                return
        if staff is None and path.startswith("/staff") and scope.get("method") == "GET":
            await RedirectResponse("/staff/signin", 303)(scope, receive, send)
            return
        await self._refused(scope, send)

    async def _refused(self, scope: Scope, send: Send) -> None:
        body, content_type = await self.refuse(scope, 403, "clinic")
        await send_plain(send, 403, body, [(b"content-type", content_type.encode())])


def staff_of(request: Request) -> library.StaffMember:
    found = request.scope.get(STAFF_KEY)
    if not isinstance(found, library.StaffMember):
        raise HTTPException(403)
    return found


def admin_of(request: Request) -> library.StaffMember:
    """The signed-in admin; any other staff member is refused (403)."""
    found = staff_of(request)
    if not found.admin:
        raise HTTPException(403)
    return found


class ClinicPages:
    """The clinic's own pages; ``pages`` is the front door's (rendering, forms, sessions)."""

    def __init__(self, pages: FrontPages,
                 read_form: Callable[[Request, Session], Awaitable[PostedForm]]) -> None:
        self.pages = pages
        self.site = pages.site
        self.ws = pages.ws
        self.read = read_form
        self._findings: dict[tuple[str, str], bool] = {}

    # -- the family's link ----------------------------------------------------------------

    async def link(self, request: Request) -> Response:
        """A family's link: her session fills that intake (and only it) from here on."""
        session = _session(request)
        secret = request.path_params["secret"]
        found = library.intake_by_link(self.ws, secret)
        if found is None:
            self.pages.speak(request)
            return self.pages.page(request, "error.html", status=404, bare=True,
                                   title=_("This link does not open a request"),
                                   message=_("It may have expired, or been mistyped. Ask the "
                                             "clinic for a new link."))
        if session.intake != secret:  # a new family on this browser: nothing of the last
            session.answers, session.kept = dict(found.answers), set()
            session.done = library.answered_pages(found.answers)
            session.requests, session.reply, session.staff_token = [], None, ""
            session.intake = secret
            if session.done and found.status == "open":
                set_language(session.language or found.language or "en")  # hers, as shown
                session.notice = _("Your answers so far are kept: go on where you stopped.")
        session.language = session.language or found.language
        if found.status != "open":
            return RedirectResponse("/submitted", 303)
        if not session.language:
            return RedirectResponse("/language", 303)
        pages = library.interview_pages(session.answers)
        if not session.done:
            return RedirectResponse("/new", 303)
        following = next((page for page in pages if page not in session.done), "review")
        return RedirectResponse(f"/new/{following}", 303)

    async def submitted(self, request: Request) -> Response:
        """What she submitted, and what happens next, until her link expires."""
        session = self.pages.speak(request)
        found = library.intake_by_link(self.ws, session.intake)
        if found is None:
            raise HTTPException(404)
        made, _problems = library.check_answers(found.answers, self.ws)
        summary = library.review_text(made, self.ws, by_clinic=True) if made else ""
        return self.pages.page(request, "submitted.html", intake=found, summary=summary)

    # -- staff ----------------------------------------------------------------------------

    async def signin(self, request: Request) -> Response:
        session = _session(request)
        if request.method == "GET":
            return self.pages.page(request, "staff_signin.html", errors=[], typed_name="")
        form = await self.read(request, session)
        self.pages.speak(request)
        name = form.get("name", "")
        try:
            token, _member = library.sign_in(self.ws, name, form.get("password", ""))
        except UserError as refused:
            return self.pages.page(request, "staff_signin.html", status=401, typed_name=name,
                                   errors=[("name", str(refused))])
        # A new session for the signed-in staff member: the one the sign-in page gave is
        # dropped, so a session id seen before sign-in is worth nothing after it
        fresh = self.site.sessions.new()
        fresh.staff_token, fresh.language = token, session.language
        self.site.sessions.forget(session.id)
        response = RedirectResponse("/staff", 303)
        response.headers["set-cookie"] = self.site.cookie_for(fresh)
        return response

    async def signout(self, request: Request) -> Response:
        session = _session(request)
        await self.read(request, session)
        library.sign_out(self.ws, session.staff_token)
        self.site.sessions.forget(session.id)
        lang = self.pages.lang(request, session)
        set_language(lang)
        response: Response = self.site.render("error.html", lang, bare=True,
                                              title=_("Signed out"),
                                              message=_("You are signed out. Close this "
                                                        "window on a shared computer."))
        response.headers["set-cookie"] = self.site.forget_cookie()
        response.headers["clear-site-data"] = '"cache", "cookies", "storage"'
        return response

    async def home(self, request: Request) -> Response:
        staff = staff_of(request)
        self.pages.speak(request)
        return self._home(request, staff)

    def _home(self, request: Request, staff: library.StaffMember, *, status: int = 200,
              errors: list[tuple[str, str]] | None = None, made: Any = None, link: str = ""
              ) -> Response:
        """The queue, each intake with what the privacy check found in it."""
        queue = library.intake_queue(self.ws)
        flagged = {item.id for item in queue if self._flagged(item)}
        return self.pages.page(request, "staff_home.html", status=status, staff=staff,
                               queue=queue, flagged=flagged, errors=errors or [], made=made,
                               link=link, agencies={a.id: a.short_name
                                                    for a in library.agencies(self.ws)})

    async def make_link(self, request: Request) -> Response:
        staff = staff_of(request)
        session = _session(request)
        form = await self.read(request, session)
        self.pages.speak(request)
        language = form.get("language", "en")
        errors = []
        if language not in ("en", "es", "ht"):
            errors.append(("language", _("Choose the family's language")))
        days = form.get("days", "14").strip()
        if not (days.isdigit() and 1 <= int(days) <= 90):
            errors.append(("days", _("Give a number of days from 1 to 90")))
        if errors:
            return self._home(request, staff, status=400, errors=errors)
        token, made = library.make_link(self.ws, by=staff.name,
                                        language="" if language == "en" else language,
                                        label=form.get("label", "").strip()[:200],
                                        days=int(days))
        # Under the name the browser reached, and always https: the server only ever answers
        # behind the clinic's HTTPS proxy, whether or not it says so (X-Forwarded-Proto)
        base = request.base_url.replace(scheme="https")
        return self._home(request, staff, made=made, link=f"{base}i/{token}")

    async def intake(self, request: Request) -> Response:
        staff = staff_of(request)
        session = self.pages.speak(request)
        found = library.intake(self.ws, request.path_params["id"])
        if found is None:
            raise HTTPException(404)
        if session.editing == found.id:  # back from correcting it without saving
            session.answers, session.done, session.kept = {}, set(), set()
            session.editing = session.editing_language = ""
        made, problems = library.check_answers(found.answers, self.ws)
        return self.pages.page(
            request, "staff_intake.html", staff=staff, intake=found,
            today=self.ws.today.isoformat(),
            summary=library.review_text(made, self.ws, by_clinic=True) if made else "",
            problems=problems, findings=library.findings(made, self.ws) if made else [],
            errors=[])

    async def edit(self, request: Request) -> Response:
        """Correct a submitted intake through the interview's own pages (each checked as the
        family's were), starting from its review; saving puts the answers back."""
        staff_of(request)
        session = _session(request)
        await self.read(request, session)
        found = library.intake(self.ws, request.path_params["id"])
        if found is None:
            raise HTTPException(404)
        if found.status != "submitted":
            session.notice = _("Only a submitted intake can be corrected.")
            return RedirectResponse(f"/staff/intakes/{found.id}", 303)
        session.answers, session.kept, session.past_ok = dict(found.answers), set(), True
        session.done = set(library.interview_pages(found.answers))
        session.editing, session.editing_language = found.id, found.language
        return RedirectResponse("/new/review", 303)

    async def produce_checked(self, request: Request) -> Response:
        """Produce every intake checked in the queue, each as its own page's button would; one
        refused does not stop the others, and the page says which were made."""
        staff = staff_of(request)
        session = _session(request)
        form = await self.read(request, session)
        self.pages.speak(request)
        chosen = form.getlist("intakes")[:500]
        if not chosen:
            session.notice = _("Check the intakes to produce first.")
            return RedirectResponse("/staff", 303)
        made, refused = [], []
        for intake_id in dict.fromkeys(chosen):
            found = library.intake(self.ws, intake_id)
            if found is not None and library.intake_findings(self.ws, found.answers):
                refused.append(_("Intake {id}: the privacy check found personal details in "
                                 "it. Open it, read them with the family, and produce it from "
                                 "its own page.").format(id=intake_id))
                continue
            try:
                made.append((intake_id, library.produce_intake(self.ws, intake_id,
                                                               by=staff.name)))
            except (InputFileError, UserError) as problem:
                refused.append(_("Intake {id}: {problem}").format(id=intake_id,
                                                                  problem=problem))
        return self.pages.page(request, "staff_produced.html", staff=staff, made=made,
                               refused=refused)

    async def produce(self, request: Request) -> Response:
        staff = staff_of(request)
        session = _session(request)
        await self.read(request, session)
        self.pages.speak(request)
        intake_id = request.path_params["id"]
        try:
            request_id = library.produce_intake(self.ws, intake_id, by=staff.name)
        except (InputFileError, UserError) as refused:
            found = library.intake(self.ws, intake_id)
            if found is None:
                raise HTTPException(404) from None
            return self.pages.page(request, "staff_intake.html", status=400, staff=staff,
                                   today=self.ws.today.isoformat(),
                                   intake=found, summary="", problems=[], findings=[],
                                   errors=[("produce", str(refused))])
        session.notice = _("Request {id} is written and logged.").format(id=request_id)
        return RedirectResponse(f"/staff/intakes/{intake_id}", 303)

    async def sent(self, request: Request) -> Response:
        staff = staff_of(request)
        session = _session(request)
        form = await self.read(request, session)
        self.pages.speak(request)
        intake_id = request.path_params["id"]
        typed = str(form.get("sent_on", "")).strip()[:40]
        try:
            try:
                sent_on = date.fromisoformat(typed) if typed else None
            except ValueError:
                raise FieldError(_("Write the date as YYYY-MM-DD, for example 2026-11-23"),
                                 field="sent_on") from None
            session.notice = library.mark_sent(self.ws, intake_id, by=staff.name,
                                               sent_on=sent_on)
        except FieldError as refused:
            found = library.intake(self.ws, intake_id)
            if found is None:
                raise HTTPException(404) from None
            error = (refused.field or "sent_on", str(refused))
            return self.pages.page(request, "staff_intake.html", status=400, staff=staff,
                                   today=self.ws.today.isoformat(),
                                   intake=found, summary="", problems=[], findings=[],
                                   errors=[error], error_of=dict([error]), sent_on=typed)
        except UserError as refused:
            session.notice = str(refused)
        return RedirectResponse(f"/staff/intakes/{intake_id}", 303)

    def _flagged(self, item: library.IntakeInfo) -> bool:
        """Whether the privacy check finds personal details in a waiting intake; kept for its
        answers as they are, since the queue is shown often and the pages are served one at a
        time (a check is a request worked out whole)."""
        key = (item.id, json.dumps(item.answers, sort_keys=True, default=str))
        if key not in self._findings:
            if len(self._findings) >= 2000:
                self._findings.clear()
            self._findings[key] = bool(library.intake_findings(self.ws, item.answers))
        return self._findings[key]

    # -- admins ---------------------------------------------------------------------------

    async def accounts(self, request: Request) -> Response:
        """The clinic's accounts (admins only): add one, turn one off or on."""
        staff = admin_of(request)
        session = _session(request)
        if request.method == "GET":
            self.pages.speak(request)
            return self._accounts_page(request, staff)
        form = await self.read(request, session)
        self.pages.speak(request)
        name, password = form.get("name", "").strip(), form.get("password", "")
        errors = []
        if password != form.get("password_again", ""):
            errors.append(("password_again", _("The two passwords differ; type the same one "
                                               "twice")))
        else:
            try:
                library.add_account(self.ws, name, password, admin=form.get("role", "") ==
                                    "admin", by=staff.name)
            except UserError as refused:
                errors.append((getattr(refused, "field", "name"), str(refused)))
        if errors:
            return self._accounts_page(request, staff, status=400, errors=errors,
                                       typed_name=name)
        session.notice = _("{name} can now sign in with the password you gave; ask them to "
                           "keep it to themselves.").format(name=name)
        return RedirectResponse("/staff/accounts", 303)

    async def account_switch(self, request: Request) -> Response:
        """Turn an account off (its sessions end at once) or on again."""
        staff = admin_of(request)
        session = _session(request)
        if request.path_params["switch"] not in ("on", "off"):
            raise HTTPException(404)
        form = await self.read(request, session)
        self.pages.speak(request)
        name, active = form.get("name", ""), request.path_params["switch"] == "on"
        try:
            library.set_account_active(self.ws, name, active, by=staff.name)
        except UserError as refused:
            session.notice = str(refused)
        else:
            session.notice = (_("{name} can sign in again.") if active
                              else _("{name} can no longer sign in.")).format(name=name)
        return RedirectResponse("/staff/accounts", 303)

    def _accounts_page(self, request: Request, staff: library.StaffMember, *,
                       status: int = 200, errors: list[tuple[str, str]] | None = None,
                       typed_name: str = "") -> Response:
        return self.pages.page(request, "staff_accounts.html", status=status, staff=staff,
                               accounts=library.accounts(self.ws), errors=errors or [],
                               typed_name=typed_name)

    async def audit(self, request: Request) -> Response:
        """The latest lines of the audit trail (admins only)."""
        staff = admin_of(request)
        self.pages.speak(request)
        return self.pages.page(request, "staff_audit.html", staff=staff,
                               lines=library.audit(self.ws, limit=200))

    async def requests(self, request: Request) -> Response:
        staff = staff_of(request)
        self.pages.speak(request)
        query = request.query_params
        chosen = {key: query.get(key, "").strip()[:100] for key in
                  ("agency", "state", "batch", "by")}
        errors = []
        try:
            rows, more = library.status(
                self.ws, agency=chosen["agency"], state=chosen["state"], batch=chosen["batch"],
                by=chosen["by"], include_closed=query.get("all") == "yes")
        except UserError as refused:
            rows, more = [], 0
            errors.append(("filters", str(refused)))
        return self.pages.page(request, "staff_requests.html", staff=staff, rows=rows,
                               more=more, chosen=chosen, every=query.get("all") == "yes",
                               agencies=library.agencies(self.ws), errors=errors)


def _session(request: Request) -> Session:
    session = request.scope.get(SESSION_KEY)
    if not isinstance(session, Session):
        raise HTTPException(403)
    return session
