"""The pages are for the browser that opened the printed address, and no one else.

Each refusal is checked for what it leaves behind too: nothing logged, nothing written."""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from recordskit.service import open_log
from tests.web.conftest import (
    PUBLIC_PAGES,
    TOKEN,
    LiveServer,
    Visitor,
    make_request,
    visitor,
)


def _logged() -> list[Any]:
    return list(open_log().all())


def test_without_the_token_nothing_is_served(app: Any, requests_folder: Path) -> None:
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    for path in ("/", "/language", "/new", "/requests", "/static/style.css", "/nope"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert "set-cookie" not in response.headers
        assert "<html lang=" in response.text and 'name="csrf"' not in response.text
    assert client.post("/new", data={"kind": "public_records"}).status_code == 403
    assert list(requests_folder.iterdir()) == [] and _logged() == []


def test_a_wrong_token_is_refused(app: Any, requests_folder: Path) -> None:
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    response = client.get("/?token=not-the-token", follow_redirects=False)
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert client.get("/").status_code == 403
    assert list(requests_folder.iterdir()) == [] and _logged() == []


def test_the_token_sets_a_session_and_leaves_the_address(app: Any) -> None:
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    response = client.get(f"/requests?token={TOKEN}&x=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/requests?x=1"  # the token is gone
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    assert TOKEN not in cookie
    assert client.get("/requests").status_code == 200


def test_the_cookie_holds_only_an_id_and_answers_never_travel_in_addresses(
        family: Visitor) -> None:
    id_ = make_request(family)
    cookie = family.client.cookies.get("recordskit_session") or ""
    assert len(cookie) < 120 and "Rosa" not in cookie and "example" not in cookie
    page = family.get(f"/requests/{id_}")
    for link in re.findall(r'href="([^"]+)"', page.text):
        assert "Rosa" not in link and "@" not in link and "token" not in link


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8765", "127.0.0.1.nip.io",
                                  "127.0.0.1:9999", "localhost.evil.example:8765", ""])
def test_a_foreign_host_is_refused(app: Any, requests_folder: Path, host: str) -> None:
    """DNS rebinding: a page elsewhere whose name now points at 127.0.0.1 gets nothing, not
    even with the token, nor with a good session."""
    seen = visitor(app)
    good = seen.client.get("/requests")
    assert good.status_code == 200
    for path in (f"/?token={TOKEN}", "/requests", "/new"):
        response = seen.client.get(path, headers={"host": host}, follow_redirects=False)
        assert response.status_code == 400, (host, path)
        assert "set-cookie" not in response.headers
    posted = seen.client.post("/new", data={"csrf": seen.csrf, "kind": "public_records"},
                              headers={"host": host}, follow_redirects=False)
    assert posted.status_code == 400
    assert list(requests_folder.iterdir()) == [] and _logged() == []


def test_localhost_is_this_server(app: Any) -> None:
    client = TestClient(app, base_url="http://localhost:8765")
    assert client.get(f"/?token={TOKEN}").status_code == 200


def _ready_to_write(seen: Visitor) -> None:
    for path, data in PUBLIC_PAGES:
        assert seen.post(path, data).status_code == 200


def test_a_post_without_the_csrf_token_or_with_another_sessions_is_refused(
        app: Any, requests_folder: Path) -> None:
    ours, theirs = visitor(app), visitor(app)
    _ready_to_write(ours)
    bare = ours.client.post("/new/write", data={})
    assert bare.status_code == 403
    borrowed = ours.client.post("/new/write", data={"csrf": theirs.csrf})
    assert borrowed.status_code == 403
    forged = ours.client.post("/new/write", data={"csrf": ours.csrf + "x"})
    assert forged.status_code == 403
    assert list(requests_folder.iterdir()) == [] and _logged() == []
    # and an event on a request that exists
    id_ = make_request(ours)
    before = len(open_log().get(id_).events)
    for csrf in ("", theirs.csrf):
        refused = ours.client.post(f"/requests/{id_}/answered", data={
            "csrf": csrf, "meaning": "denied", "on": "2026-06-12"})
        assert refused.status_code == 403
    assert len(open_log().get(id_).events) == before


def test_a_form_from_another_site_is_refused(family: Visitor, requests_folder: Path) -> None:
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                    {"origin": "http://127.0.0.1:9999"}):
        response = family.client.post("/new", data={"csrf": family.csrf,
                                                     "kind": "public_records"},
                                      headers=headers, follow_redirects=False)
        assert response.status_code == 403, headers
    assert list(requests_folder.iterdir()) == []


