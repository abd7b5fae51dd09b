"""The numbers the prose quotes (book/_ext/run_numbers.py): the checks on
their own, then a real build of a one-page book whose prose quotes a
number its run does not give."""

import json
import os
import re
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


def span(name: str, spec: str, text: str, kind: str = "run") -> str:
    return f'<span data-{kind}="{name}:{spec}">{text}</span>'


def timing(name: str, spec: str, text: str) -> str:
    return span(name, spec, text, kind="machine")


V = run_numbers.Value
VALUES = {
    "episodes": V(1412.0, False),
    "ratio": V(0.6666, False),
    "seconds": V(9.4, True),
    "cpu": V("AMD EPYC 9R14", True),
}

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
    # a figure of the machine: any text passes, the class must match
    (timing("seconds", ".0f", "9"), None, None),
    (timing("seconds", ".0f", "25"), None, None),
    (timing("cpu", "s", "Intel Xeon"), None, None),
    (timing("seconds", ".0q", "9"), "bad format", "bad format"),
    (span("seconds", ".0f", "9"), "quote it in a data-machine", "machine"),
    (timing("episodes", ",.0f", "1,412"), "quote it in a data-run", "run"),
    ('<span data-machine="seconds">9</span>', "malformed", "malformed"),
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
        f"and {span('unknown', '.0f', '3')} in {timing('seconds', '.0f', '7')}"
        f" on {timing('cpu', 's', 'a CPU')}"
    )
    assert run_numbers.write(nb, VALUES) == 4
    assert "".join(nb["cells"][0]["source"]) == (
        f"{span('episodes', ',.0f', '1,412')} and "
        f"{span('ratio', '.1%', '66.7%')} and {span('unknown', '.0f', '3')} "
        f"in {timing('seconds', '.0f', '9')} on "
        f"{timing('cpu', 's', 'AMD EPYC 9R14')}"
    )
    assert run_numbers.write(nb, VALUES) == 0


@pytest.mark.parametrize(
    ("value", "spec", "language", "text"),
    [
        (-1386.2, ".0f", "en", "\u22121386"),
        (150000.0, ",.0f", "fr", "150\u00a0000"),
        (150000.0, ",.0f", "ko", "150,000"),
        ("Intel(R) Core(TM) i7-8700", "s", "fr", "Intel(R) Core(TM) i7-8700"),
    ],
)
def test_render_writes_the_language_s_typography(value, spec, language, text):
    assert run_numbers.render(value, spec, language) == text


def test_the_build_knows_the_machine():
    facts = run_numbers.machine_facts(runtime=12.5)
    assert set(facts) == set(run_numbers.FACTS)
    assert all(fact.machine for fact in facts.values())
    assert facts["cpu"].value and facts["cpu_cores"].value >= 1
    assert facts["chapter_seconds"].value == 12.5
    assert "chapter_seconds" not in run_numbers.machine_facts(runtime=None)


def small_book(tmp_path: Path, answer: str, seconds: str = "9") -> Path:
    """A one-page book (English only) whose code glues the result 42 and
    the timing 12.0 (``machine=True``) and whose prose quotes them as
    ``answer`` and ``seconds``, built by the book's own build.py."""
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
        f"# A page\n\nThe answer is {span('answer', '.0f', answer)}, "
        f"found in {timing('seconds', '.1f', seconds)} seconds on "
        f"{timing('cpu', 's', 'a Pentium')}.",
        code="from actorcritic.glue import glue\nglue('answer', 42.0)\n"
        "glue('seconds', 12.0, machine=True)",
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


def page_text(book: Path) -> str:
    html = (book / "_build" / "html" / "page.html").read_text()
    return re.sub(r"<[^>]+>", "", html)


@pytest.mark.book
def test_the_full_build_fails_on_a_result_its_run_does_not_give(tmp_path):
    book = small_book(tmp_path, "41")
    failed = build(book)
    assert failed.returncode != 0
    assert "cell 1: " + span("answer", ".0f", "41") in failed.stderr
    assert "the run that built this page says 42" in failed.stderr
    assert "seconds" not in failed.stderr.split("disagree")[-1]
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
    # --write-numbers writes the run's numbers, then the build passes
    written = build(book, "--write-numbers")
    assert written.returncode == 0, written.stderr[-3000:]
    page = json.loads((book / "page.ipynb").read_text())
    prose = "".join(page["cells"][1]["source"])
    assert span("answer", ".0f", "42") in prose
    assert timing("seconds", ".1f", "12.0") in prose
    cpu = run_numbers.machine_facts(None)["cpu"].value
    assert timing("cpu", "s", cpu) in prose
    assert "The answer is 42" in page_text(book)


@pytest.mark.book
def test_another_machine_s_timings_build_and_show_that_machine_s(tmp_path):
    """The prose was written on a machine that took 9 seconds; this run
    takes 12: the full build passes, leaves the chapter as it was, and
    its page shows this run's figures."""
    book = small_book(tmp_path, "42", seconds="9.0")
    before = (book / "page.ipynb").read_bytes()
    built = build(book)
    assert built.returncode == 0, built.stderr[-3000:]
    assert (book / "page.ipynb").read_bytes() == before
    cpu = run_numbers.machine_facts(None)["cpu"].value
    assert f"found in 12.0 seconds on {cpu}." in page_text(book)
