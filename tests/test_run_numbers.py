"""The numbers the prose quotes (book/_ext/run_numbers.py): the checks on
their own, then a real build of a one-page book whose prose quotes a
number its run does not give."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import run_numbers  # noqa: E402


def notebook(markdown: str, code: str = "") -> dict:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown}]
    if code:
        cells.insert(
            0,
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": code,
            },
        )
    return {
        "cells": cells,
        "metadata": {
            "kernelspec": {
                "display_name": "Python 3",
                "language": "python",
                "name": "python3",
            }
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def span(name: str, spec: str, text: str) -> str:
    return f'<span data-run="{name}:{spec}">{text}</span>'


VALUES = {"episodes": 1412.0, "ratio": 0.6666}

# (prose, what the full budget says, what the quick budget says)
CASES = [
    (span("episodes", ",.0f", "1,412"), None, None),
    (span("ratio", ".2f", "0.67"), None, None),
    (span("episodes", ",.0f", "1,413"), "says 1,412", None),
    (span("ratio", ".2f", "0.7"), "says 0.67", None),
    (span("epsiodes", ".0f", "1412"), "no value 'epsiodes'", "no value"),
    (span("episodes", ".0q", "1412"), "bad format", "bad format"),
    ('<span data-run="episodes">1412</span>', "malformed", "malformed"),
    ("<span data-run='episodes:.0f'>1412</span>", "malformed", "malformed"),
]


@pytest.mark.parametrize(("prose", "full", "quick"), CASES)
def test_problems(prose, full, quick):
    for exact, expected in ((True, full), (False, quick)):
        found = run_numbers.problems(
            notebook(f"took {prose} steps"), VALUES, exact
        )
        if expected is None:
            assert found == []
        else:
            assert len(found) == 1 and expected in str(found[0]), found


def test_write_fixes_the_numbers_and_leaves_unknown_names():
    nb = notebook(
        f"{span('episodes', ',.0f', '?')} and {span('ratio', '.1%', '1')} "
        f"and {span('unknown', '.0f', '3')}"
    )
    assert run_numbers.write(nb, VALUES) == 2
    assert "".join(nb["cells"][0]["source"]) == (
        f"{span('episodes', ',.0f', '1,412')} and "
        f"{span('ratio', '.1%', '66.7%')} and {span('unknown', '.0f', '3')}"
    )
    assert run_numbers.write(nb, VALUES) == 0


def small_book(tmp_path: Path, written: str) -> Path:
    """A one-page book (English only) whose code glues 42 and whose prose
    quotes ``written``, built by the book's own build.py."""
    book = tmp_path / "book"
    book.mkdir()
    shutil.copy(BOOK / "build.py", book)
    shutil.copytree(BOOK / "_ext", book / "_ext")
    (book / "_config.yml").write_text(
        "title: small\n"
        "only_build_toc_files: true\n"
        "execute:\n  execute_notebooks: cache\n"
        "  cache: _build/.jupyter_cache\n"
        "sphinx:\n  local_extensions:\n    run_numbers: _ext\n"
    )
    (book / "_toc.yml").write_text("format: jb-book\nroot: page\n")
    page = notebook(
        f"# A page\n\nThe answer is {span('answer', '.0f', written)}.",
        code="from actorcritic.glue import glue\nglue('answer', 42.0)",
    )
    (book / "page.ipynb").write_text(json.dumps(page))
    return book


def build(book: Path, *flags: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, ACTORCRITIC_BUDGET="full")
    env.pop("ACTORCRITIC_NUMBERS", None)
    return subprocess.run(
        [sys.executable, str(book / "build.py"), *flags],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.book
def test_the_full_build_fails_on_a_number_its_run_does_not_give(tmp_path):
    book = small_book(tmp_path, "41")
    failed = build(book)
    assert failed.returncode != 0
    assert "cell 1: " + span("answer", ".0f", "41") in failed.stderr
    assert "the run that built this page says 42" in failed.stderr
    assert not (book / "_build" / "html" / "page.html").exists()
    # the same book at the quick budget checks names and formats only
    shutil.rmtree(book / "_build")
    quick = dict(os.environ, ACTORCRITIC_BUDGET="quick")
    assert (
        subprocess.run(
            [sys.executable, str(book / "build.py")],
            env=quick,
            capture_output=True,
        ).returncode
        == 0
    )
    shutil.rmtree(book / "_build")
    # --write-numbers writes the run's number, then the build passes
    written = build(book, "--write-numbers")
    assert written.returncode == 0, written.stderr[-3000:]
    page = json.loads((book / "page.ipynb").read_text())
    assert span("answer", ".0f", "42") in "".join(page["cells"][1]["source"])
    assert (
        "The answer is" in (book / "_build" / "html" / "page.html").read_text()
    )
