"""A clinic's server set up in one command (`clinic setup`), on the real PostgreSQL server:
its tables, its first admin, its requests folder, its settings file and its systemd unit; then
`--config FILE` for every command and the settings systemd hands the server."""

from __future__ import annotations

import os
import re
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx2
import pytest
from click.testing import CliRunner

from recordskit.cli import cli
from recordskit.clinic import accounts
from recordskit.clinic.audit import entries
from recordskit.clinic.settings import ClinicSettings, read_settings, settings_text
from recordskit.clinic.unit import unit_text
from recordskit.errors import InputFileError
from recordskit.service import open_log

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"  # noqa: S105 (a test account's)
ON_POSTGRES = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
# Argon2id at its lowest cost while working (see the fixture); CI hashes at the recommended cost
pytestmark = pytest.mark.usefixtures("quick_password_hashes")


@pytest.fixture
def url(backend: str, monkeypatch: pytest.MonkeyPatch) -> str:
    # The URL is given as a clinic gives it, by --database, not by the environment
    monkeypatch.delenv("RECORDSKIT_DATABASE_URL")
    return backend


def setup(url: str, folder: Path, *more: str, given: str = PASSWORD + "\n") -> Any:
    return CliRunner().invoke(cli, [
        "--database", url, "clinic", "setup", str(folder / "etc" / "clinic.env"),
        "--public-host", "Records.Example-Clinic.org", "--admin", "Ana Lima",
        "--password-stdin", "--out", str(folder / "requests"), *more], input=given)


@ON_POSTGRES
def test_one_command_sets_a_clinic_up_and_again_changes_nothing(url: str,
                                                                tmp_path: Path) -> None:
    done = setup(url, tmp_path)
    assert done.exit_code == 0, done.output
    config = tmp_path / "etc" / "clinic.env"
    # Readable by its owner alone: it holds the database password
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    settings = read_settings(config)
    assert settings == ClinicSettings(url, ("records.example-clinic.org",),
                                      requests=tmp_path / "requests")
    assert (tmp_path / "requests").is_dir()
    # The tables are there, and the admin can sign in
    log = open_log(url)
    [ana] = accounts.staff_list(log)
    assert (ana.name, ana.role) == ("Ana Lima", accounts.Role.ADMIN)
    assert accounts.sign_in(log, "Ana Lima", PASSWORD, at=accounts_now()).token
    assert "Wrote the settings in" in done.output
    assert "--config" in done.output and "serve --clinic" in done.output
    assert "https://records.example-clinic.org/staff" in done.output

    # Again, with no password to give: nothing is asked, nothing is changed
    written = config.read_bytes()
    again = setup(url, tmp_path, given="")
    assert again.exit_code == 0, again.output
    assert "already has an admin account" in again.output
    assert "already says this" in again.output
    assert config.read_bytes() == written
    assert [e.action for e in entries(log)].count("staff added") == 1


def accounts_now() -> Any:
    from recordskit.clinic.audit import now

    return now()


@ON_POSTGRES
def test_a_settings_file_that_says_otherwise_is_kept_unless_replaced(url: str,
                                                                     tmp_path: Path) -> None:
    config = tmp_path / "etc" / "clinic.env"
    config.parent.mkdir()
    config.write_text("RECORDSKIT_DATABASE_URL=postgresql://other@db/records\n"
                      "RECORDSKIT_PUBLIC_HOST=old.example.org\n")
    config.chmod(0o640)
    refused = setup(url, tmp_path)
    assert refused.exit_code == 1
    assert "already exists and says something else" in refused.output
    # Refused before anything was done: no account, no folder
    assert not (tmp_path / "requests").exists()
    assert accounts.staff_list(open_log(url)) == []
    assert "old.example.org" in config.read_text()

    replaced = setup(url, tmp_path, "--replace")
    assert replaced.exit_code == 0, replaced.output
    assert read_settings(config).public_hosts == ("records.example-clinic.org",)
    assert stat.S_IMODE(config.stat().st_mode) == 0o640  # a replaced file keeps its mode


