"""`promtool check metrics` (from Debian's prometheus package) as a test assertion."""

from __future__ import annotations

import shutil
import subprocess

import pytest


def check_metrics(text: str) -> None:
    """Fail unless promtool accepts `text` as a Prometheus exposition, lint warnings included."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool not found: install Debian's prometheus package (Deploy/debian-packages-test.txt)")
    check = subprocess.run([promtool, "check", "metrics"], input=text.encode(), capture_output=True, timeout=60)
    assert check.returncode == 0 and not check.stdout.strip() and not check.stderr.strip(), (
        check.stdout.decode() + check.stderr.decode() + "\n" + text[:2000])
