"""The notebooks as a student opens them: in Colab, in Jupyter, or
downloaded. None of these renders MyST, so every Markdown cell of every
chapter in every language is rendered the way Jupyter's nbconvert renders
Markdown (mistune, CommonMark with maths), and what it shows must be clean:
no MyST role or directive left as raw text, answers folded in ``<details>``
with a summary, and only links and images a downloaded notebook can
follow (absolute addresses or anchors within the page). Solutions are
hidden for every front end."""

import re

import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from tests.test_notebooks import ALL, BOOK, code_cells, markdown, source

# MyST that CommonMark shows as text: a role renders as "{name}" followed
# by inline code; a directive fence as a code block of language "{name}";
# colon fences, targets and comments as paragraphs.
ROLE = re.compile(r"\{[A-Za-z][\w:.-]*\}<code>")
DIRECTIVE = re.compile(r'<code class="language-\{')
SOURCE_ONLY = {
    "a MyST colon fence": re.compile(r"^:::", re.M),
    "a MyST target": re.compile(r"^\([^)\s]+\)=\s*$", re.M),
    "a MyST comment": re.compile(r"^% ", re.M),
    "a MyST substitution": re.compile(r"\{\{[^}]*\}\}"),
}
LINK = re.compile(r'<a [^>]*href="([^"]*)"')
IMAGE = re.compile(r'<img [^>]*src="([^"]*)"')
FOLLOWABLE = ("https://", "http://", "#", "mailto:")


def trips(markdown_source: str) -> list[str]:
    """What a student who opens the cell in Jupyter or Colab would see
    that the HTML book does not show: one description per problem."""
    found = [
        f"{what}: {m.group(0)!r}"
        for what, pattern in SOURCE_ONLY.items()
        for m in pattern.finditer(markdown_source)
    ]
    html = markdown2html_mistune(markdown_source)
    found += [
        f"a MyST role shown raw: {m.group(0)!r}" for m in ROLE.finditer(html)
    ]
    found += [
        f"a MyST directive shown raw: {m.group(0)!r}"
        for m in DIRECTIVE.finditer(html)
    ]
    if "{glue" in html:
        found.append("a glue placeholder")
    found += [
        f"a link a downloaded notebook cannot follow: {href!r}"
        for href in LINK.findall(html)
        if not href.startswith(FOLLOWABLE)
    ]
    found += [
        f"an image a downloaded notebook cannot show: {src!r}"
        for src in IMAGE.findall(html)
        if not src.startswith(("https://", "http://", "data:"))
    ]
    for block in re.findall(r"<details>(.*?)</details>", html, flags=re.S):
        if not block.lstrip().startswith("<summary>"):
            found.append("a <details> block with no <summary> to click")
    if html.count("<details>") != html.count("</details>"):
        found.append("an unclosed <details> block")
    return found


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(BOOK)))
def test_markdown_reads_cleanly_in_jupyter_and_colab(path):
    problems = [
        f"cell {i}: {problem}"
        for i, text in markdown(path)
        for problem in trips(text)
    ]
    assert not problems, f"{path.relative_to(BOOK)}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(BOOK)))
def test_solutions_are_hidden_in_every_front_end(path):
    """A solution cell is hidden in the HTML book (the hide-input tag), in
    Colab (a form: ``cellView`` and a ``#@title`` first line) and in
    JupyterLab and Notebook 7 (``jupyter.source_hidden``)."""
    solutions = [
        c for c in code_cells(path) if source(c).startswith("#@title ")
    ]
    assert solutions, f"{path}: no solution cells"
    for cell in solutions:
        title = source(cell).split("\n")[0]
        metadata = cell["metadata"]
        assert "hide-input" in metadata.get("tags", []), title
        assert metadata.get("cellView") == "form", title
        assert metadata.get("jupyter", {}).get("source_hidden") is True, title


# Each class of problem the reader above must catch, as a student would
# meet it; the last rows are clean and must pass.
CASES = [
    ("{glue:text}`episodes:.0f` episodes", "a MyST role shown raw"),
    ("see {ref}`the notation <notation>`", "a MyST role shown raw"),
    ("```{dropdown} A question?\nThe answer.\n```", "a MyST directive"),
    ("```{note}\nA note.\n```", "a MyST directive"),
    (":::{note}\nA note.\n:::", "a MyST colon fence"),
    ("(sec-notation)=\n## Notation", "a MyST target"),
    ("% a comment for the book's authors", "a MyST comment"),
    ("took {{ seconds }} s", "a MyST substitution"),
    ("the [notation page](notation.md)", "a link a downloaded notebook"),
    ("[chapter 2](02_one_step_actor_critic.ipynb)", "a link a downloaded"),
    ("![the curves](curves.png)", "an image a downloaded notebook"),
    ("<details>\n\nThe answer.\n\n</details>", "no <summary>"),
    ("<details>\n<summary>Answer</summary>\n\nThe answer.", "unclosed"),
    ('took <span data-run="seconds:.0f">12</span> s', None),
    ('in <span data-machine="seconds:.0f">12</span> s', None),
    ("[notation](https://github.com/o/r/blob/main/book/notation.md)", None),
    ("see [below](#training) and $\\mathrm{adv}_t = r_{t+1}$", None),
    (
        "**1. Why?**\n\n<details>\n<summary>Answer</summary>\n\n"
        "Because $v_\\pi(s) = \\sum_a \\pi(a\\mid s)\\, q_\\pi(s, a)$."
        "\n\n</details>",
        None,
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_reader_catches_each_kind_of_problem(text, expected):
    found = trips(text)
    if expected is None:
        assert found == []
    else:
        assert any(expected in problem for problem in found), found
