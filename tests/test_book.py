"""Build the whole book (quick budget) in a temporary copy, with warnings
as errors, as `python book/build.py` does, and look for the training plot
and the GIF on every language's chapter page, and for English in the
interface and the alt text of the translated pages. The copy has its own
execution cache: a quick run never writes into the book's own cache."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup, Comment, Doctype

BOOK = Path(__file__).resolve().parents[1] / "book"
LANGUAGES = ("", "fr/", "ko/", "zh/")
CHAPTERS = sorted(p.stem for p in BOOK.glob("*.ipynb"))
CONFIG = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")
sys.path.insert(0, str(BOOK / "_ext"))
import alt_text  # noqa: E402
import theme_strings  # noqa: E402

# every page of a site: its toc's, and the two Sphinx makes
PAGES = ["intro", "notation", *CHAPTERS, "search", "genindex"]


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_page_shows_plot_and_gif(built, lang, chapter):
    page = built / f"{lang}{chapter}.html"
    assert page.exists(), f"{page} was not built"
    html = page.read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="([^"]+)"', html)
    pngs = [s for s in images if s.endswith(".png")]
    gifs = [s for s in images if s.endswith(".gif")]
    assert pngs, f"{page}: no training plot"
    assert gifs, f"{page}: no GIF replay"
    for src in pngs + gifs:
        assert (page.parent / src).resolve().exists(), f"{page}: {src}"
    assert "not implemented yet" in html  # the exercise stubs ran


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_colab_button_opens_this_notebook(built, lang, chapter):
    html = (built / f"{lang}{chapter}.html").read_text(encoding="utf-8")
    target = (
        f"colab.research.google.com/github/{REPO}/blob/main/book/"
        f"{lang}{chapter}.ipynb"
    )
    assert target in html


def site_config(lang: str) -> dict:
    folder = BOOK / lang
    return yaml.safe_load((folder / "_config.yml").read_text("utf-8"))


# What may differ between the four sites' configurations.
PER_LANGUAGE = {
    ("title",),
    ("exclude_patterns",),
    ("repository", "path_to_book"),
    ("sphinx", "local_extensions", "site_links"),
    ("sphinx", "local_extensions", "run_numbers"),
    ("sphinx", "local_extensions", "book_style"),
    ("sphinx", "local_extensions", "theme_strings"),
    ("sphinx", "local_extensions", "alt_text"),
    ("sphinx", "config", "language"),
    ("sphinx", "config", "site_path"),
    ("sphinx", "config", "html_theme_options", "search_bar_text"),
    ("sphinx", "config", "html_search_options", "dict"),
    ("sphinx", "config", "nb_code_prompt_show"),
    ("sphinx", "config", "nb_code_prompt_hide"),
}


def flatten(tree: dict, prefix: tuple = ()) -> dict:
    out = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            out.update(flatten(value, (*prefix, key)))
        else:
            out[(*prefix, key)] = value
    return out


@pytest.mark.parametrize("lang", [lang.strip("/") for lang in LANGUAGES[1:]])
def test_language_sites_share_their_settings(lang):
    """Each language is a site of its own; apart from what names the
    language, its configuration is the English one (one cache, one
    repository, one theme set-up)."""
    english, other = flatten(site_config("")), flatten(site_config(lang))
    extra = set(other) - set(english) - PER_LANGUAGE
    assert set(english) <= set(other) and not extra, (
        f"{lang}/_config.yml: keys differ from the English ones"
    )
    for key in english:
        if key not in PER_LANGUAGE:
            assert other[key] == english[key], f"{lang}: {'.'.join(key)}"
    assert other[("sphinx", "config", "site_path")] == f"{lang}/"
    assert other[("repository", "path_to_book")] == f"book/{lang}"


def load_build_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build", BOOK / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_changed_package_makes_the_build_start_clean(tmp_path):
    """The execution cache keys on the code cells only: after a change to
    the package the build must not serve outputs of the old code."""
    build = load_build_script()
    package, book = tmp_path / "actorcritic", tmp_path / "book"
    package.mkdir()
    (package / "returns.py").write_text("GAMMA = 0.99\n")
    cache = book / "_build" / ".jupyter_cache"
    translation = book / "fr" / "_build" / "html"
    cache.mkdir(parents=True)
    translation.mkdir(parents=True)
    # no fingerprint yet: a build of unknown code, start clean
    assert build.start_clean_if_package_changed(book, package)
    assert not cache.exists() and not translation.exists()
    cache.mkdir(parents=True)
    # the same package: keep the cache
    assert not build.start_clean_if_package_changed(book, package)
    assert cache.exists()
    # one edited file: start clean
    (package / "returns.py").write_text("GAMMA = 0.999\n")
    assert build.start_clean_if_package_changed(book, package)
    assert not cache.exists()
    # a new file counts too
    cache.mkdir(parents=True)
    (package / "gae.py").write_text("")
    assert build.start_clean_if_package_changed(book, package)


def test_the_build_fingerprints_the_package_the_kernel_imports():
    import actorcritic

    build = load_build_script()
    assert build.imported_package() == Path(actorcritic.__file__).parent


# --- the interface and the alt text, in the page's language -------------

# The English the themes write, which no translated page may show (the
# copy buttons' tooltips, which their script writes, are left to the
# browser test).
THEME_ENGLISH = theme_strings.english() - set(
    theme_strings.COPYBUTTON.values()
)
# what the translated pages may share with the English ones: names,
# file types, a key, and words that French spells the English way
SAME_EVERYWHERE = {"Colab", ".ipynb", ".md", ".pdf", "Ctrl", "K"}
SAME_IN = {"fr/": {"Index"}}
ATTRIBUTES = ("title", "aria-label", "alt", "placeholder", "data-tooltip")
WRITTEN = re.compile(r"document\.write\(`(.*?)`\)", re.S)


def interface(path: Path) -> set[tuple[str, str]]:
    """A page's interface strings, as (where, string): its elements'
    titles, labels, alt texts and placeholders, and its text outside the
    prose (the article of a chapter, intro or notation page), the code
    and the tables of contents (the chapters' headings), with what its
    scripts write with document.write. The author's line counts as its
    words before the author's name ("By")."""
    text = path.read_text(encoding="utf-8")
    soup = BeautifulSoup(text + "".join(WRITTEN.findall(text)), "html.parser")
    found = {
        (name, " ".join(element[name].split()))
        for element in soup.find_all(True)
        for name in ATTRIBUTES
        if element.get(name, "").strip()
    }
    prose = "" if path.stem in ("search", "genindex") else "article,"
    for element in soup.select(
        f"head, script, style, {prose} pre, code, nav.bd-links,"
        " nav.bd-toc-nav, #jb-print-toc"
    ):
        element.decompose()
    for string in soup.find_all(string=True):
        if not isinstance(string, (Comment, Doctype)) and string.strip():
            string = " ".join(string.split())
            found.add(("text", string.replace(CONFIG["author"], "").strip()))
    return found


@pytest.mark.book
def test_the_theme_strings_are_what_the_english_site_shows(built):
    """Every string of the list is on some English page (so the check
    below looks for English that the themes do write)."""
    shown = {s for name in PAGES for _, s in interface(built / f"{name}.html")}
    missing = THEME_ENGLISH - shown
    assert not missing, f"not on any English page: {sorted(missing)}"


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGUAGES[1:])
@pytest.mark.parametrize("name", PAGES)
def test_no_english_interface_string_on_a_translated_page(built, lang, name):
    """Neither a string of the themes' English list nor any interface
    string of the English page, unless it is the same in every language."""
    page = interface(built / f"{lang}{name}.html")
    english = {s for _, s in interface(built / f"{name}.html")}
    allowed = SAME_EVERYWHERE | SAME_IN.get(lang, set())
    left = sorted(
        (where, s)
        for where, s in page
        if s in THEME_ENGLISH
        or (s in english and s not in allowed and re.search(r"[^\W\d_]", s))
    )
    assert not left, f"{lang}{name}.html: English left: {left}"


