"""Numbers in the prose that cannot drift from the run that built the page.

A chapter's prose quotes what its code cells measured. The number is
written in the Markdown itself, in a span that names the value it quotes:

    the run needed <span data-run="episodes:,.0f">1,412</span> episodes

Jupyter, Colab and the HTML book all show that as plain text ("the run
needed 1,412 episodes"), so a notebook reads the same on every surface.
The code cell that measured the value hands it to the book with
``actorcritic.glue.glue("episodes", value)``, which myst-nb stores for the
page.

As a Sphinx extension (``local_extensions`` in each ``_config.yml``) this
module compares every span of a chapter with the run that built the page.
At the full budget the written text must be ``format(value, ",.0f")``
exactly, and the build fails, listing every number that disagrees, if
one does not. At the quick budget (the test build, whose tiny runs give
other numbers) it checks only that each span names a value the run
glued, with a format that applies to it.

``python book/build.py --write-numbers`` builds, writes the run's numbers
into the chapters of all four languages, and builds again, checked.

Run as a script, it writes the numbers of the last build into the
chapters of all four languages:

    python book/_ext/run_numbers.py       # after a build
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

SPAN = re.compile(
    r'<span data-run="(?P<name>[A-Za-z_]\w*):(?P<spec>[^"]*)">'
    r"(?P<text>[^<]*)</span>"
)
ANY_SPAN = re.compile(r"<span[^>]*\bdata-run\b[^>]*>")
BOOK = Path(__file__).resolve().parents[1]
LANGUAGES = ("", "fr", "ko", "zh")  # "" is English, at the book's root


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


def glued_values(glue_json: Path) -> dict[str, float]:
    """The numbers a run glued, from myst-nb's ``<page>.glue.json``."""
    if not glue_json.exists():
        return {}
    data = json.loads(glue_json.read_text(encoding="utf-8"))
    return {
        name: float(entry["data"]["text/plain"])
        for name, entry in data.items()
    }


# The thousands separator of a language whose typography differs from the
# "," of Python's format (French writes 150 000, with a no-break space)
THOUSANDS = {"fr": "\u00a0"}


def render(value: float, spec: str, language: str = "en") -> str:
    """The text a span with format ``spec`` shows for ``value`` in a page
    of ``language``: Python's ``format``, with the language's thousands
    separator and a true minus sign (U+2212), as the book's prose writes
    them."""
    text = format(value, spec).replace("-", "\u2212")
    return text.replace(",", THOUSANDS.get(language, ","))


def problems(
    notebook: dict, values: dict[str, float], exact: bool, language: str = "en"
) -> list[Problem]:
    """Every span of ``notebook`` that disagrees with ``values``; with
    ``exact=False`` only unknown names and unusable formats count."""
    found = []
    for cell, match in spans(notebook):
        if isinstance(match, str):
            found.append(
                Problem(
                    cell,
                    match,
                    "malformed: write "
                    '<span data-run="name:format">number</span>',
                )
            )
            continue
        name, spec, text = match.group("name", "spec", "text")
        if name not in values:
            found.append(
                Problem(
                    cell, match.group(0), f"the run glued no value {name!r}"
                )
            )
            continue
        try:
            expected = render(values[name], spec, language)
        except ValueError as error:
            found.append(Problem(cell, match.group(0), f"bad format: {error}"))
            continue
        if exact and text != expected:
            found.append(
                Problem(
                    cell,
                    match.group(0),
                    f"the run that built this page says {expected}",
                )
            )
    return found


def write(
    notebook: dict, values: dict[str, float], language: str = "en"
) -> int:
    """Write ``values`` into the spans of ``notebook``; return how many
    numbers changed. Unknown names are left for the build to report."""
    changed = 0

    def replace(match: re.Match) -> str:
        nonlocal changed
        name, spec, text = match.group("name", "spec", "text")
        if name not in values:
            return match.group(0)
        new = render(values[name], spec, language)
        changed += new != text
        return f'<span data-run="{name}:{spec}">{new}</span>'

    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            source = "".join(cell["source"])
            cell["source"] = SPAN.sub(replace, source).splitlines(
                keepends=True
            )
    return changed


# --- the Sphinx extension ----------------------------------------------


def check_page(app, doctree) -> None:
    """``doctree-read``: compare the page's spans with its run."""
    from actorcritic.budget import is_quick

    env = app.env
    source = Path(env.doc2path(env.docname))
    if source.suffix != ".ipynb":
        return
    notebook = json.loads(source.read_text(encoding="utf-8"))
    glue_json = (
        Path(app.outdir).parent
        / "jupyter_execute"
        / f"{env.docname}.glue.json"
    )
    # ACTORCRITIC_NUMBERS=unchecked: book/build.py --write-numbers, which
    # builds once to read the run's numbers before it writes them
    unchecked = os.environ.get("ACTORCRITIC_NUMBERS") == "unchecked"
    exact = not (is_quick() or unchecked)
    language = app.config.language or "en"
    found = problems(notebook, glued_values(glue_json), exact, language)
    if found:
        env.run_number_problems[env.docname] = found


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
        + "\nIf the run is right and the prose is stale, "
        "`python book/build.py --write-numbers` writes the run's numbers into "
        "the chapters of every language and builds again (the execution "
        "cache makes that quick); read the prose around each changed number."
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
            values = glued_values(executed / f"{path.stem}.glue.json")
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
