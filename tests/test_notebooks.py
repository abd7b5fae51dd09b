"""The book's invariants: every English chapter exists in every language,
is in the table of contents, shares its code cells byte for byte, is stored
without outputs, installs the package from the configured repository and
links to its translations."""

import json
import re
from pathlib import Path

import pytest
import yaml

BOOK = Path(__file__).resolve().parents[1] / "book"
LANGUAGES = ("fr", "ko", "zh")
ENGLISH = sorted(BOOK.glob("*.ipynb"))
ALL = ENGLISH + [BOOK / lang / p.name for lang in LANGUAGES for p in ENGLISH]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(path: Path) -> list[dict]:
    return [c for c in load(path)["cells"] if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    src = cell["source"]
    return "".join(src) if isinstance(src, list) else src


def toc_files(lang: str = "") -> list[str]:
    """The pages of one language's site, its root first."""
    toc = yaml.safe_load((BOOK / lang / "_toc.yml").read_text("utf-8"))
    return [toc["root"]] + [ch["file"] for ch in toc["chapters"]]


def test_there_are_chapters():
    assert ENGLISH, "no English chapters under book/"


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_exists_with_identical_code(english, lang):
    translated = BOOK / lang / english.name
    assert translated.exists(), f"{translated} is missing"
    en, tr = code_cells(english), code_cells(translated)
    assert len(tr) == len(en), (
        f"{translated}: {len(tr)} code cells, English has {len(en)}"
    )
    for i, (a, b) in enumerate(zip(en, tr, strict=False)):
        assert source(b) == source(a), (
            f"{translated}: code cell {i} differs from the English "
            "(translate prose only)"
        )
        assert b["metadata"] == a["metadata"], (
            f"{translated}: code cell {i} metadata (tags) differ"
        )
    # the execution cache keys on the kernelspec too
    assert (
        load(translated)["metadata"]["kernelspec"]
        == load(english)["metadata"]["kernelspec"]
    )


@pytest.mark.parametrize("lang", ("", *LANGUAGES))
def test_every_language_site_lists_every_chapter(lang):
    """Each language is a site of its own, with the same pages."""
    pages = toc_files(lang)
    expected = ["intro", "notation", *(p.stem for p in ENGLISH)]
    assert pages == expected, f"{lang or 'en'}/_toc.yml lists {pages}"
    for page in pages:
        assert any((BOOK / lang).glob(f"{page}.*")), f"{lang}/{page}"


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(BOOK)))
def test_stored_without_outputs(path):
    for i, cell in enumerate(code_cells(path)):
        assert not cell.get("outputs"), f"{path}: cell {i} has outputs"
        assert cell.get("execution_count") is None, (
            f"{path}: cell {i} has an execution count"
        )


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_first_code_cell_installs_from_the_configured_repository(path):
    config = yaml.safe_load((BOOK / "_config.yml").read_text("utf-8"))
    url = config["repository"]["url"]
    first = source(code_cells(path)[0])
    assert "import actorcritic" in first
    assert f'REPOSITORY = "{url}"' in first
    # the package, possibly with extras: "actorcritic[box2d] @ git+..."
    assert re.search(
        r'"actorcritic(\[[a-z0-9,]+\])? @ git\+\{REPOSITORY\}"', first
    )


