"""The door of ``recordskit serve``: who may come in, and what every answer carries.

Every request passes here before any page sees it, in this order:

1. The ``Host`` header must name this server (``127.0.0.1``, ``localhost``, or the address
   ``--host`` gave): a page elsewhere that rebinds its own name to 127.0.0.1 gets nothing.
2. A browser without a session must bring the server's token (``?token=``, as printed); it
   then gets a signed, HttpOnly, SameSite=Strict cookie holding only a session id, and is sent
   to the same address without the token, so the token stays out of history and screens.
3. A form may come only from this server's own pages (``Origin``, ``Sec-Fetch-Site``) and
   within the size limits; its CSRF token is checked where the form is read (``read_form``).
4. Every answer is marked not to be stored (``Cache-Control: no-store``) and carries the
   security headers: a content security policy without inline script, no framing, no referrer.

Sessions live in this process's memory only, and "finish and forget" ends one.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from recordskit.limits import LIMITS

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "recordskit_session"
SESSION_KEY = "recordskit.session"
IDLE_SECONDS = 12 * 3600
"""A session nobody used for this long is forgotten."""

SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy",
     b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
)


@dataclass
class Session:
    """One browser's visit: its language, its answers so far and the requests it made.

    Held only in this process's memory; the cookie holds the id alone."""

    id: str
    csrf: str
    language: str = ""
    answers: dict[str, Any] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)
    """Personal details the person chose to keep (their excerpts)."""
    done: set[str] = field(default_factory=set)
    """The interview's pages answered so far."""
    after_privacy: str = ""
    past_ok: bool = False
    """The person confirmed a sending day whose first answer was already due."""
    notice: str = ""
    """A message for the next page (a file written, an event logged), shown once."""
    requests: list[str] = field(default_factory=list)
    """The requests made or opened in this session, newest last."""
    reply: Any = None
    """The agency's reply pasted or uploaded and not yet logged or refused (held only here,
    never written, until she confirms)."""
    intake: str = ""
    """On a clinic's server: the secret of the family's intake link this session fills."""
    staff_token: str = ""
    """On a clinic's server: the staff session's secret (checked against the log each page)."""
    editing: str = ""
    """On a clinic's server: the intake a staff member is correcting through the interview's
    pages (its answers are in ``answers`` until she saves them)."""
    editing_language: str = ""
    """The family's language, which the corrected letter keeps (the pages speak the staff's)."""
    last_seen: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


class Sessions:
    """Every open session, by id; the oldest is forgotten past the limit."""

    def __init__(self) -> None:
        self._by_id: dict[str, Session] = {}
        self._lock = threading.Lock()

    def new(self) -> Session:
        made = Session(secrets.token_urlsafe(24), secrets.token_urlsafe(24))
        with self._lock:
            self._expire()
            while len(self._by_id) >= LIMITS["web_sessions"].value:
                # A session that holds nothing (a sign-in page opened, a link not yet
                # followed) goes first: a flood of them cannot push out a family's or a
                # staff member's
                oldest = min(self._by_id.values(), key=lambda s: (
                    bool(s.answers or s.intake or s.staff_token or s.requests or s.editing),
                    s.last_seen))
                del self._by_id[oldest.id]
            self._by_id[made.id] = made
        return made

    def get(self, session_id: str) -> Session | None:
        with self._lock:
            found = self._by_id.get(session_id)
            if found is None or time.monotonic() - found.last_seen > IDLE_SECONDS:
                self._by_id.pop(session_id, None)
                return None
            found.last_seen = time.monotonic()
            return found

    def forget(self, session_id: str) -> None:
        with self._lock:
            self._by_id.pop(session_id, None)

    def __len__(self) -> int:
        return len(self._by_id)

    def _expire(self) -> None:
        now = time.monotonic()
        for stale in [s for s in self._by_id.values() if now - s.last_seen > IDLE_SECONDS]:
            del self._by_id[stale.id]


@dataclass(frozen=True)
class Door:
    """What the guard checks against: the token, the names this server answers to, its port."""

    token: str
    hosts: frozenset[str]
    port: int
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    clinic: bool = False
    """A clinic's server behind its HTTPS proxy: no token; a family comes in by her intake
    link, staff by signing in (``CLINIC_DOORS``); cookies are Secure, and HSTS is sent."""

    def host_allowed(self, host: str) -> bool:
        name, _sep, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
        if not _sep:
            name, port = host, ""
        if port and port != str(self.port):
            return False
        return name.lower() in self.hosts

    def origin_allowed(self, origin: str) -> bool:
        scheme, _sep, rest = origin.partition("://")
        if self.clinic:  # behind the proxy: the browser's origin is https, on port 443
            return scheme in ("https", "http") and rest.split(":")[0].lower() in self.hosts
        return scheme == "http" and self.host_allowed(rest)


CLINIC_DOORS = re.compile(r"/(i/[A-Za-z0-9_\-]{20,100}|staff/signin)")
"""On a clinic's server, the only addresses a browser without a session may open, besides
the pages' own style and script (``STATIC``): a family's intake link and the staff sign-in
page. Each gets a session there (with its CSRF token); every other page answers 403 without
one."""
STATIC = re.compile(r"/static/[A-Za-z0-9_.\-]+")


Refusal = Callable[[Scope, int, str], Awaitable[tuple[bytes, str]]]
"""Renders a refusal page: (body, content type) for a status and a reason."""