@ON_POSTGRES
def test_a_refused_setup_leaves_nothing(url: str, tmp_path: Path) -> None:
    short = setup(url, tmp_path, given="short\n")
    assert short.exit_code == 1 and "too short" in short.output
    assert not (tmp_path / "etc").exists() and not (tmp_path / "requests").exists()
    assert accounts.staff_list(open_log(url)) == []
    for bad, field in (("http://records.example.org", "--public-host"),
                       ("records example.org", "--public-host")):
        refused = CliRunner().invoke(cli, [
            "--database", url, "clinic", "setup", str(tmp_path / "clinic.env"),
            "--public-host", bad, "--admin", "Ana", "--password-stdin"], input=PASSWORD)
        assert refused.exit_code == 1 and field in refused.output, refused.output
        assert "Traceback" not in refused.output
    no_database = CliRunner().invoke(cli, ["clinic", "setup", str(tmp_path / "clinic.env"),
                                           "--public-host", "records.example.org",
                                           "--admin", "Ana"], env={"RECORDSKIT_DATABASE_URL": ""})
    assert no_database.exit_code == 1
    assert "--database postgresql://" in no_database.output
    # A password with a character systemd would read differently is refused, not quoted
    dollar = CliRunner().invoke(cli, [
        "--database", url.replace("recordskit@", "recordskit:pa$$word@"), "clinic", "setup",
        str(tmp_path / "clinic.env"), "--public-host", "records.example.org", "--admin", "Ana",
        "--password-stdin"], input=PASSWORD)
    assert dollar.exit_code == 1 and "%24" in dollar.output
    assert not (tmp_path / "clinic.env").exists()


@ON_POSTGRES
def test_the_unit_it_writes_is_the_one_deploy_shows(url: str, tmp_path: Path) -> None:
    unit = tmp_path / "systemd" / "recordskit-clinic.service"
    done = setup(url, tmp_path, "--unit", str(unit), "--user", "nobody")
    assert done.exit_code == 0, done.output
    assert "systemctl enable --now recordskit-clinic" in done.output
    text = unit.read_text()
    program = re.search(r"^ExecStart=(\S+) serve --clinic$", text, re.MULTILINE)
    assert program and Path(program.group(1)).is_absolute()
    assert f"EnvironmentFile={tmp_path / 'etc' / 'clinic.env'}" in text
    assert f"ReadWritePaths={tmp_path / 'requests'}" in text
    assert "User=nobody" in text
    if os.geteuid() == 0:  # the server, run as that account, writes there
        import pwd

        assert (tmp_path / "requests").stat().st_uid == pwd.getpwnam("nobody").pw_uid
    # deploy/ holds the same unit for the paths README shows
    shown = (ROOT / "deploy" / "recordskit-clinic.service").read_text()
    assert shown == unit_text(program=Path("/opt/recordskit/.venv/bin/recordskit"),
                              config=Path("/etc/recordskit/clinic.env"),
                              requests=Path("/var/lib/recordskit/requests"), user="recordskit")
    missing = setup(url, tmp_path / "other", "--unit", str(tmp_path / "other.service"),
                    "--user", "no-such-user")
    if os.geteuid() == 0:  # as root, the account must be there to own the folder
        assert missing.exit_code == 1 and "useradd" in missing.output
        assert not (tmp_path / "other").exists()
    else:
        assert missing.exit_code == 0, missing.output


def test_the_example_settings_read_as_written() -> None:
    example = read_settings(ROOT / "deploy" / "clinic.env")
    assert example == ClinicSettings("postgresql://clinic:CHANGE-ME@127.0.0.1/records",
                                     ("records.example-clinic.org",))
    text = settings_text(example, written_on=date(2026, 12, 7))
    body = [line for line in text.splitlines() if not line.startswith("#")]
    shown = [line for line in (ROOT / "deploy" / "clinic.env").read_text().splitlines()
             if not line.startswith("#")]
    assert body == shown


def test_a_broken_settings_file_is_named_line_by_line(tmp_path: Path) -> None:
    path = tmp_path / "clinic.env"
    path.write_text("# settings\nRECORDSKIT_PORT=99999\nRECORDSKIT_PORT=8000\nnot a line\n"
                    "RECORDSKIT_PUBLIC_HOST=https://records.example.org\nRECORDSKIT_REQUESTS="
                    "requests\nRECORDSKIT_DATABASE_URL=sqlite:///x\nEXTRA=1\n")
    with pytest.raises(InputFileError) as found:
        read_settings(path)
    lines = str(found.value).splitlines()
    assert [line.split(":")[1] for line in lines] == ["2", "3", "4", "5", "6", "7", "8"]
    assert "from 1 to 65535" in lines[0] and "given twice" in lines[1]
    assert "without https://" in lines[3] and "whole path" in lines[4]
    assert "postgresql://" in lines[5] and "not a setting" in lines[6]
    shown = CliRunner().invoke(cli, ["--config", str(path), "staff", "list"])
    assert shown.exit_code == 1 and f"{path}:2: RECORDSKIT_PORT:" in shown.output
    assert "Traceback" not in shown.output
    path.write_bytes(b"RECORDSKIT_PORT=8000\n" * 200_000)
    too_big = CliRunner().invoke(cli, ["--config", str(path), "staff", "list"])
    assert too_big.exit_code == 1 and "over the limit" in too_big.output


