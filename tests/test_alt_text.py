"""book/_ext/alt_text.py: every figure's alt text in the page's language,
from book/<lang>/alt_text.yml, with the build failing on a figure without
one or on a translation of an English text that has since changed."""

import json
import re
import sys
from pathlib import Path

import pytest
from docutils import nodes

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import alt_text  # noqa: E402

LANGUAGES = ("fr", "ko", "zh")
ENGLISH = sorted(BOOK.glob("*.ipynb"))
HANGUL = re.compile(r"[가-힣]")
HAN = re.compile(r"[\u4e00-\u9fff]")
KANA = re.compile(r"[\u3040-\u30ff]")


def notebook(*cells) -> dict:
    """A notebook of code cells, each (id, alt text or None)."""
    return {
        "cells": [
            {
                "cell_type": "code",
                "id": cell_id,
                "metadata": {"mystnb": {"image": {"alt": alt}}} if alt else {},
            }
            for cell_id, alt in cells
        ]
    }


ENGLISH_ALTS = {"c1": "A plot.", "c2": "A replay."}
ENTRY_CASES = [
    # entries, problems (fragments, in order)
    (
        {
            "c1": {"en": "A plot.", "alt": "Un graphique."},
            "c2": {"en": "A replay.", "alt": "Une animation."},
        },
        [],
    ),
    (
        {"c1": {"en": "A plot.", "alt": "Un graphique."}},
        ["c2: no translation of 'A replay.'"],
    ),
    (
        {
            "c1": {"en": "An old plot.", "alt": "Un graphique."},
            "c2": {"en": "A replay.", "alt": "Une animation."},
        },
        ["c1: the English changed", "was: 'An old plot.'", "now: 'A plot.'"],
    ),
    (
        {
            "c1": {"en": "A plot.", "alt": " "},
            "c2": {"en": "A replay.", "alt": "Une animation."},
        },
        ["c1: `alt` is empty"],
    ),
    (
        {
            "c1": {"alt": "Un graphique."},
            "c2": {"en": "A replay.", "alt": "Une animation.", "x": 1},
        },
        ["c1: an entry needs `en` and `alt`", "c2: an entry needs"],
    ),
    (
        {
            "c1": {"en": "A plot.", "alt": "Un graphique."},
            "c2": {"en": "A replay.", "alt": "Une animation."},
            "c9": {"en": "Gone.", "alt": "Disparu."},
        },
        ["c9: no such figure"],
    ),
]


@pytest.mark.parametrize("entries, fragments", ENTRY_CASES)
def test_entry_problems(entries, fragments):
    problems = "\n".join(alt_text.entry_problems(ENGLISH_ALTS, entries))
    if not fragments:
        assert problems == ""
    position = 0
    for fragment in fragments:
        position = problems.index(fragment, position)  # in order


def page(*cells) -> nodes.document:
    """A doctree as myst-nb builds it: a container per code cell, its
    outputs in a container, each image with the alt it was given."""
    from docutils.utils import new_document

    document = new_document("page")
    for index, alts in cells:
        output = nodes.container(nb_element="cell_code_output")
        output += [nodes.image(uri=f"{index}.png", alt=a) for a in alts]
        cell = nodes.container(nb_element="cell_code", cell_index=index)
        cell += output
        document += cell
    return document


def alts(doctree) -> list[str]:
    return [image.get("alt") for _, image in alt_text.cell_images(doctree)]


NB = notebook(("c1", "A plot."), ("c2", None), ("c3", "A replay."))
FRENCH = {
    "c1": {"en": "A plot.", "alt": "Un graphique."},
    "c3": {"en": "A replay.", "alt": "Une animation."},
}
TRANSLATE_CASES = [
    # cells (index, image alts), entries, alts after, problems (fragments)
    (
        [(0, ["A plot."]), (2, ["A replay."])],
        FRENCH,
        ["Un graphique.", "Une animation."],
        [],
    ),
    # two images in one cell both take the cell's alt text
    ([(0, ["A plot.", "A plot."])], FRENCH, ["Un graphique."] * 2, []),
    # the English site keeps the cells' alt text
    ([(0, ["A plot."])], None, ["A plot."], []),
    # an image without alt text fails on every site
    ([(1, [""])], None, [""], ["c2: an output image has no alt text"]),
    ([(1, [""])], FRENCH, [""], ["c2: an output image has no alt text"]),
    # an alt text that is not the cell's metadata cannot be translated
    (
        [(1, ["Set elsewhere."])],
        FRENCH,
        ["Set elsewhere."],
        ["c2: an output image's alt text"],
    ),
    # a missing entry leaves the English, and says so
    (
        [(2, ["A replay."])],
        {"c1": FRENCH["c1"]},
        ["A replay."],
        ["c3: no translation"],
    ),
]


@pytest.mark.parametrize("cells, entries, after, fragments", TRANSLATE_CASES)
def test_translate(cells, entries, after, fragments):
    doctree = page(*cells)
    problems = "\n".join(alt_text.translate(doctree, NB, entries))
    assert alts(doctree) == after
    for fragment in fragments:
        assert fragment in problems
    if not fragments:
        assert problems == ""


def test_images_outside_code_cell_outputs_are_left_alone():
    doctree = page((0, ["A plot."]))
    doctree += nodes.image(uri="prose.png", alt="In the prose.")
    alt_text.translate(doctree, NB, FRENCH)
    assert [i["alt"] for i in doctree.findall(nodes.image)] == [
        "Un graphique.",
        "In the prose.",
    ]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_figure_has_a_current_translation(lang):
    """What the build checks, without a build: each language's file
    translates every figure of every English chapter, from its current
    English."""
    entries = alt_text.load(BOOK / lang / alt_text.FILE)
    assert set(entries) == {p.stem for p in ENGLISH}, lang
    for path in ENGLISH:
        english = alt_text.english_alts(load(path))
        assert english, f"{path.name}: no figure with alt text"
        problems = alt_text.entry_problems(english, entries[path.stem])
        assert not problems, f"{lang}/{alt_text.FILE} {path.stem}: {problems}"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", ENGLISH, ids=lambda p: p.stem)
def test_translated_chapters_have_the_english_figures(lang, path):
    """The file is keyed by the English chapters' cell ids; the build
    reads the translated chapters' ids."""
    translated = alt_text.english_alts(load(BOOK / lang / path.name))
    assert translated == alt_text.english_alts(load(path))


# a translation in the site's language: the script it must contain, and
# scripts it must not
SCRIPTS = {
    "fr": (re.compile(r"[a-zàâçéèêëîïôûùüÿœ]"), (HANGUL, HAN, KANA)),
    "ko": (HANGUL, (HAN, KANA)),
    "zh": (HAN, (HANGUL, KANA)),
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_are_in_the_site_language(lang):
    script, foreign = SCRIPTS[lang]
    entries = alt_text.load(BOOK / lang / alt_text.FILE)
    for chapter, cells in entries.items():
        for cell, entry in cells.items():
            where = f"{lang} {chapter} {cell}"
            assert script.search(entry["alt"]), where
            assert not any(f.search(entry["alt"]) for f in foreign), where
            assert entry["alt"] != entry["en"], where
            # the names and numbers a reader needs survive translation
            for token in re.findall(r"\w+-v\d|\b\d+(?:\.\d+)?\b", entry["en"]):
                assert token in entry["alt"].replace("−", "-"), (where, token)
