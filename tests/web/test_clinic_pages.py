"""A clinic's server (``serve --clinic``) through an HTTP client: a family through her link
alone, staff through their sign-in, and every door refused with nothing changed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from recordskit.clinic import accounts, intakes
from recordskit.clinic.audit import entries
from recordskit.service import Workspace, open_log
from recordskit.web.app import WebConfig, create_app
from tests.web.conftest import PUBLIC_PAGES, Visitor, today

PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)
HOST = "records.example-clinic.org"
# Argon2id at its lowest cost while working (see the fixture); CI hashes at the recommended cost
pytestmark = pytest.mark.usefixtures("quick_password_hashes")


@pytest.fixture
def clinic(requests_folder: Path, backend: str) -> Any:
    return create_app(WebConfig(folder=requests_folder, port=8765, today=today, clinic=True,
                                hosts=frozenset({"127.0.0.1", HOST}),
                                database_url=_url()))


def _url() -> str:
    import os

    return os.environ.get("RECORDSKIT_DATABASE_URL", "")


def browser(app: Any) -> Visitor:
    return Visitor(TestClient(app, base_url=f"https://{HOST}"))


def link(language: str = "", days: int = 14) -> str:
    made = intakes.make_link(open_log(_url()), by="Ana", at=datetime.now(UTC),
                             language=language, days=days)
    return made.token


def staff_member(app: Any, name: str = "Ana Lima") -> Visitor:
    log = open_log(_url())
    known = {found.name for found in accounts.staff_list(log)} if log.exists() else set()
    if name not in known:
        accounts.add_staff(log, name, PASSWORD, by="setup", at=datetime.now(UTC))
    seen = browser(app)
    seen.get("/staff/signin")
    signed = seen.post("/staff/signin", {"name": name, "password": PASSWORD})
    assert signed.status_code == 200 and signed.url.path == "/staff", signed.text[:500]
    return seen


def fill(seen: Visitor, secret: str) -> Any:
    opened = seen.get(f"/i/{secret}")
    assert opened.status_code == 200, opened.text[:500]
    if opened.url.path == "/language":
        seen.post("/language", {"language": "en"})
    for path, data in PUBLIC_PAGES:
        response = seen.post(path, data)
        assert response.status_code == 200, (path, response.text[:1000])
    return seen.post("/new/write")


def test_a_family_fills_her_intake_through_her_link_and_staff_produce_it(
        clinic: Any, requests_folder: Path) -> None:
    secret = link("es")
    family = browser(clinic)
    opened = family.get(f"/i/{secret}")
    assert opened.url.path == "/new" and 'lang="es"' in opened.text
    # Her answers go to the clinic: the notice never says they stay on her computer
    assert "clínica que le dio este enlace" in opened.text.split("<footer")[0]
    assert "computadora" not in opened.text
    # She answers two pages, stops, and comes back on another browser through the same link
    family.post("/new", {"kind": "public_records"})
    family.post("/new/agency", {"agency": "bps"})
    again = browser(clinic)
    back = again.get(f"/i/{secret}")
    assert back.status_code == 200
    # Where she stopped, told that her answers are kept
    assert back.url.path == "/new/records", back.url
    assert "Sus respuestas hasta ahora están guardadas" in back.text
    kept = intakes.intake_by_link(open_log(_url()), secret, at=datetime.now(UTC))
    assert kept.answers.get("agency") == "bps"
    sending = again.get("/new/sending")
    assert 'name="delivery"' not in sending.text and 'name="sent_on"' not in sending.text
    done = fill(again, secret)
    assert done.url.path == "/submitted", done.text[:500]
    assert "UTC" not in done.text  # the link's last day on Boston's clocks
    # The day she named is not asked (the clinic dates the letter), and the clinic sends it
    # the way the directory gives for the agency, whatever the form said
    sent = intakes.intake_by_link(open_log(_url()), secret, at=datetime.now(UTC)).answers
    assert (sent["sent_on"], sent["delivery"]) == (today().isoformat(), "email")
    assert "Rosa Díaz" in done.text
    # What she sent, in her words: no sending day of hers (the clinic dates the letter), and
    # the officer's title in her language beside the one on the envelope
    assert "Envío: lo hace la clínica" in done.text and "Envío: 20" not in done.text
    assert "Records Access Officer: la persona encargada de los registros públicos" in done.text
    # Submitted once: the interview is closed to the link, which shows only what she sent
    closed = again.post("/new/agency", {"agency": "bpd"})
    assert closed.url.path == "/submitted" and "Rosa Díaz" in closed.text
    assert again.get("/new").url.path == "/submitted"
    assert intakes.intake_by_link(open_log(_url()), secret, at=datetime.now(UTC)
                                  ).answers["agency"] == "bps"
    assert browser(clinic).get(f"/i/{secret}").url.path == "/submitted"
    # Staff review it and produce the letter, recorded by the staff member's name
    staff = staff_member(clinic)
    queue = staff.get("/staff")
    [intake_id] = re.findall(r"/staff/intakes/([0-9a-f]{10})", queue.text)
    review = staff.get(f"/staff/intakes/{intake_id}")
    assert "Rosa Díaz" in review.text
    produced = staff.post(f"/staff/intakes/{intake_id}/produce")
    assert produced.status_code == 200, produced.text[:1000]
    [request_id] = re.findall(r"/requests/([0-9a-f]{10})", produced.text)
    page = staff.get(f"/requests/{request_id}")
    assert page.status_code == 200
    logged = Workspace(database_url=_url()).log.get(request_id)
    assert logged.created_by == "Ana Lima"
    # She logs the agency's answer from the request's page: the event carries her name
    answered = staff.post(f"/requests/{request_id}/answered",
                          {"meaning": "acknowledged", "on": "2026-06-12", "tracking": "R1"})
    assert answered.status_code == 200, answered.text[:500]
    events = Workspace(database_url=_url()).log.get(request_id).events
    assert [(e.event, e.recorded_by) for e in events] == [("received", "Ana Lima")]
    # The day the letter went: a day after today is refused on the page, naming the field
    shown = staff.get(f"/staff/intakes/{intake_id}")
    assert 'name="sent_on"' in shown.text and f'value="{today().isoformat()}"' in shown.text
    later = (today() + timedelta(days=1)).isoformat()
    refused = staff.post(f"/staff/intakes/{intake_id}/sent", {"sent_on": later})
    assert refused.status_code == 400 and "cannot be after today" in refused.text
    assert 'href="#f-sent_on"' in refused.text and 'aria-invalid="true"' in refused.text
    assert intakes.intake_by_id(open_log(_url()), intake_id).status == "produced"
    # Days later, staff say it went the day before: told its deadlines count from the
    # letter's earlier date until the agency's receipt is logged
    days_later = create_app(WebConfig(
        folder=requests_folder, port=8765, today=lambda: today() + timedelta(days=4),
        clinic=True, hosts=frozenset({"127.0.0.1", HOST}), database_url=_url()))
    marked = staff_member(days_later).post(f"/staff/intakes/{intake_id}/sent", {
        "sent_on": (today() + timedelta(days=3)).isoformat()})
    assert marked.status_code == 200, marked.text[:500]
    assert "its deadlines are counted from" in marked.text
    assert intakes.intake_by_id(open_log(_url()), intake_id).status == "sent"
    listed = staff.get("/staff/requests?agency=bps")
    assert request_id in listed.text


def test_every_clinic_door_is_refused_with_nothing_changed(clinic: Any) -> None:
    log = open_log(_url())
    mine, theirs = link(), link()
    family = browser(clinic)
    fill(family, theirs)  # another family's submitted intake
    before = [log.fetch("SELECT * FROM intakes ORDER BY id"),
              log.fetch("SELECT * FROM staff_sessions ORDER BY 1")]
    stranger = browser(clinic)
    # No session: every page but the doors answers 403 (a staff page sends to the sign-in)
    for path in ("/", "/new", "/new/agency", "/requests", "/submitted", "/language"):
        assert stranger.get(path).status_code == 403, path
    assert stranger.get("/staff").url.path == "/staff/signin"
    assert stranger.client.post("/staff/links", data={"csrf": "x"}).status_code == 403
    # An unknown, mistyped, expired link opens nothing
    for secret in ("A" * 43, theirs[:-1] + ("A" if theirs[-1] != "A" else "B")):
        assert stranger.get(f"/i/{secret}").status_code == 404
    expired = link(days=1)
    assert stranger.get(f"/i/{expired}").status_code == 200  # open until it expires ...
    log.write([("UPDATE intakes SET expires_at = ? WHERE token_hash = ?",
                [(datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                 accounts.secret_hash(expired)])])
    assert browser(clinic).get(f"/i/{expired}").status_code == 404  # ... then never again
    # One family's session on her own link reaches neither another's intake nor staff pages
    mine_seen = browser(clinic)
    mine_seen.get(f"/i/{mine}")
    mine_seen.post("/language", {"language": "en"})
    for path in ("/staff", "/staff/requests", f"/staff/intakes/{mine}", "/requests"):
        response = mine_seen.get(path)
        assert response.status_code == 403 or response.url.path == "/staff/signin", path
    assert "Rosa" not in mine_seen.get("/submitted").text
    # A form without its CSRF token, or from another site
    assert mine_seen.client.post("/new/agency", data={"agency": "bps"}).status_code == 403
    assert mine_seen.client.post("/new/agency", data={"agency": "bps", "csrf": mine_seen.csrf},
                                 headers={"origin": "https://evil.example"}).status_code == 403
    # An oversized body
    assert mine_seen.client.post("/new/agency", content=b"x" * 2_000_000, headers={
        "content-type": "application/x-www-form-urlencoded"}).status_code == 413
    # Another name for the server (a rebinding page) gets nothing
    assert TestClient(clinic, base_url="https://evil.example").get(
        f"/i/{mine}").status_code == 400
    after = [log.fetch("SELECT * FROM intakes ORDER BY id"),
             log.fetch("SELECT * FROM staff_sessions ORDER BY 1")]
    assert after[1] == before[1]
    assert [row for row in after[0] if row[0] != _id_of(log, expired)] == [
        row for row in before[0] if row[0] != _id_of(log, expired)]


def _id_of(log: Any, secret: str) -> str:
    [(found,)] = log.fetch("SELECT id FROM intakes WHERE token_hash = ?",
                           [accounts.secret_hash(secret)])
    return str(found)


def test_staff_sessions_end_and_guessing_locks(clinic: Any) -> None:
    staff = staff_member(clinic, "Ben Ortiz")
    assert staff.get("/staff").status_code == 200
    cookie = dict(staff.client.cookies)
    signed_out = staff.post("/staff/signout")
    assert signed_out.status_code == 200 and "Secure" in signed_out.headers["set-cookie"]
    # The old cookie, replayed, opens nothing
    replay = TestClient(clinic, base_url=f"https://{HOST}", cookies=cookie)
    assert replay.get("/staff").url.path == "/staff/signin"
    guesser = browser(clinic)
    guesser.get("/staff/signin")
    for attempt in range(accounts.LOCK_AFTER):
        refused = guesser.post("/staff/signin", {"name": "Ben Ortiz",
                                                 "password": f"guess number {attempt}"})
        assert refused.status_code == 401
    locked = guesser.post("/staff/signin", {"name": "Ben Ortiz", "password": PASSWORD})
    assert locked.status_code == 401 and "locked" in locked.text
    answer = browser(clinic).get("/staff/signin")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert answer.headers["cache-control"] == "no-store"
    assert "script-src 'self'" in answer.headers["content-security-policy"]


def test_a_flood_of_empty_sessions_never_pushes_out_a_familys(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone may open the sign-in page or a link's address, and each gets a session; past the
    limit the empty ones go first, so a family's answers and a staff session stay."""
    from recordskit.web.guard import Sessions

    monkeypatch.setenv("RECORDSKIT_MAX_WEB_SESSIONS", "4")
    sessions = Sessions()
    family, staff = sessions.new(), sessions.new()
    family.intake, staff.staff_token = "s" * 43, "t" * 43
    for _ in range(50):
        sessions.new()
    assert sessions.get(family.id) is family and sessions.get(staff.id) is staff
    assert len(sessions) == 4


