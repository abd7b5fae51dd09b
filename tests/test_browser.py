"""The built book, read in a real browser as its readers read it.

Headless Chromium driven by Playwright (the first browser that
``find_chromium`` in tests/conftest.py finds: Debian's package, which
`.ci/run` installs, a Chrome, or Playwright's own) opens the book that
the book test builds, served on localhost, at a desktop width and at a
phone's. Without a browser these tests are skipped, and pytest's header
says so; `.ci/run` sets ACTORCRITIC_REQUIRE_BROWSER, which fails them
instead. Every failure names the page and the check. Requests to any
other host are blocked and reported: the pages must be self-contained.
"""

from __future__ import annotations

import functools
import html
import http.server
import os
import posixpath
import re
import sys
import threading
from pathlib import Path

import pytest
from playwright import sync_api as playwright

from tests.conftest import BROWSER_HELP, find_chromium

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import theme_strings  # noqa: E402

WIDTHS = (1400, 400)
# site folder -> the <html lang> its pages must carry
LANGS = {"": "en", "fr/": "fr", "ko/": "ko", "zh/": "zh-CN"}
PAGES = ["intro", "notation", *sorted(p.stem for p in BOOK.glob("0*.ipynb"))]
# MyST that would show if a role or directive were not parsed
RAW_MYST = re.compile(r"\{glue:|\{dropdown\}|```|\{math\}|:::\{")
# The figures are drawn 8 inches wide (800 px) with 13-14 pt text, 18 px
# or more in the image (actorcritic.plotting.BOOK_STYLE). Shrunk by at most
# this factor, that text is at least 14 px on a desktop and 7 px on a phone
# (where readers can zoom).
MAX_SHRINK = {1400: 1.25, 400: 2.5}
# a link to a page of the book by its Colab or GitHub address, which the
# build should have turned into a link within the site
BOOK_PAGE = re.compile(
    r"https://(colab\.research\.google\.com/github|github\.com)/"
    r"[^/]+/[^/]+/blob/[^/]+/book/.*\.(ipynb|md)(#.*)?$"
)
# a term that pages of that language's site contain
SEARCHES = {"ko/": "크리틱", "zh/": "策略梯度"}