@pytest.mark.book
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_figures_have_the_alt_text_of_their_language(built, lang, chapter):
    """Each figure and replay has its cell's alt text on the English site,
    and its translation from <lang>/alt_text.yml on the others."""
    notebook = json.loads((BOOK / f"{chapter}.ipynb").read_text("utf-8"))
    expected = set(alt_text.english_alts(notebook).values())
    if lang:
        entries = alt_text.load(BOOK / lang / alt_text.FILE)[chapter]
        expected = {entry["alt"].strip() for entry in entries.values()}
    soup = BeautifulSoup(
        (built / f"{lang}{chapter}.html").read_text("utf-8"), "html.parser"
    )
    figures = [img.get("alt", "") for img in soup.select(".cell_output img")]
    assert figures, f"{lang}{chapter}: no figure"
    assert set(figures) == expected, f"{lang}{chapter}: {figures}"


def _glossary_terms(notation: Path) -> set[str]:
    """The Chinese names of the glossary's terms (its second column),
    split at 、 and stripped of notes in parentheses and of maths; only
    names in Chinese characters alone, the only ones the search
    dictionary can hold."""
    text = notation.read_text(encoding="utf-8")
    glossary = text[text.index("## 术语表") :]
    terms = set()
    for row in glossary.splitlines()[3:]:
        cells = row.split("|")
        if len(cells) < 4:
            continue
        names = re.sub(r"（[^）]*）|\$[^$]*\$", "", cells[2])
        for name in re.split(r"[、，,]", names):
            name = name.strip()
            if re.fullmatch(r"[\u4e00-\u9fff]{2,}", name):
                terms.add(name)
    return terms


def test_the_chinese_search_dictionary_keeps_step_with_the_glossary():
    """Every Chinese glossary term is in zh/search_terms.txt (jieba then
    keeps it whole, so searching for it finds it), and every term of the
    dictionary occurs in the Chinese pages (a stale one would split
    words that the book writes otherwise)."""
    zh = BOOK / "zh"
    listed = {
        line.split()[0]
        for line in (zh / "search_terms.txt").read_text("utf-8").splitlines()
        if line.strip()
    }
    missing = _glossary_terms(zh / "notation.md") - listed
    assert not missing, f"glossary terms not in search_terms.txt: {missing}"
    pages = "".join(
        p.read_text(encoding="utf-8")
        for p in [*zh.glob("*.ipynb"), *zh.glob("*.md")]
    )
    unused = {term for term in listed if term not in pages}
    assert not unused, f"search terms the Chinese pages never use: {unused}"