def test_staff_correct_an_intake_through_the_interview_and_produce_several_at_once(
        clinic: Any) -> None:
    log = open_log(_url())
    first, second, open_one = link("es"), link(), link()
    fill(browser(clinic), first)
    fill(browser(clinic), second)
    started = browser(clinic)
    started.get(f"/i/{open_one}")  # a family still answering: not in the queue
    first_id, second_id = _id_of(log, first), _id_of(log, second)
    staff = staff_member(clinic)
    # Before she corrects anything, the interview's pages are closed to her
    assert staff.get("/new/requester").status_code == 403
    review = staff.post(f"/staff/intakes/{first_id}/edit")
    assert review.url.path == "/new/review", review.text[:500]
    assert f"You are correcting intake {first_id}" in review.text
    assert "Save the corrected answers" in review.text
    assert "Sent: by the clinic, which dates the letter the day it makes it" in review.text
    page = staff.get("/new/requester")
    assert page.status_code == 200 and "Rosa Díaz" in page.text
    # Each page is checked as the family's was: a broken email is refused, nothing saved
    broken = staff.post("/new/requester", {**PUBLIC_PAGES[3][1], "requester.email": "rosa@"})
    assert broken.status_code == 400
    corrected = staff.post("/new/requester", {**PUBLIC_PAGES[3][1],
                                              "requester.name": "Rosa M. Díaz"})
    assert corrected.url.path == "/new/review", corrected.text[:500]
    assert intakes.intake_by_id(log, first_id).answers["requester"]["name"] == "Rosa Díaz"
    saved = staff.post("/new/write")
    assert saved.url.path == f"/staff/intakes/{first_id}", saved.text[:500]
    assert "The corrected answers are saved." in saved.text
    edited = intakes.intake_by_id(log, first_id)
    assert edited.answers["requester"]["name"] == "Rosa M. Díaz"
    assert edited.answers["language"] == "es"  # the family's language, not the staff's
    assert edited.status == "submitted"
    assert [(e.who, e.subject) for e in entries(log) if e.action == "intake edited"] == [
        ("Ana Lima", first_id)]
    # Done: the interview's pages are closed to her again
    assert staff.get("/new/requester").status_code == 403
    # A family's session cannot correct or produce anything
    family = browser(clinic)
    family.get(f"/i/{open_one}")
    assert family.post(f"/staff/intakes/{second_id}/edit").status_code == 403
    assert family.post("/staff/produce", {"intakes": [second_id]}).status_code == 403
    # Two checked in the queue become two requests, each in its own folder, by her name;
    # one that is not waiting is named, and does not stop the others
    queue = staff.get("/staff")
    assert f'value="{first_id}"' in queue.text and f'value="{second_id}"' in queue.text
    done = staff.post("/staff/produce", {"intakes": [first_id, second_id, "0000000000"]})
    assert done.status_code == 200, done.text[:1000]
    made = re.findall(r"/requests/([0-9a-f]{10})", done.text)
    assert len(set(made)) == 2
    assert "Intake 0000000000" in done.text
    for intake_id in (first_id, second_id):
        produced = intakes.intake_by_id(log, intake_id)
        assert produced.status == "produced" and produced.request_id in made
        logged = Workspace(database_url=_url()).log.get(produced.request_id)
        assert logged.created_by == "Ana Lima"
    letter = Workspace(database_url=_url()).log.get(
        intakes.intake_by_id(log, first_id).request_id).request
    assert (letter.requester.name, letter.language) == ("Rosa M. Díaz", "es")
    # Produced already: correcting it is refused, and nothing changes
    refused = staff.post(f"/staff/intakes/{first_id}/edit")
    assert refused.url.path == f"/staff/intakes/{first_id}"
    assert "Only a submitted intake can be corrected." in refused.text
    nothing = staff.post("/staff/produce", {})
    assert nothing.url.path == "/staff" and "Check the intakes to produce first." in nothing.text


