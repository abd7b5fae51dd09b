"""The code follows the project's ruff rules (pyproject.toml), so a stray
import or an unformatted file fails the README's test command, not only a
maintainer's pre-commit habit."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PATHS = [
    "src",
    "tests",
    "benchmarks",
    "conftest.py",
    "book/build.py",
    "book/_ext",
]


@pytest.mark.parametrize(
    "command", [["check"], ["format", "--check"]], ids=["check", "format"]
)
def test_ruff(command):
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *PATHS],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