# Each path makes a request through the pages first (0.2 s of CPU): the quick run tries a
# plain and an encoded climb, CI every path.
@pytest.mark.parametrize("path", [
    "../answers.yaml", *(pytest.param(path, marks=pytest.mark.slow) for path in (
        "..%2Fanswers.yaml", "%2e%2e/%2e%2e/etc/passwd", "/etc/passwd", "follow-up/../../x",
        ".hidden", "a/b/c", "letter.docx%00.txt", "..")),
    "%2F..%2F..%2Fetc%2Fpasswd",
])
def test_a_download_cannot_walk_out_of_its_folder(family: Visitor, requests_folder: Path,
                                                  path: str, tmp_path: Path) -> None:
    id_ = make_request(family)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    folder = next(requests_folder.iterdir())
    (folder / "schedule.csv").unlink()
    (folder / "schedule.csv").symlink_to(tmp_path / "secret.txt")
    (folder / "notes.txt").write_text("secret", encoding="utf-8")
    before = sorted(p.name for p in folder.iterdir())
    events = len(open_log().get(id_).events)
    response = family.client.get(f"/requests/{id_}/files/{path}")
    # (the client may tidy the address first: ".." can become the request's own page)
    assert response.status_code in (400, 404) or "attachment" not in response.headers.get(
        "content-disposition", ""), path
    assert "secret" not in response.text and "root:" not in response.text
    assert family.client.get(f"/requests/{id_}/files/schedule.csv").status_code == 404
    assert family.client.get(f"/requests/{id_}/files/notes.txt").status_code == 404
    page = family.get(f"/requests/{id_}").text
    assert "notes.txt" not in page and "files/schedule.csv" not in page
    assert sorted(p.name for p in folder.iterdir()) == before
    assert len(open_log().get(id_).events) == events
    assert family.client.get(f"/requests/{id_}/files/letter.docx").status_code == 200


def test_another_sessions_request_is_not_found(app: Any) -> None:
    ours, theirs = visitor(app), visitor(app)
    id_ = make_request(ours)
    assert theirs.get(f"/requests/{id_}").status_code == 404
    assert theirs.get(f"/requests/{id_}/files/letter.docx").status_code == 404
    assert theirs.get(f"/requests/{id_}/calendar.ics").status_code == 404
    assert id_ not in theirs.get("/requests").text


def test_every_answer_carries_the_security_headers(family: Visitor, app: Any) -> None:
    id_ = make_request(family)
    anonymous = TestClient(app, base_url="http://127.0.0.1:8765")
    for response in (family.get("/"), family.get("/new/agency"), family.get(f"/requests/{id_}"),
                     family.get(f"/requests/{id_}/files/summary.docx"),
                     family.get("/static/style.css"), family.get("/nope"),
                     anonymous.get("/"), anonymous.get("/", headers={"host": "evil"})):
        headers = response.headers
        assert headers["cache-control"] == "no-store"
        policy = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert headers["referrer-policy"] == "no-referrer"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
    page = family.get("/new/agency").text
    assert "<script>" not in page and " on" + "click=" not in page and "style=" not in page
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page


def test_finish_and_forget_ends_the_session(family: Visitor) -> None:
    family.post("/new", {"kind": "public_records"})
    family.post("/new/agency", {"agency": "bps"})
    response = family.post("/forget")
    assert response.status_code == 200
    assert "Max-Age=0" in response.headers["set-cookie"]
    assert family.client.get("/new/records").status_code == 403
    assert family.client.get(f"/?token={TOKEN}").status_code == 200  # a fresh session
    assert family.get("/new/records").status_code in (200, 303)
    assert "bps" not in family.get("/new/agency").text.split("checked")[0][-200:]