def test_admins_manage_accounts_and_read_the_trail_and_staff_cannot(clinic: Any) -> None:
    log = open_log(_url())
    accounts.add_staff(log, "Ana Lima", PASSWORD, role=accounts.Role.ADMIN, by="setup",
                       at=datetime.now(UTC))
    admin = staff_member(clinic)
    page = admin.get("/staff/accounts")
    assert page.status_code == 200 and "Ana Lima" in page.text
    assert 'href="/staff/audit"' in page.text  # an admin's menu
    before = accounts.staff_list(log)
    # Refused, with the field named, and nothing added
    for form, words in (
            ({"name": "Ben Ortiz", "password": PASSWORD, "password_again": PASSWORD + "x"},
             "The two passwords differ"),
            ({"name": "Ben Ortiz", "password": "short", "password_again": "short"},
             "too short"),
            ({"name": "Ana Lima", "password": PASSWORD, "password_again": PASSWORD},
             "already a staff account")):
        refused = admin.post("/staff/accounts", {**form, "role": "staff"})
        assert refused.status_code == 400 and words in refused.text, refused.text[:800]
        assert 'class="error-summary"' in refused.text
    assert accounts.staff_list(log) == before
    added = admin.post("/staff/accounts", {"name": "Ben Ortiz", "password": PASSWORD,
                                           "password_again": PASSWORD, "role": "staff"})
    assert added.status_code == 200 and "Ben Ortiz can now sign in" in added.text
    assert ("Ben Ortiz", accounts.Role.STAFF) in [(p.name, p.role) for p in
                                                   accounts.staff_list(log)]
    # Ben, a staff member, has no admin page, and cannot change an account
    ben = staff_member(clinic, "Ben Ortiz")
    assert 'href="/staff/audit"' not in ben.get("/staff").text
    for path in ("/staff/accounts", "/staff/audit"):
        assert ben.get(path).status_code == 403, path
    assert ben.post("/staff/accounts/off", {"name": "Ana Lima"}).status_code == 403
    assert ben.post("/staff/accounts", {"name": "Eve", "password": PASSWORD,
                                        "password_again": PASSWORD,
                                        "role": "admin"}).status_code == 403
    assert [p.name for p in accounts.staff_list(log)] == ["Ana Lima", "Ben Ortiz"]
    # Turned off by the admin: Ben's open session ends at once
    off = admin.post("/staff/accounts/off", {"name": "Ben Ortiz"})
    assert "Ben Ortiz can no longer sign in." in off.text
    assert ben.get("/staff").url.path == "/staff/signin"
    # The last admin who can sign in stays on
    last = admin.post("/staff/accounts/off", {"name": "Ana Lima"})
    assert "the only admin who can sign in" in last.text
    assert [p.active for p in accounts.staff_list(log)] == [True, False]
    assert admin.post("/staff/accounts/sideways", {"name": "Ben Ortiz"}).status_code == 404
    # The trail says who did what, in the reader's words
    trail = admin.get("/staff/audit", headers={"Accept-Language": "es"})
    assert trail.status_code == 200 and "cuenta del personal desactivada" in trail.text
    assert "staff added" in admin.get("/staff/audit").text
    assert "staff turned off" in admin.get("/staff/audit").text