class Guard:
    """The ASGI middleware that applies the door's rules to every request (see the module)."""

    def __init__(self, app: ASGIApp, door: Door, sessions: Sessions, refuse: Refusal) -> None:
        self.app, self.door, self.sessions, self.refuse = app, door, sessions, refuse
        self.signer = URLSafeSerializer(door.secret, salt="recordskit-session")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        if not self.door.host_allowed(headers.get("host", "")):
            await self._refused(scope, send, 400, "host")
            return
        session = self._session(headers.get("cookie", ""))
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"),
                          keep_blank_values=True)
        token = next((value for key, value in query if key == "token"), None)
        if self.door.clinic:
            token = None  # no server token: the doors below
            if session is None and scope.get("method") in ("GET", "HEAD") and STATIC.fullmatch(
                    scope.get("path", "")):
                await self.app(scope, receive, _with_headers(send, CLINIC_HEADERS))
                return
            if session is None and scope.get("method") == "GET" and (
                    scope.get("path", "") in ("/staff", "/staff/requests")):
                # Staff's bookmarks: to the sign-in, rather than a refusal
                await send_plain(send, 303, b"", [(b"location", b"/staff/signin")])
                return
            if session is None and CLINIC_DOORS.fullmatch(scope.get("path", "")):
                session = self.sessions.new()
                send = _with_cookie(send, self.cookie(session))
        if token is not None:
            # The token comes in once, and is never left in the address bar or the history.
            if session is None and not secrets.compare_digest(token, self.door.token):
                await self._refused(scope, send, 403, "token")
                return
            session = session or self.sessions.new()
            rest = urlencode([(k, v) for k, v in query if k != "token"])
            location = scope.get("path", "/") + (f"?{rest}" if rest else "")
            await send_plain(send, 303, b"", [
                (b"location", location.encode("latin-1")),
                (b"set-cookie", self.cookie(session).encode("latin-1"))])
            return
        if session is None:
            await self._refused(scope, send, 403, "token")
            return
        if scope.get("method", "GET") not in ("GET", "HEAD"):
            # With Referrer-Policy: no-referrer a browser sends its own forms' Origin as
            # "null"; Sec-Fetch-Site, the SameSite cookie and the CSRF token still hold.
            origin = headers.get("origin", "")
            if (origin not in ("", "null") and not self.door.origin_allowed(origin)) or headers.get(
                    "sec-fetch-site", "same-origin") not in ("same-origin", "none"):
                await self._refused(scope, send, 403, "origin")
                return
            length = headers.get("content-length", "")
            limit = LIMITS["web_body_bytes"].value
            if REPLY_PATH.fullmatch(scope.get("path", "")):
                # The agency's saved email: as large as the reply limit allows, and the form
                limit += LIMITS["reply_bytes"].value
            if length and (not length.isdigit() or int(length) > limit):
                await self._refused(scope, send, 413, "size")
                return
            receive = _limited(receive, limit)
        scope[SESSION_KEY] = session
        await self.app(scope, receive, _with_headers(
            send, CLINIC_HEADERS if self.door.clinic else SECURITY_HEADERS))

    def _session(self, cookie_header: str) -> Session | None:
        if not cookie_header:
            return None
        cookies = SimpleCookie()
        try:
            cookies.load(cookie_header)
        except Exception:  # a malformed cookie header is no session
            return None
        morsel = cookies.get(COOKIE)
        if morsel is None:
            return None
        try:
            session_id = self.signer.loads(morsel.value)
        except BadSignature:
            return None
        return self.sessions.get(session_id) if isinstance(session_id, str) else None

    def cookie(self, session: Session) -> str:
        return (f"{COOKIE}={self.signer.dumps(session.id)}; Path=/; HttpOnly; "
                "SameSite=Strict" + ("; Secure" if self.door.clinic else ""))

    async def _refused(self, scope: Scope, send: Send, status: int, reason: str) -> None:
        body, content_type = await self.refuse(scope, status, reason)
        await send_plain(send, status, body, [(b"content-type", content_type.encode())])


def forget_cookie(*, secure: bool = False) -> str:
    """The header that removes the session cookie."""
    return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (
        "; Secure" if secure else "")


REPLY_PATH = re.compile(r"/requests/[0-9a-f]{1,64}/reply")
"""The one form that takes a file: the agency's reply (bounded by the reply size limit)."""


class TooLarge(Exception):
    """A body longer than the limit (it said a shorter length, or none)."""


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise TooLarge
        return message

    return counted


CLINIC_HEADERS = (*SECURITY_HEADERS,
                  # Browsers keep to HTTPS for this name for a year (it is read over HTTPS only:
                  # the clinic's proxy serves nothing else)
                  (b"strict-transport-security", b"max-age=31536000"))


def _with_headers(send: Send, headers: tuple[tuple[bytes, bytes], ...] = SECURITY_HEADERS
                  ) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _value in message.get("headers", [])}
            message["headers"] = [*message.get("headers", []),
                                  *(h for h in headers if h[0] not in names)]
        await send(message)

    return sending


def _with_cookie(send: Send, cookie: str) -> Send:
    """The answer sets the new session's cookie (unless the page itself sets one)."""
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            names = {name.lower() for name, _value in message.get("headers", [])}
            if b"set-cookie" not in names:
                message["headers"] = [*message.get("headers", []),
                                      (b"set-cookie", cookie.encode("latin-1"))]
        await send(message)

    return sending


async def send_plain(send: Send, status: int, body: bytes,
                      headers: list[tuple[bytes, bytes]]) -> None:
    names = {name for name, _value in headers}
    await send({"type": "http.response.start", "status": status, "headers": [
        *headers, (b"content-length", str(len(body)).encode()),
        *(h for h in SECURITY_HEADERS if h[0] not in names)]})
    await send({"type": "http.response.body", "body": body})