def test_a_form_over_the_size_limits_is_refused(family: Visitor, requests_folder: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RECORDSKIT_MAX_WEB_BODY_BYTES", "5000")
    big = family.client.post("/new", data={"csrf": family.csrf, "kind": "x" * 6000})
    assert big.status_code == 413
    chunked = family.client.post("/new", content=iter([b"csrf=" + b"x" * 6000]),
                                 headers={"content-type": "application/x-www-form-urlencoded"})
    assert chunked.status_code == 413
    monkeypatch.setenv("RECORDSKIT_MAX_WEB_FIELDS", "10")
    many = family.client.post("/new", data={"csrf": family.csrf,
                                            **{f"f{i}": "1" for i in range(20)}})
    assert many.status_code in (400, 413)
    assert list(requests_folder.iterdir()) == []


def test_ten_sessions_at_once_never_see_each_others_answers(live_server: LiveServer) -> None:
    """Ten browsers at once, each with its own family, through a real server: each sees only
    its own answers, requests and files."""
    errors: list[str] = []
    made: dict[int, str] = {}
    barrier = threading.Barrier(10)

    def family(number: int) -> None:
        name = f"Familia{number:02d} Prueba"
        with httpx2.Client(base_url=live_server.url, follow_redirects=True, timeout=60) as web:
            web.get(f"/?token={TOKEN}")
            csrf = re.search(r'name="csrf" value="([^"]+)"', web.get("/language").text)
            assert csrf
            token = csrf.group(1)
            web.post("/language", data={"csrf": token, "language": ("en", "es", "ht")[number % 3]})
            barrier.wait(30)
            pages = [dict(data) for _path, data in PUBLIC_PAGES]
            pages[3]["requester.name"] = name
            pages[3]["requester.email"] = f"familia{number}@example.org"
            for (path, _data), data in zip(PUBLIC_PAGES, pages, strict=True):
                web.post(path, data={"csrf": token, **data})
            review = web.get("/new/review").text
            if name not in review or any(f"Familia{other:02d}" in review
                                         for other in range(10) if other != number):
                errors.append(f"{number}: review shows another family's answers")
            page = web.post("/new/write", data={"csrf": token})
            found = re.search(r"/requests/([0-9a-f]{10})$", str(page.url))
            if not found:
                errors.append(f"{number}: no request made")
                return
            made[number] = found.group(1)
            barrier.wait(60)
            mine = web.get("/requests").text
            for other, other_id in made.items():
                if other != number and other_id in mine:
                    errors.append(f"{number} sees request of {other}")
            for other, other_id in made.items():
                if other != number and web.get(f"/requests/{other_id}").status_code != 404:
                    errors.append(f"{number} opens request of {other}")

    threads = [threading.Thread(target=family, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    assert len(set(made.values())) == 10
    for number, id_ in made.items():
        answers = (Path(open_log().get(id_).folder) / "answers.yaml").read_text(encoding="utf-8")
        assert f"Familia{number:02d}" in answers
    assert os.environ["RECORDSKIT_HOME"]


@pytest.mark.parametrize("path", ["../x", "..", "/etc/passwd", "a/../../b", "a/b/c", ".x",
                                  "x\x00y", "", "a//b", "how_to_send.txt",
                                  "appeal/how_to_send.txt", "notes.txt", "sub/letter.docx",
                                  "appeal/../letter.docx", "../request/letter.docx"])
def test_the_file_guard_refuses_raw_paths(tmp_path: Path, path: str) -> None:
    from recordskit.web.app import _file_in

    folder = tmp_path / "request"
    (folder / "sub").mkdir(parents=True)
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (folder / "appeal").mkdir()
    (folder / "how_to_send.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "appeal" / "how_to_send.txt").symlink_to(tmp_path / "secret.txt")
    (folder / "notes.txt").write_text("not recordskit's", encoding="utf-8")
    (folder / "sub" / "letter.docx").write_bytes(b"x")
    (folder / "letter.docx").write_bytes(b"x")
    (folder / "appeal" / "appeal.docx").write_bytes(b"x")
    assert _file_in(folder, path) is None
    assert _file_in(folder, "letter.docx") == folder / "letter.docx"
    assert _file_in(folder, "appeal/appeal.docx") == folder / "appeal" / "appeal.docx"


def test_a_forged_or_altered_session_cookie_is_no_session(app: Any, family: Visitor) -> None:
    signed = family.client.cookies.get("recordskit_session") or ""
    session_id, _dot, signature = signed.rpartition(".")
    for forged in ("", "x", signed + "x", f"{session_id}.{'A' * len(signature)}",
                   "InNvbWUtb3RoZXItaWQi.abc"):
        other = TestClient(app, base_url="http://127.0.0.1:8765",
                           cookies={"recordskit_session": forged})
        assert other.get("/requests").status_code == 403, forged
    assert family.client.get("/requests").status_code == 200