def _submitted(answers: dict[str, Any], language: str = "") -> str:
    """An intake a family submitted with these answers (through the library, as her link's
    pages do); its id."""
    from recordskit.service import Workspace as Service

    log = open_log(_url())
    secret = link(language)
    intakes.save_answers(log, secret, answers, at=datetime.now(UTC))
    intakes.submit(log, secret, Service(database_url=_url()).directory, at=datetime.now(UTC))
    return _id_of(log, secret)


ANSWERS: dict[str, Any] = {
    "agency": "bpd", "records": ["ice-requests-and-responses"], "other_records": "",
    "requester": {"name": "Boston Family Clinic", "email": "clinic@example.org"},
    "delivery": "mail", "sent_on": "2026-06-12", "fee_waiver": "none", "max_fee": 0,
    "format": "electronic"}


def test_what_the_clinics_trial_found(clinic: Any, requests_folder: Path) -> None:
    """A family's summary in her language whoever produces it; two families with the same
    answers never made one request; personal details flagged in the queue and never made in
    a batch; a family's link always https."""
    from tests.conftest import docx_text

    log = open_log(_url())
    first = _submitted({**ANSWERS, "language": "es"}, "es")
    second = _submitted({**ANSWERS, "language": "es"}, "es")
    child = _submitted({**ANSWERS, "records": [],
                        "other_records": "Reports about my son Juan Pérez Rodríguez"})
    staff = staff_member(clinic)
    queue = staff.get("/staff")
    assert queue.text.count("The privacy check found personal details") == 1
    assert "BPD" in queue.text and "Español" in queue.text
    done = staff.post("/staff/produce", {"intakes": [first, second, child]})
    assert done.status_code == 200, done.text[:800]
    made = intakes.intake_by_id(log, first)
    assert made.status == "produced"
    logged = Workspace(database_url=_url()).log.get(made.request_id)
    # Her summary in Spanish, though staff produced it on English pages
    summary = docx_text(Path(logged.folder) / "summary.docx")
    assert "Su solicitud" in summary, summary[:300]
    # The same letter is never made twice, nor moved to another folder
    assert f"Intake {second}" in done.text and "asks exactly what request" in done.text
    assert intakes.intake_by_id(log, second).status == "submitted"
    assert Workspace(database_url=_url()).log.get(made.request_id).folder == logged.folder
    # A child's name: named, and left for staff to produce from its own page
    assert f"Intake {child}: the privacy check found personal details" in done.text
    assert intakes.intake_by_id(log, child).status == "submitted"
    page = staff.get(f"/staff/intakes/{child}")
    assert "Juan Pérez Rodríguez" in page.text and "<li>: " not in page.text
    # The produced page leads back to each intake, to mark it sent, and so does the request's
    assert f'href="/staff/intakes/{first}"' in done.text
    assert f'href="/staff/intakes/{first}"' in staff.get(f"/requests/{made.request_id}").text
    # A link is https, whether or not the proxy said so
    made_link = staff.client.post("/staff/links", data={
        "csrf": re.search(r'name="csrf" value="([^"]+)"', queue.text).group(1),
        "language": "es", "days": "14", "label": ""},
        headers={"X-Forwarded-Proto": "http"})
    assert re.search(r'value="https://[^"]+/i/[\w-]{40,}"', made_link.text), made_link.text[-800:]


def test_moments_are_shown_on_bostons_clocks() -> None:
    from recordskit.web.library import moment_words

    # Eastern standard time in December (UTC-5), daylight time in July (UTC-4)
    assert moment_words("2026-12-21T22:45:30Z").endswith(", 17:45")
    assert moment_words("2026-07-01T03:30:00Z").endswith(", 23:30")
    assert "2026" in moment_words("2026-07-01T03:30:00Z")
    assert "June 30" in moment_words("2026-07-01T03:30:00Z")  # the day before, there
