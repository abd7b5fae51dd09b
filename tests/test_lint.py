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


def test_no_module_of_the_package_over_350_lines():
    """The layout's rule: a module a reader opens fits in one sitting;
    a longer one is split along its seams."""
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text().splitlines())
        for path in sorted((ROOT / "src").rglob("*.py"))
    }
    assert lengths  # the package is where this test looks
    too_long = {path: n for path, n in lengths.items() if n > 350}
    assert not too_long, f"modules over 350 lines: {too_long}"
