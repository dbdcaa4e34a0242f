"""The pages' fixtures: the application behind its guard, a browser-like client with a session,
and a real server on a free port of 127.0.0.1 for the browser tests."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("starlette")

from starlette.testclient import TestClient

from recordskit.web.app import WebConfig, create_app

TOKEN = "test-token-0123456789abcdef"  # noqa: S105 (a test's own)


def today() -> date:
    return date.fromisoformat(os.environ.get("RECORDSKIT_TODAY", "2026-06-12"))


@pytest.fixture
def requests_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "requests"
    folder.mkdir()
    return folder


def config(folder: Path, port: int = 8765) -> WebConfig:
    return WebConfig(folder=folder, token=TOKEN, port=port, today=today)


@dataclass
class Visitor:
    """A browser's visit through the test client: a session, and its CSRF token."""

    client: TestClient
    csrf: str = ""

    def get(self, path: str, **kwargs: Any) -> Any:
        response = self.client.get(path, **kwargs)
        found = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        form = {"csrf": self.csrf, **(data or {})}
        response = self.client.post(path, data=form, **kwargs)
        found = re.search(r'name="csrf" value="([^"]+)"', response.text)
        if found:
            self.csrf = found.group(1)
        return response


@pytest.fixture
def app(requests_folder: Path) -> Any:
    return create_app(config(requests_folder))


def visitor(app: Any, *, language: str | None = "en") -> Visitor:
    client = TestClient(app, base_url="http://127.0.0.1:8765")
    client.get(f"/?token={TOKEN}")
    seen = Visitor(client)
    seen.get("/language")
    if language:
        seen.post("/language", {"language": language})
    return seen


@pytest.fixture
def family(app: Any) -> Visitor:
    return visitor(app)


PUBLIC_PAGES: list[tuple[str, dict[str, Any]]] = [
    ("/new", {"kind": "public_records"}),
    ("/new/agency", {"agency": "bps"}),
    ("/new/records", {"records": ["school-police-reports-shared-with-bric"],
                      "other_records": "", "date_from": "", "date_to": ""}),
    ("/new/requester", {"requester.name": "Rosa Díaz", "requester.organization": "",
                        "requester.email": "rosa@example.org",
                        "requester.mailing_address": "", "requester.phone": ""}),
    ("/new/sending", {"delivery": "email", "send_to": "", "sent_on": "2026-06-12",
                      "fee_waiver": "none", "max_fee": "0", "format": "electronic"}),
]


def make_request(seen: Visitor, pages: list[tuple[str, dict[str, Any]]] | None = None) -> str:
    """Answer every page, write the letter, and return the request's id."""
    for path, data in pages or PUBLIC_PAGES:
        response = seen.post(path, data)
        assert response.status_code == 200, (path, response.text[:2000])
    assert response.url.path == "/new/review", response.url
    made = seen.post("/new/write")
    assert made.status_code == 200
    found = re.search(r"/requests/([0-9a-f]{10})$", made.url.path)
    assert found, made.url
    return found.group(1)


# -- a real server, for the browser ----------------------------------------------------------

@dataclass
class LiveServer:
    url: str
    folder: Path

    def start_url(self) -> str:
        return f"{self.url}/?token={TOKEN}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(requests_folder: Path) -> Iterator[LiveServer]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(config(requests_folder, port)),
                                           host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield LiveServer(f"http://127.0.0.1:{port}", requests_folder)
    server.should_exit = True
    thread.join(10)