pytestmark = pytest.mark.book


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site(built):
    """The built site served on localhost; yields its base URL."""
    handler = functools.partial(_Quiet, directory=str(built))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    executable = find_chromium()
    if executable is None:
        # pytest's header said so once; .ci/run requires a browser
        message = f"no Chromium or Chrome found: {BROWSER_HELP}"
        if os.environ.get("ACTORCRITIC_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=executable,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class Page:
    """One page in a fresh browser tab, with what left the site."""

    def __init__(self, browser, site: str, path: str, width: int):
        self.site, self.path, self.width = site, path, width
        self.external: list[str] = []
        self.tab = browser.new_page(viewport={"width": width, "height": 900})
        self.tab.route(
            lambda url: not url.startswith(site),
            lambda route: (
                self.external.append(route.request.url),
                route.abort(),
            ),
        )
        self.tab.goto(site + path, wait_until="load")

    def where(self, check: str) -> str:
        return f"{self.path} at {self.width} px: {check}"

    def close(self):
        self.tab.close()


@pytest.fixture
def open_page(browser, site):
    pages = []

    def opener(path: str, width: int) -> Page:
        pages.append(Page(browser, site, path, width))
        return pages[-1]

    yield opener
    for page in pages:
        page.close()


def _typeset(page: Page) -> tuple[int, int]:
    """Wait for MathJax; return (formulas, formulas with errors)."""
    tab = page.tab
    src = tab.evaluate(
        "document.querySelector('script[src*=mathjax]')?.src ?? null"
    )
    if src is None:
        return 0, 0
    assert src.startswith(page.site), page.where(f"MathJax comes from {src}")
    try:
        tab.wait_for_function(
            "window.MathJax && MathJax.startup", timeout=20_000
        )
    except playwright.TimeoutError:
        pytest.fail(page.where("MathJax did not start"))
    tab.evaluate("MathJax.startup.promise")
    return tab.evaluate(
        "[document.querySelectorAll('mjx-container').length,"
        " document.querySelectorAll('mjx-merror').length]"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", PAGES)
def test_page_is_whole_and_self_contained(
    open_page, built, lang, page_name, width
):
    page = open_page(f"{lang}{page_name}.html", width)
    tab = page.tab
    assert tab.evaluate("document.documentElement.lang") == LANGS[lang], (
        page.where("<html lang>")
    )
    formulas, errors = _typeset(page)
    if page_name.startswith("0") or page_name == "notation":
        assert formulas > 0, page.where("no typeset maths")
    assert errors == 0, page.where(f"{errors} formulas with MathJax errors")
    broken = tab.evaluate(
        "[...document.images].filter(i => !i.complete || !i.naturalWidth)"
        ".map(i => i.getAttribute('src'))"
    )
    assert not broken, page.where(f"images that did not load: {broken}")
    figures = tab.evaluate(
        "[...document.querySelectorAll('article img')].map(i =>"
        " [i.getAttribute('src'), i.alt, i.naturalWidth, i.clientWidth])"
    )
    for src, alt, natural, shown in figures:
        if "_images/" not in src:
            continue
        assert len(alt) > 30 and not re.match(r"[0-9a-f]{16}", alt), (
            page.where(f"{src}: alt text {alt!r} says nothing")
        )
        assert natural <= MAX_SHRINK[width] * shown, page.where(
            f"{src}: shown {shown} px wide from {natural} px, its labels "
            "shrink below reading size"
        )
    hrefs = tab.eval_on_selector_all(
        "article a[href]", "links => links.map(a => a.getAttribute('href'))"
    )
    leaving = [h for h in hrefs if BOOK_PAGE.match(h)]
    assert not leaving, page.where(
        f"links to the book leave the site: {leaving}"
    )
    for href in hrefs:
        if "://" in href or href.startswith(("#", "mailto:")):
            continue
        target = href_from(lang, href.split("#")[0]) if href[0] != "#" else ""
        assert (built / target).exists(), page.where(f"dead link {href}")
    wide = tab.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, page.where(
        f"the page is {wide} px wide: something does not wrap"
    )
    text = tab.inner_text("article")
    raw = RAW_MYST.findall(text)
    assert not raw, page.where(f"raw MyST in the text: {raw}")
    assert not page.external, page.where(
        f"requests left the site: {page.external}"
    )


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_menu_opens_and_lists_this_languages_chapters(open_page, lang, width):
    page = open_page(f"{lang}02_one_step_actor_critic.html", width)
    tab = page.tab
    sidebar = tab.locator(".bd-sidebar-primary")
    if width < 960:  # the menu starts closed on a phone or a tablet
        assert not _in_view(sidebar), page.where("menu open before a tap")
        toggle = tab.locator(".primary-toggle:visible").first
        toggle.click()
        tab.wait_for_timeout(500)
    assert _in_view(sidebar), page.where("the menu does not open")
    links = sidebar.locator("nav.bd-links a")
    current = "02_one_step_actor_critic"
    hrefs = {
        current if href == "#" else Path(href).stem
        for i in range(links.count())
        if links.nth(i).is_visible()
        and (href := links.nth(i).get_attribute("href"))
    }
    missing = [p for p in PAGES if p not in hrefs]
    assert not missing, page.where(f"the menu lacks {missing}")
    assert len(hrefs) == len(PAGES), page.where(
        f"the menu lists other pages too: {sorted(hrefs)}"
    )


def _in_view(locator) -> bool:
    box = locator.bounding_box()
    return bool(box) and box["x"] >= 0 and box["width"] > 0


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", PAGES)
def test_language_switcher_leads_to_the_same_page(
    open_page, site, lang, page_name
):
    page = open_page(f"{lang}{page_name}.html", 1400)
    tab = page.tab
    for other, code in LANGS.items():
        if other == lang:
            continue
        link = tab.locator(f"article a[href$='{other}{page_name}.html']")
        assert link.count() >= 1, page.where(f"no link to the {code} page")
        href = link.first.get_attribute("href")
        target = open_page(href_from(lang, href), 1400)
        assert target.tab.url == f"{site}{other}{page_name}.html", page.where(
            f"the {code} link leads to {target.tab.url}"
        )
        assert target.tab.evaluate("document.documentElement.lang") == code


def href_from(lang: str, href: str) -> str:
    """A relative href of a page in folder ``lang``, as a site path."""
    return posixpath.normpath(posixpath.join(lang, href))


@pytest.mark.parametrize("lang, term", SEARCHES.items())
def test_search_stays_in_its_language_and_finds_every_page(
    open_page, built, lang, term
):
    """Search returns pages of the current language only, and every page
    of that language whose text contains the term."""
    expected = {
        name
        for name in PAGES
        if term in (built / f"{lang}{name}.html").read_text("utf-8")
    }
    assert expected, f"no {lang} page contains {term!r}"
    page = open_page(f"{lang}search.html?q={term}", 1400)
    tab = page.tab
    tab.wait_for_function(
        "document.querySelector('#search-results .search-summary') &&"
        " !document.querySelector('#search-results .search-summary')"
        ".textContent.includes('...')",
        timeout=20_000,
    )
    tab.wait_for_timeout(500)
    hrefs = tab.eval_on_selector_all(
        "#search-results ul.search li a",
        "links => links.map(a => a.getAttribute('href'))",
    )
    found = {Path(h.split("?")[0].split("#")[0]).stem for h in hrefs}
    outside = [h for h in hrefs if h.startswith("../") or "://" in h]
    assert not outside, page.where(f"results outside {lang}: {outside}")
    assert expected <= found, page.where(
        f"search for {term!r} misses {sorted(expected - found)}"
    )


@pytest.mark.parametrize(
    "chapter", ["05_lunar_lander_aac", "06_gae_ppo", "07_off_policy"]
)
@pytest.mark.parametrize("lang", LANGS)
def test_answers_start_folded_and_open_on_a_tap(open_page, lang, chapter):
    """The answers of chapters 5 to 7 are plain <details> blocks (so that
    Jupyter and Colab fold them too): closed at first below their visible
    question, styled by the book's sheet, and open on a tap, at a phone's
    width."""
    page = open_page(f"{lang}{chapter}.html", 400)
    answers = page.tab.locator("details:not([class])")
    assert answers.count() == 3, page.where("not three folded answers")
    for i in range(3):
        answer = answers.nth(i)
        body = answer.locator(":scope > :not(summary)").first
        assert answer.get_attribute("open") is None, page.where("open")
        assert not body.is_visible(), page.where("answer shows folded")
        question = answer.locator("xpath=preceding-sibling::p[1]/strong")
        assert question.inner_text().startswith(f"{i + 1}."), page.where(
            f"question {i + 1} is not right above its answer"
        )
        style = answer.evaluate("e => getComputedStyle(e).borderLeftWidth")
        assert style == "3px", page.where("book.css did not style it")
        answer.locator("summary").click()
        assert body.is_visible(), page.where(f"answer {i + 1} did not open")


SOLUTION_TOGGLE = {
    "en": "Show code cell source",
    "fr": "Afficher le code",
    "ko": "코드 보기",
    "zh-CN": "显示代码",
}


@pytest.mark.parametrize("lang", LANGS)
def test_solutions_are_folded_under_a_label_in_the_page_language(
    open_page, lang
):
    """A hidden solution (tag hide-input) shows only its toggle, labelled
    in the page's language (nb_code_prompt_show in each _config.yml), and
    its code on a tap, at a phone's width."""
    page = open_page(f"{lang}06_gae_ppo.html", 400)
    toggles = page.tab.locator(".tag_hide-input > details")
    assert toggles.count() == 2, page.where("not two hidden solutions")
    for i in range(2):
        toggle = toggles.nth(i)
        code = toggle.locator("pre").first
        label = toggle.locator("summary .collapsed")
        assert label.inner_text().strip() == SOLUTION_TOGGLE[LANGS[lang]], (
            page.where(f"toggle {i + 1} says {label.inner_text()!r}")
        )
        assert not code.is_visible(), page.where("the solution shows")
        toggle.locator("summary").click()
        assert code.is_visible(), page.where(f"solution {i + 1} did not open")


# The English that the themes, Sphinx, myst-nb and sphinx-copybutton write
# where a language's catalogs fall short (book/_ext/theme_strings.py)
THEME_ENGLISH = theme_strings.english()
# what an image's alt text in the page's language contains; French is
# checked against the English page's alt texts instead
SCRIPT = {
    "ko/": (re.compile(r"[가-힣]"), "no Hangul"),
    "zh/": (re.compile(r"[\u4e00-\u9fff]"), "no Chinese characters"),
}
# Everything a reader or a screen reader meets that is not the prose's own
# words: the text of the page (outside code and cell outputs, which are
# English on every site, and visible or not), the elements' titles,
# labels, alt texts, placeholders and tooltips (Bootstrap moves a title
# into data-bs-original-title; the copy buttons' is data-tooltip and their
# icons' SVG <title>).
INTERFACE = """() => {
  const found = [];
  const walker = document.createTreeWalker(
    document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (text && !node.parentElement.closest(
        "script, style, pre, code, .cell_output, noscript")) {
      found.push(["text", text]);
    }
  }
  const names = [
    "title", "aria-label", "alt", "placeholder", "data-tooltip",
    "data-bs-title", "data-bs-original-title", "aria-description"];
  for (const element of document.querySelectorAll("*")) {
    for (const name of names) {
      const value = element.getAttribute(name);
      if (value && value.trim()) {
        found.push([name, value.replace(/\\s+/g, " ").trim()]);
      }
    }
  }
  return found;
}"""


def english_alts(built: Path, name: str) -> set[str]:
    """The alt texts of the English page (those its scripts write too)."""
    text = (built / f"{name}.html").read_text(encoding="utf-8")
    return {html.unescape(alt) for alt in re.findall(r'alt="([^"]*)"', text)}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page_name", [*PAGES, "search", "genindex"])
def test_interface_and_alt_text_are_in_the_page_language(
    open_page, built, lang, page_name, width
):
    """Every image has alt text, in the page's language; on a translated
    page, no string of the themes' English list in its text, attributes or
    tooltips, once its scripts have run."""
    page = open_page(f"{lang}{page_name}.html", width)
    tab = page.tab
    # the copy buttons are added when the page has loaded
    tab.wait_for_function(
        "document.querySelectorAll('.copybtn').length =="
        " document.querySelectorAll('div.highlight pre').length",
        timeout=10_000,
    )
    if page_name.startswith("0"):
        buttons = tab.locator(".cell_input .copybtn")
        assert buttons.count() > 0, page.where("no copy buttons")
    images = tab.evaluate(
        "[...document.images].map(i => [i.getAttribute('src'), i.alt])"
    )
    for src, alt in images:
        assert alt.strip(), page.where(f"{src}: no alt text")
    if not lang:
        return
    found = tab.evaluate(INTERFACE)
    left = sorted(
        {f"{where}: {s!r}" for where, s in found if s in THEME_ENGLISH}
    )
    assert not left, page.where(f"English interface strings: {left}")
    english = english_alts(built, page_name)
    for src, alt in images:
        if lang in SCRIPT:
            script, lacks = SCRIPT[lang]
            assert script.search(alt), page.where(f"{src}: {lacks} in {alt!r}")
        assert alt not in english, page.where(
            f"{src}: the English page's alt text {alt!r}"
        )