PAGES = ALL + [
    BOOK / lang / md
    for lang in ("", *LANGUAGES)
    for md in ("intro.md", "notation.md")
]


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(BOOK)))
def test_language_switcher_links_the_other_languages(path):
    """The switcher gives each other language's version by the address
    that works everywhere: a notebook's Colab address, a page's GitHub
    address. The HTML build turns them into links within the site
    (book/_ext/site_links.py; the browser test follows them)."""
    config = yaml.safe_load((BOOK / "_config.yml").read_text("utf-8"))
    repo = config["repository"]["url"].removeprefix("https://github.com/")
    if path.suffix == ".ipynb":
        first = source(load(path)["cells"][0]).split("\n")[0]
        base = f"https://colab.research.google.com/github/{repo}/blob/main"
    else:
        first = next(
            line
            for line in path.read_text("utf-8").splitlines()
            if "·" in line
        )
        base = f"https://github.com/{repo}/blob/main"
    lang = path.parent.name if path.parent != BOOK else "en"
    for other in ("en", *LANGUAGES):
        folder = "book" if other == "en" else f"book/{other}"
        link = f"]({base}/{folder}/{path.name})"
        if other == lang:
            assert link not in first, f"{path}: links to itself"
        else:
            assert link in first, f"{path}: no link to the {other} version"


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_chapter_has_exercises_with_hidden_solutions(path):
    cells = code_cells(path)
    stubs = [c for c in cells if "raise NotImplementedError" in source(c)]
    solutions = [
        c for c in cells if "hide-input" in c["metadata"].get("tags", [])
    ]
    assert len(stubs) >= 2, f"{path}: fewer than two exercises"
    assert len(solutions) >= len(stubs), f"{path}: a solution is missing"
    for cell in solutions:
        # hidden in the HTML book (the tag), in Colab (a form whose title
        # is the first line) and in JupyterLab (source_hidden)
        assert source(cell).startswith("#@title "), f"{path}: no title"
        assert cell["metadata"].get("cellView") == "form", path
        assert cell["metadata"].get("jupyter", {}).get("source_hidden"), (
            f"{path}: a solution shows in JupyterLab"
        )


@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.name)
def test_code_cells_fit_in_79_columns(path):
    for i, cell in enumerate(code_cells(path)):
        for line in source(cell).splitlines():
            assert len(line) <= 79 or re.search(r"https?://", line), (
                f"{path}: code cell {i} has a line of {len(line)} columns"
            )


def markdown(path: Path) -> list[tuple[int, str]]:
    """(cell index, source) of every markdown cell."""
    return [
        (i, source(c))
        for i, c in enumerate(load(path)["cells"])
        if c["cell_type"] != "code"
    ]


def structure(cell: str) -> dict:
    """What a translation must keep of a markdown cell: the run's numbers
    it quotes (name and format, in order; the build writes and checks
    their text, in the language's typography), its
    display-maths blocks (their number; their content up to translated
    ``\\text{...}`` labels) and its heading levels, in order."""
    without_fences = re.sub(r"```.*?```", "", cell, flags=re.S)
    maths = re.findall(r"\$\$(.*?)\$\$", cell, flags=re.S)
    return {
        "quoted numbers": re.findall(
            r'<span (data-(?:run|machine)="[^"]*")>', cell
        ),
        "display maths": [
            re.sub(r"\\text\{[^}]*\}", r"\\text{}", "".join(m.split()))
            for m in maths
        ],
        "heading levels": re.findall(
            r"^(#+) ", without_fences, flags=re.MULTILINE
        ),
    }


@pytest.mark.parametrize("english", ENGLISH, ids=lambda p: p.name)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_translation_keeps_numbers_maths_and_headings(english, lang):
    """Beyond the code cells: every markdown cell of a translation quotes
    the same numbers of the run, the same display maths and the same heading
    structure as the English cell at the same place."""
    translated = BOOK / lang / english.name
    en, tr = markdown(english), markdown(translated)
    assert len(tr) == len(en), f"{translated}: markdown cells differ"
    for (i, a), (_, b) in zip(en, tr, strict=True):
        for what, expected in structure(a).items():
            got = structure(b)[what]
            assert got == expected, (
                f"{translated}: cell {i}, {what}: English has "
                f"{expected}, the translation {got}"
            )


@pytest.mark.parametrize("path", ALL, ids=lambda p: str(p.relative_to(BOOK)))
def test_chapter_links_the_notation_page(path):
    """Every chapter, in every language, points to its notation page, by
    its GitHub address (which works in Colab and in a downloaded notebook;
    the HTML build makes it a link within the site)."""
    config = yaml.safe_load((BOOK / "_config.yml").read_text("utf-8"))
    repo = config["repository"]["url"]
    folder = "book" if path.parent == BOOK else f"book/{path.parent.name}"
    text = "".join(source for _, source in markdown(path))
    link = f"]({repo}/blob/main/{folder}/notation.md)"
    assert link in text, f"{path}: no link to its notation page"
    assert (path.parent / "notation.md").exists()
