"""The installed command, driven in a real terminal by tests/e2e/interview_tmux.sh."""

from __future__ import annotations

import shutil
import subprocess
import sys
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
