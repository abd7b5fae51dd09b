"""Numbers in the prose that cannot drift from the run that built the page.

A chapter's prose quotes what its code cells measured. The number is
written in the Markdown itself, in a span that names the value it quotes:

    the run needed <span data-run="episodes:,.0f">1,412</span> episodes

Jupyter, Colab and the HTML book all show that as plain text ("the run
needed 1,412 episodes"), so a notebook reads the same on every surface.
The code cell that measured the value hands it to the book with
``actorcritic.glue.glue("episodes", value)``, which myst-nb stores for the
page.

Two classes of number, sorted by one rule: **a number is a figure of the
machine when the same code with the same seeds gives another value on
another machine** (seconds, steps per second, ratios of timings, the
machine's cores and processor); every other number is a **result**
(returns, counts of steps or episodes, variances, ratios of those).

- A result is quoted in a ``data-run`` span and glued as it is. The book's
  results reproduce bit for bit on other processors, so at the full budget
  the written text must be ``format(value, spec)`` exactly, and the build
  fails, listing every result that disagrees: a mismatch means the
  results no longer reproduce.
- A figure of the machine is glued with ``machine=True`` and quoted in a
  ``data-machine`` span: ``<span data-machine="seconds:.0f">9</span>``.
  The build never fails on its value; it writes the value of its own run
  into the page, so a reader's build shows the reader's timings. The
  text in the notebook is the one of the machine that last wrote the
  numbers, which the chapters name. Besides what the code glues, the
  build supplies three figures of the machine to every page (``FACTS``):
  ``cpu`` (the processor's name), ``cpu_cores`` and ``chapter_seconds``
  (how long the page's notebook took to run).

A span whose class disagrees with how its value was glued fails the build
at every budget, so a result cannot escape the check by being called a
timing. At the quick budget (the test build, whose tiny runs give other
numbers) the check covers names, classes and formats only.

``python book/build.py --write-numbers`` builds, writes the run's numbers
(both classes) into the chapters of all four languages, and builds again,
checked. It is the only command that writes into the chapters.

Run as a script, it writes the numbers of the last build into the
chapters of all four languages:

    python book/_ext/run_numbers.py       # after a build
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

SPAN = re.compile(
    r'<span data-(?P<kind>run|machine)="(?P<name>[A-Za-z_]\w*):'
    r'(?P<spec>[^"]*)">(?P<text>[^<]*)</span>'
)
ANY_SPAN = re.compile(r"<span[^>]*\bdata-(run|machine)\b[^>]*>")
OPENING = re.compile(
    r'<span data-machine="(?P<name>[A-Za-z_]\w*):(?P<spec>[^"]*)">'
)
BOOK = Path(__file__).resolve().parents[1]
LANGUAGES = ("", "fr", "ko", "zh")  # "" is English, at the book's root
# the MIME type with which actorcritic.glue marks a figure of the machine
MACHINE = "application/x.actorcritic-machine"
# what the build itself knows of the machine, for every page
FACTS = ("cpu", "cpu_cores", "chapter_seconds")


class Value(NamedTuple):
    """A value a span can quote, and its class."""

    value: float | str
    machine: bool


@dataclass(frozen=True)
class Problem:
    """One span that disagrees with the run, and where it is."""

    cell: int
    written: str
    message: str

    def __str__(self) -> str:
        return f"cell {self.cell}: {self.written}: {self.message}"


def spans(notebook: dict):
    """Yield ``(cell index, match)`` for every span in the Markdown cells,
    and ``(cell index, str)`` for a malformed one."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        good = {m.start() for m in SPAN.finditer(source)}
        for bad in ANY_SPAN.finditer(source):
            if bad.start() not in good:
                yield index, bad.group(0)
        for match in SPAN.finditer(source):
            yield index, match


def glued_values(glue_json: Path) -> dict[str, Value]:
    """The numbers a run glued, from myst-nb's ``<page>.glue.json``."""
    if not glue_json.exists():
        return {}
    data = json.loads(glue_json.read_text(encoding="utf-8"))
    return {
        name: Value(
            float(entry["data"]["text/plain"]), MACHINE in entry["data"]
        )
        for name, entry in data.items()
    }


