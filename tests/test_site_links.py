"""book/_ext/site_links.py: Colab and GitHub addresses of the book's pages
become links within the site, from wherever the page sits."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
from site_links import relative, site_target  # noqa: E402

REPO, BRANCH, BOOK = "org/repo", "main", "book"
COLAB = "https://colab.research.google.com/github/org/repo/blob/main/book/"
GITHUB = "https://github.com/org/repo/blob/main/book/"


@pytest.mark.parametrize(
    "uri, target",
    [
        (COLAB + "fr/05_x.ipynb", "fr/05_x.html"),
        (COLAB + "05_x.ipynb", "05_x.html"),
        (GITHUB + "ko/intro.md", "ko/intro.html"),
        (GITHUB + "zh/notation.md#glossary", "zh/notation.html#glossary"),
        (GITHUB + "zh/search_terms.txt", None),  # not a page
        ("https://github.com/other/repo/blob/main/book/x.md", None),
        (COLAB.replace("main", "dev") + "x.ipynb", None),
        ("https://example.org/x.ipynb", None),
    ],
)
def test_site_target(uri, target):
    assert site_target(uri, REPO, BRANCH, BOOK) == target


@pytest.mark.parametrize(
    "target, page, expected",
    [
        ("fr/05_x.html", "05_x.html", "fr/05_x.html"),
        ("05_x.html", "fr/05_x.html", "../05_x.html"),
        ("ko/intro.html", "zh/intro.html", "../ko/intro.html"),
        ("zh/notation.html#g", "notation.html", "zh/notation.html#g"),
    ],
)
def test_relative(target, page, expected):
    assert relative(target, page) == expected
