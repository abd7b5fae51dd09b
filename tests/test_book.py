"""Build the whole book (quick budget) in a temporary copy, with warnings
as errors, as `python book/build.py` does, and look for the training plot
and the GIF on every language's chapter page. The copy has its own
execution cache: a quick run never writes into the book's own cache."""

import re
from pathlib import Path

import pytest
import yaml

BOOK = Path(__file__).resolve().parents[1] / "book"
LANGUAGES = ("", "fr/", "ko/", "zh/")
CHAPTERS = sorted(p.stem for p in BOOK.glob("*.ipynb"))
CONFIG = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
REPO = CONFIG["repository"]["url"].removeprefix("https://github.com/")


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
