"""The installed command, driven in a real terminal by tests/e2e/interview_tmux.sh."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_cli import INSTALLED

SCRIPT = Path(__file__).resolve().parent / "e2e" / "interview_tmux.sh"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.skipif(INSTALLED is None, reason="the recordskit command is not installed")
def test_interview_in_tmux(tmp_path: Path) -> None:
    result = subprocess.run(["bash", str(SCRIPT), str(INSTALLED), str(tmp_path)],
                            capture_output=True, text=True, timeout=90, check=False,
                            env={"PATH": "/usr/bin:/bin", "PYTHON": sys.executable,
                                 "HOME": str(tmp_path), "TERM": "xterm-256color"})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "E2E OK" in result.stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
@pytest.mark.skipif(sys.platform != "linux", reason="workers are forked only on Linux")
def test_batch_in_a_terminal_forks_its_workers(tmp_path: Path) -> None:
    """In a terminal the batch draws its progress bar itself, without rich's refresh thread, so
    its process has one thread and forks its workers (which start faster than spawned ones);
    it finishes and leaves its summary on the screen."""
    import csv

    from recordskit.intake.rows import COLUMNS, EXAMPLE_ROW

    rows = tmp_path / "in.csv"
    with rows.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for number in range(60):
            writer.writerow({**EXAMPLE_ROW, "row_id": f"t{number:03d}",
                             "requester.name": f"Family {number}"})
    # The batch command itself, with the start method of its workers written down.
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import multiprocessing, sys\n"
        "from recordskit.cli import cli\n"
        "real = multiprocessing.get_context\n"
        "def recorded(method=None):\n"
        "    with open('methods.txt', 'a') as out:\n"
        "        out.write(f'{method}\\n')\n"
        "    return real(method)\n"
        "multiprocessing.get_context = recorded\n"
        "if __name__ == '__main__':\n"
        "    cli(['batch', 'in.csv', '--out', 'out', '--workers', '2'])\n", encoding="utf-8")
    server = ["tmux", "-L", f"rk-batch-{tmp_path.name}"]
    command = (f"cd '{tmp_path}' && RECORDSKIT_HOME='{tmp_path}/home' '{sys.executable}' "
               f"probe.py; echo EXIT=$?; sleep 30")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TERM": "xterm-256color"}
    subprocess.run([*server, "new-session", "-d", "-s", "batch", "-x", "120", "-y", "30",
                    command], check=True, env=env)
    try:
        screen = ""
        for _ in range(600):
            screen = subprocess.run([*server, "capture-pane", "-p", "-t", "batch"],
                                    capture_output=True, text=True, check=True,
                                    env=env).stdout
            if "EXIT=" in screen:
                break
            time.sleep(0.1)
    finally:
        subprocess.run([*server, "kill-server"], check=False, env=env)
    assert "EXIT=0" in screen, screen
    assert "Produced 60, skipped 0 (already complete), failed 0" in screen, screen
    assert "Traceback" not in screen
    assert len(list((tmp_path / "out").glob("*/answers.yaml"))) == 60
    assert (tmp_path / "methods.txt").read_text().split() == ["fork"]
