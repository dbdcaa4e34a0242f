"""Starting the pages: the one entry ``recordskit serve`` calls.

It listens on the loopback address unless told otherwise (with a warning), on the port given or
any free one, and prints the address with its token, as a notebook server does.
"""

from __future__ import annotations

import contextlib
import ipaddress
import secrets
import socket
import webbrowser
from collections.abc import Callable
from datetime import date
from pathlib import Path

import uvicorn

from recordskit.errors import UserError
from recordskit.i18n import _
from recordskit.web.app import WebConfig, create_app

LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost"})


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def names_of(host: str) -> set[str]:
    """The names a browser elsewhere may reach ``host`` by: the address itself, and for "any
    address" (0.0.0.0, ::) this computer's name and its addresses."""
    found = {host.lower()}
    if host in ("0.0.0.0", "::"):  # noqa: S104 (said with a warning)
        name = socket.gethostname()
        found.add(name.lower())
        with contextlib.suppress(OSError):
            found |= set(socket.gethostbyname_ex(name)[2])
    return found


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host`` and ``port`` (0: any free port), or a clear error."""
    listener = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        listener.close()
        raise UserError(_("cannot listen on {host} port {port}: {reason}").format(
            host=host, port=port, reason=exc.strerror or exc)) from None
    # Listening from here on, before the address is printed and the browser opened: a socket
    # only bound refuses a connection until the server starts, and a browser that came first
    # showed the family "connection refused". Connections wait in the queue until then.
    listener.listen(128)
    return listener


def run(*, folder: Path, agencies_path: Path | None, database_url: str, host: str, port: int,
        open_browser: bool, today: Callable[[], date], say: Callable[..., None]) -> None:
    """Serve the pages until Ctrl-C, printing the address (with its token) through ``say``."""
    hosts = set(LOOPBACK_NAMES)
    if not is_loopback(host):
        hosts |= names_of(host)
        say(_("Warning: listening on {host}: other computers on the network can reach these "
              "pages (with the address's key). Use it only on a network you trust.").format(
                  host=host), err=True, bold=True)
    listener = listen(host, port)
    port = listener.getsockname()[1]
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = WebConfig(folder=folder, agencies_path=agencies_path, database_url=database_url,
                       token=secrets.token_urlsafe(24), port=port, hosts=frozenset(hosts),
                       today=today)
    app = create_app(config)
    shown = "127.0.0.1" if is_loopback(host) else (
        socket.gethostname() if host in ("0.0.0.0", "::") else host)  # noqa: S104
    address = f"http://{shown}:{port}/?token={config.token}"
    say(_("recordskit is serving the pages at:"))
    say(f"    {address}")
    say(_("Open that address in your browser. Requests are written in {folder}. Press Ctrl-C "
          "to stop.").format(folder=folder))
    if open_browser:
        webbrowser.open(address)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False,
                                           server_header=False, date_header=False))
    server.run(sockets=[listener])


def run_clinic(*, folder: Path, agencies_path: Path | None, database_url: str, host: str,
               port: int, public_hosts: list[str], today: Callable[[], date],
               say: Callable[..., None]) -> None:
    """Serve a clinic's pages behind its HTTPS reverse proxy until stopped: families by their
    intake links, staff by signing in (``recordskit staff add`` makes accounts)."""
    if not public_hosts:
        raise UserError(_("give the name the clinic's proxy serves the pages under, such as "
                          "--public-host records.example-clinic.org"))
    if not database_url:
        say(_("Warning: no PostgreSQL log is set (--database or RECORDSKIT_DATABASE_URL): the "
              "pages use this computer's SQLite log, for trying the server out only."),
            err=True, bold=True)
    listener = listen(host, port)
    port = listener.getsockname()[1]
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config = WebConfig(folder=folder, agencies_path=agencies_path, database_url=database_url,
                       port=port, hosts=frozenset({*LOOPBACK_NAMES, *(h.lower() for h in
                                                                      public_hosts)}),
                       today=today, clinic=True)
    app = create_app(config)
    say(_("recordskit is serving the clinic's pages on {host} port {port}, for {names}. "
          "Requests are written in {folder}. Press Ctrl-C to stop.").format(
              host=host, port=port, names=", ".join(public_hosts), folder=folder))
    # The proxy on this computer says the browser came over HTTPS (X-Forwarded-Proto)
    server = uvicorn.Server(uvicorn.Config(
        app, log_level="warning", access_log=False, server_header=False, date_header=False,
        proxy_headers=True, forwarded_allow_ips="127.0.0.1"))
    server.run(sockets=[listener])