def processor() -> str:
    """The processor's name as the operating system gives it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(errors="replace").splitlines():
            if line.startswith("model name") and ":" in line:
                return " ".join(line.split(":", 1)[1].split())
    return platform.processor() or platform.machine() or "unknown"


def machine_facts(runtime: float | None) -> dict[str, Value]:
    """The figures of the machine the build supplies to every page;
    ``runtime`` is the seconds its notebook took to run, if known."""
    facts = {
        "cpu": Value(processor(), True),
        # as chapter 4 counts them
        "cpu_cores": Value(float(os.cpu_count() or 0), True),
    }
    if runtime is not None:
        facts["chapter_seconds"] = Value(float(runtime), True)
    return facts


# The thousands separator of a language whose typography differs from the
# "," of Python's format (French writes 150 000, with a no-break space)
THOUSANDS = {"fr": "\u00a0"}


def render(value: float | str, spec: str, language: str = "en") -> str:
    """The text a span with format ``spec`` shows for ``value`` in a page
    of ``language``: Python's ``format``, with the language's thousands
    separator and a true minus sign (U+2212), as the book's prose writes
    them. Text (a processor's name) is shown as it is."""
    text = format(value, spec)
    if isinstance(value, str):
        return text
    text = text.replace("-", "\u2212")
    return text.replace(",", THOUSANDS.get(language, ","))


def problems(
    notebook: dict, values: dict[str, Value], exact: bool, language: str = "en"
) -> list[Problem]:
    """Every span of ``notebook`` that disagrees with ``values``; with
    ``exact=False`` only unknown names, classes and unusable formats
    count. A figure of the machine is never compared with its text."""
    found = []
    for cell, match in spans(notebook):
        if isinstance(match, str):
            found.append(
                Problem(
                    cell,
                    match,
                    "malformed: write "
                    '<span data-run="name:format">number</span> (a result) or '
                    '<span data-machine="name:format">number</span> (a '
                    "figure of the machine)",
                )
            )
            continue
        kind, name, spec, text = match.group("kind", "name", "spec", "text")
        if name not in values:
            found.append(
                Problem(
                    cell, match.group(0), f"the run glued no value {name!r}"
                )
            )
            continue
        value = values[name]
        if value.machine and kind == "run":
            found.append(
                Problem(
                    cell,
                    match.group(0),
                    f"{name!r} is a figure of the machine (glued with "
                    "machine=True): quote it in a data-machine span",
                )
            )
            continue
        if not value.machine and kind == "machine":
            found.append(
                Problem(
                    cell,
                    match.group(0),
                    f"{name!r} is a result of the run, which the build "
                    "checks: quote it in a data-run span (or glue it with "
                    "machine=True if another machine gives another value)",
                )
            )
            continue
        try:
            expected = render(value.value, spec, language)
        except ValueError as error:
            found.append(Problem(cell, match.group(0), f"bad format: {error}"))
            continue
        if exact and not value.machine and text != expected:
            found.append(
                Problem(
                    cell,
                    match.group(0),
                    f"the run that built this page says {expected}",
                )
            )
    return found


def write(
    notebook: dict, values: dict[str, Value], language: str = "en"
) -> int:
    """Write ``values`` into the spans of ``notebook``; return how many
    numbers changed. Unknown names are left for the build to report."""
    changed = 0

    def replace(match: re.Match) -> str:
        nonlocal changed
        kind, name, spec, text = match.group("kind", "name", "spec", "text")
        if name not in values:
            return match.group(0)
        new = render(values[name].value, spec, language)
        changed += new != text
        return f'<span data-{kind}="{name}:{spec}">{new}</span>'

    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            cell["source"] = SPAN.sub(replace, source).splitlines(
                keepends=True
            )
    return changed


# --- the Sphinx extension ----------------------------------------------


def show_machine_figures(doctree, values: dict[str, Value], language: str):
    """Write this run's figures of the machine into the page: MyST turns
    ``<span data-machine=...>text</span>`` into a raw opening tag, a text
    node and a raw closing tag; the text node gets the run's value."""
    from docutils import nodes

    for opening in list(doctree.findall(nodes.raw)):
        match = OPENING.fullmatch(opening.astext())
        if not match or match.group("name") not in values:
            continue  # an unknown name is reported by problems()
        parent = opening.parent
        at = parent.index(opening)
        text, closing = parent.children[at + 1 : at + 3]
        if not (
            isinstance(text, nodes.Text)
            and isinstance(closing, nodes.raw)
            and closing.astext() == "</span>"
        ):
            raise ValueError(
                f"{match.group(0)} is not followed by plain text and "
                "</span> in the page: keep the span's text a bare number"
            )
        value = values[match.group("name")].value
        parent.replace(
            text, nodes.Text(render(value, match.group("spec"), language))
        )


def check_page(app, doctree) -> None:
    """``doctree-read``: compare the page's results with its run and show
    the run's figures of the machine."""
    from myst_nb.sphinx_ import NbMetadataCollector

    from actorcritic.budget import is_quick

    env = app.env
    source = Path(env.doc2path(env.docname))
    if source.suffix != ".ipynb":
        return
    notebook = json.loads(source.read_text(encoding="utf-8"))
    executed = Path(app.outdir).parent / "jupyter_execute"
    run = NbMetadataCollector.get_exec_data(env, env.docname) or {}
    facts = machine_facts(run.get("runtime"))
    # kept beside the glued values for the script that writes them
    facts_json = executed / f"{env.docname}.machine.json"
    facts_json.parent.mkdir(parents=True, exist_ok=True)
    facts_json.write_text(
        json.dumps({name: v.value for name, v in facts.items()}),
        encoding="utf-8",
    )
    values = {**glued_values(executed / f"{env.docname}.glue.json"), **facts}
    # ACTORCRITIC_NUMBERS=unchecked: book/build.py --write-numbers, which
    # builds once to read the run's numbers before it writes them
    unchecked = os.environ.get("ACTORCRITIC_NUMBERS") == "unchecked"
    exact = not (is_quick() or unchecked)
    language = app.config.language or "en"
    found = problems(notebook, values, exact, language)
    if found:
        env.run_number_problems[env.docname] = found
    show_machine_figures(doctree, values, language)


def page_values(executed: Path, stem: str) -> dict[str, Value]:
    """What a page's spans can quote after a build: the glued values and
    the build's figures of the machine."""
    values = glued_values(executed / f"{stem}.glue.json")
    facts_json = executed / f"{stem}.machine.json"
    if facts_json.exists():
        facts = json.loads(facts_json.read_text(encoding="utf-8"))
        values.update({n: Value(v, True) for n, v in facts.items()})
    return values


def forget_page(app, env, docname: str) -> None:
    """``env-purge-doc``: a page read again is checked again."""
    env.run_number_problems.pop(docname, None)


def fail_on_problems(app, env) -> None:
    """``env-check-consistency``: stop the build before any page is
    written with a number its run does not support."""
    from sphinx.errors import ExtensionError

    if not env.run_number_problems:
        return
    lines = []
    for docname, found in sorted(env.run_number_problems.items()):
        lines += [f"{docname}.ipynb:"] + [f"  {problem}" for problem in found]
    raise ExtensionError(
        "numbers in the prose disagree with the run that built the page\n"
        + "\n".join(lines)
        + "\nThese are results, which reproduce bit for bit from one machine "
        "to another: if the code or a library changed on purpose, "
        "`python book/build.py --write-numbers` writes the run's numbers into "
        "the chapters of every language and builds again (the execution "
        "cache makes that quick); read the prose around each changed number. "
        "Otherwise the results no longer reproduce, and that is a bug."
    )


def setup(app):
    def init(app):
        if not hasattr(app.env, "run_number_problems"):
            app.env.run_number_problems = {}

    app.connect("builder-inited", init)
    app.connect("doctree-read", check_page)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-check-consistency", fail_on_problems)
    return {"parallel_read_safe": False, "parallel_write_safe": True}


# --- the script -----------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Write the numbers of the last full build into the "
        "chapters of every language."
    )
    parser.add_argument(
        "--book", type=Path, default=BOOK, help="the book's folder"
    )
    args = parser.parse_args()
    executed = args.book / "_build" / "jupyter_execute"
    if not executed.is_dir():
        raise SystemExit(
            f"no build in {executed}: run python book/build.py first"
        )
    total = 0
    for lang in LANGUAGES:
        for path in sorted((args.book / lang).glob("*.ipynb")):
            values = page_values(executed, path.stem)
            notebook = json.loads(path.read_text(encoding="utf-8"))
            changed = write(notebook, values, lang or "en")
            if changed:
                path.write_text(
                    json.dumps(notebook, indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8",
                )
                name = path.relative_to(args.book)
                print(f"{name}: {changed} number(s) written")
            total += changed
    print(f"{total} number(s) changed")


if __name__ == "__main__":
    main()
