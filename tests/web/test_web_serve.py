"""`recordskit serve` as a family starts it: it prints an address with a key, answers only
that key, listens on the loopback address, and warns before listening anywhere else."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest


def _serve(tmp_path: Path, *args: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "recordskit", "serve", "--no-browser", "--lang", "en",
         "--out", str(tmp_path / "requests"), *args],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert process.stdout is not None
    printed = ""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        printed += line
        if "Ctrl-C" in line or not line:
            break
    return process, printed


@pytest.mark.slow
def test_serve_prints_an_address_with_a_key_and_answers_only_it(tmp_path: Path) -> None:
    process, printed = _serve(tmp_path)
    try:
        found = re.search(r"(http://127\.0\.0\.1:(\d+))/\?token=([\w-]{20,})", printed)
        assert found, printed
        base, token = found.group(1), found.group(3)
        assert httpx2.get(f"{base}/").status_code == 403
        assert httpx2.get(f"{base}/?token=wrong").status_code == 403
        with httpx2.Client(base_url=base, follow_redirects=True) as browser:
            page = browser.get(f"/?token={token}")
            assert page.status_code == 200 and "<html lang=" in page.text
            assert str(page.url) == f"{base}/language"
        assert (tmp_path / "requests").is_dir()
    finally:
        process.terminate()
        process.wait(10)


@pytest.mark.slow
def test_serve_warns_before_listening_beyond_this_computer(tmp_path: Path) -> None:
    process, printed = _serve(tmp_path, "--host", "0.0.0.0")  # noqa: S104
    try:
        assert "Warning: listening on 0.0.0.0" in printed
        assert "other computers on the network" in printed
    finally:
        process.terminate()
        process.wait(10)


def test_the_address_is_listened_on_before_it_is_printed() -> None:
    """The browser is opened, and the address printed, before the server starts: a socket
    only bound refused the browser that came first ("connection refused"). A connection made
    then waits in the queue for the server."""
    import socket

    from recordskit.web.serve import listen

    listener = listen("127.0.0.1", 0)
    try:
        with socket.create_connection(listener.getsockname(), timeout=5):
            pass
    finally:
        listener.close()