@pytest.fixture
def configured(url: str, tmp_path: Path) -> Iterator[Path]:
    done = setup(url, tmp_path)
    assert done.exit_code == 0, done.output
    yield tmp_path / "etc" / "clinic.env"


@ON_POSTGRES
def test_every_command_takes_the_settings_file(configured: Path, url: str) -> None:
    listed = CliRunner().invoke(cli, ["--config", str(configured), "staff", "list"],
                                env={"COLUMNS": "200"})
    assert listed.exit_code == 0 and "Ana Lima" in listed.output
    # `clinic purge` keeps intakes as long as the settings say, and the trail says so
    purged = CliRunner().invoke(cli, ["--config", str(configured), "clinic", "purge",
                                      "--by", "Ana Lima"])
    assert purged.exit_code == 0, purged.output
    [purge] = [e for e in entries(open_log(url)) if e.action == "intakes purged"]
    assert "30" in purge.detail and "365" in purge.detail
    # The commands it prints reach the same log: they carry the settings file
    empty = CliRunner().invoke(cli, ["--config", str(configured), "status"],
                               env={"COLUMNS": "300"})
    assert f"recordskit --config {configured} status --all" in empty.output, empty.output
    unset = CliRunner().invoke(cli, ["--database", url, "clinic", "purge"])
    assert unset.exit_code == 1 and "--config FILE" in unset.output


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.mark.slow
@ON_POSTGRES
@pytest.mark.parametrize("how", ["config", "systemd"])
def test_the_server_starts_from_the_settings(configured: Path, how: str) -> None:
    """By hand (``--config FILE``), and as systemd runs it: the file's lines as the
    environment, and no option at all."""
    port = _free_port()
    text = configured.read_text().replace("RECORDSKIT_PORT=8765", f"RECORDSKIT_PORT={port}")
    configured.write_text(text)
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("RECORDSKIT_")}
    environment |= {"PYTHONUNBUFFERED": "1", "HOME": str(configured.parent)}
    command = [sys.executable, "-m", "recordskit"]
    if how == "config":
        command += ["--config", str(configured), "serve", "--clinic"]
    else:
        environment |= dict(line.split("=", 1) for line in text.splitlines()
                            if line and not line.startswith("#"))
        command += ["serve", "--clinic"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=environment)
    try:
        assert process.stdout is not None
        printed = process.stdout.readline()
        assert f"port {port}" in printed and "records.example-clinic.org" in printed, printed
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                page = httpx2.get(f"{base}/staff/signin",
                                 headers={"Host": "records.example-clinic.org"})
                break
            except httpx2.ConnectError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
        assert page.status_code == 200 and "Strict-Transport-Security" in page.headers
        assert httpx2.get(f"{base}/staff/signin",
                         headers={"Host": "elsewhere.example.org"}).status_code == 400
    finally:
        process.terminate()
        process.wait(10)


@ON_POSTGRES
def test_setting_up_again_names_the_first_admin_and_what_differs(url: str,
                                                                 tmp_path: Path) -> None:
    assert setup(url, tmp_path).exit_code == 0
    other = CliRunner().invoke(cli, [
        "--database", url, "clinic", "setup", str(tmp_path / "etc" / "clinic.env"),
        "--public-host", "records.example-clinic.org", "--admin", "Ana M. Lima",
        "--password-stdin", "--out", str(tmp_path / "requests")], input=PASSWORD + "\n")
    assert other.exit_code == 1 and "already has its admin (Ana Lima)" in other.output
    assert [p.name for p in accounts.staff_list(open_log(url))] == ["Ana Lima"]
    moved = setup(url, tmp_path, "--port", "9000", given="")
    assert moved.exit_code == 1 and "(RECORDSKIT_PORT)" in moved.output
