"""book/_ext/theme_strings.py: the themes' interface in the page's language
(gettext catalogs in front of the themes', templates that pass the
theme's English to translate(), myst-nb's toggle, sphinx-copybutton's
tooltips)."""

import gettext
import re
import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest
import sphinx
import sphinx_book_theme
import sphinx_copybutton
from sphinx import locale

BOOK = Path(__file__).resolve().parents[1] / "book"
sys.path.insert(0, str(BOOK / "_ext"))
import theme_strings as ts  # noqa: E402

# the site's folder -> the Sphinx language of its _config.yml
LANGUAGES = {"fr": "fr", "ko": "ko", "zh": "zh_CN"}
SBT = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme"
# where each domain's catalogs are installed, in the order Sphinx looks
PACKAGE_LOCALES = {
    "sphinx": [
        Path(sphinx.__file__).parent / "locale",
        Path(pydata_sphinx_theme.__file__).parent / "locale",
    ],
    "booktheme": [SBT / "static" / "locales"],
}


def chain(lang: str, domain: str) -> gettext.NullTranslations:
    """The site's catalog in front of the installed ones, as the build
    orders them."""
    first = ts.translations(ts.compile_catalog(BOOK / lang / ts.CATALOG))
    for folder in PACKAGE_LOCALES[domain]:
        try:
            first.add_fallback(
                gettext.translation(
                    domain, str(folder), languages=[LANGUAGES[lang]]
                )
            )
        except OSError:
            pass  # the package has no catalog for this language
    return first


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("domain", ts.SHOWN)
def test_every_string_the_pages_show_is_translated(lang, domain):
    missing = ts.untranslated(chain(lang, domain), ts.SHOWN[domain])
    assert not missing, f"{lang}/{ts.CATALOG}: no {domain} translation"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalog_holds_only_strings_the_pages_show(lang):
    catalog = ts.read_catalog(BOOK / lang / ts.CATALOG)
    shown = {s for strings in ts.SHOWN.values() for s in strings}
    shown |= set(ts.COPYBUTTON.values())
    unused = [m.id for m in catalog if m.id and m.id not in shown]
    assert not unused, f"{lang}: entries no page shows: {unused}"


@pytest.mark.parametrize(
    "lang, script",
    [
        # Korean: Hangul, and no Han characters or kana
        ("ko", re.compile(r"^[^\u3040-\u30ff\u4e00-\u9fff]*[가-힣]")),
        # Chinese: Han characters, and no Hangul or kana
        ("zh", re.compile(r"^[^\u3040-\u30ff\uac00-\ud7a3]*[\u4e00-\u9fff]")),
        # French: Latin script only
        ("fr", re.compile(r"^[^\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7a3]+$")),
    ],
)
def test_translations_are_in_the_site_language(lang, script):
    for message in ts.read_catalog(BOOK / lang / ts.CATALOG):
        if message.id:
            assert script.search(message.string), (lang, message.id)
            assert message.string != message.id, (lang, message.id)


BAD_ENTRIES = [
    ('msgid "Back to top"\nmsgstr ""\n', "'Back to top' has no translation"),
    (
        '#, fuzzy\nmsgid "Back to top"\nmsgstr "Haut"\n',
        "'Back to top' is marked fuzzy",
    ),
    (
        '#, python-format\nmsgid "%(name)s logo"\nmsgstr "logo %(nom)s"\n',
        "'%(name)s logo': ",
    ),
]


@pytest.mark.parametrize("entry, problem", BAD_ENTRIES)
def test_a_catalog_that_would_leave_english_fails(tmp_path, entry, problem):
    po = tmp_path / "interface.po"
    po.write_text(
        'msgid ""\nmsgstr "Language: fr\\n"\n\n' + entry, encoding="utf-8"
    )
    with pytest.raises(ts.CatalogError, match=re.escape(problem)):
        ts.read_catalog(po)


def compiled(tmp_path, name: str, entries: dict) -> bytes:
    po = tmp_path / f"{name}.po"
    body = "".join(
        f'msgid "{key}"\nmsgstr "{value}"\n\n'
        for key, value in entries.items()
    )
    po.write_text(
        'msgid ""\nmsgstr "Language: fr\\n"\n\n' + body, encoding="utf-8"
    )
    return ts.compile_catalog(po)


def test_the_site_catalog_goes_in_front_of_the_installed_ones(tmp_path):
    key = ("general", "test-theme-strings")
    theirs = ts.translations(
        compiled(tmp_path, "theirs", {"Search": "Chercher", "By": "Par"})
    )
    locale.translators[key] = theirs
    try:
        mine = ts.put_first(
            compiled(tmp_path, "mine", {"By": "Auteurs :"}), key[1]
        )
        assert locale.translators[key] is mine
        # its own entries win, the others fall through, unknown stay
        assert [mine.gettext(s) for s in ("By", "Search", "Main")] == [
            "Auteurs :",
            "Chercher",
            "Main",
        ]
        assert ts.untranslated(mine, ["By", "Search", "Main"]) == ["Main"]
    finally:
        del locale.translators[key]


@pytest.mark.parametrize(
    "entries, script",
    [
        ({}, False),
        ({"Copy": "Copier", "Copied!": "Copié !"}, False),
        (
            {
                "Copy": "복사",
                "Copy to clipboard": "클립보드에 복사",
                "Copied!": "복사했습니다!",
                "Failed to copy": "복사하지 못했습니다",
            },
            True,
        ),
    ],
)
def test_copybutton_gets_a_language_only_when_all_four_are_translated(
    tmp_path, entries, script
):
    made = ts.copybutton_script(
        ts.translations(compiled(tmp_path, "x", entries))
    )
    assert (made is not None) == script
    if script:
        assert '"copy_success": "복사했습니다!"' in made
        assert "locale = lang" in made


def test_copybutton_messages_are_the_installed_ones():
    """The script replaces copybutton.js's English messages by key and
    retitles its icons by their English text: both must be the
    package's."""
    js = (
        Path(sphinx_copybutton.__file__).parent / "_static" / "copybutton.js_t"
    ).read_text(encoding="utf-8")
    english = js[js.index("'en'") : js.index("}", js.index("'en'"))]
    found = dict(re.findall(r"'(\w+)': '([^']*)'", english))
    assert found == ts.COPYBUTTON
    assert "let iconCopy = " in js and "let iconCheck = " in js
    assert "let locale = " in js
    assert "<title>${messages[locale]['copy_to_clipboard']}</title>" in js
    assert "<title>${messages[locale]['copy_success']}</title>" in js


def test_myst_nb_toggle_label_is_translated():
    from myst_nb.sphinx_ import HideCodeCellNode

    class Writer:
        body: list

    node = HideCodeCellNode(classes=[], prompt_show="Show", prompt_hide="Hide")
    english, translated = Writer(), Writer()
    english.body, translated.body = [], []
    key = ("general", "sphinx")
    saved = locale.translators.get(key)
    locale.translators[key] = chain("fr", "sphinx")
    try:
        ts.visit_hidden_code(translated, node)
    finally:
        if saved is None:
            del locale.translators[key]
        else:
            locale.translators[key] = saved
    from myst_nb.sphinx_ import visit_HideCellInput

    visit_HideCellInput(english, node)
    assert ts.HIDDEN_TOGGLE in "".join(english.body)
    html = "".join(translated.body)
    assert 'aria-label="Afficher ou masquer le contenu caché"' in html
    assert "Toggle hidden content" not in html


# Each template of book/_ext/templates is the theme's, but for the
# translate() calls it adds: undone here, it must give the theme's text.
TEMPLATES = [
    "components/toggle-primary-sidebar.html",
    "components/toggle-secondary-sidebar.html",
    "components/sbt-sidebar-nav.html",
    "macros/buttons.html",
    "layout.html",
]
UNDO = [
    # {{ translate("Main") }} -> Main
    (r'\{\{ translate\("([^"%]+)"\) \}\}', r"\1"),
    (
        r'\{\{ translate\("%\(name\)s logo"\)'
        r"\|format\(name=translate\(text\)\) \}\}",
        '{{ translate(text) }} {{ translate("logo") }}',
    ),
    (r"\{\{ super\.super\(\) \}\}", "{{ super() }}"),
]


def block(text: str, name: str) -> str:
    start = text.index(f"{{% block {name} %}}")
    return text[start : text.index("{% endblock %}", start)]


@pytest.mark.parametrize("name", TEMPLATES)
def test_templates_are_the_themes_but_translated(name):
    ours = (ts.TEMPLATES / name).read_text(encoding="utf-8")
    assert ours.startswith("{#-") and "-#}\n" in ours
    assert "translate(" in ours
    ours = ours[ours.index("-#}\n") + 4 :]  # the note on top
    for pattern, replacement in UNDO:
        ours = re.sub(pattern, replacement, ours)
    theirs = (SBT / name).read_text(encoding="utf-8")
    if name == "layout.html":  # ours overrides one block of theirs
        ours, theirs = block(ours, "docs_body"), block(theirs, "docs_body")
    assert ours == theirs


def test_every_english_string_the_templates_translate_is_listed():
    for name in TEMPLATES:
        text = (ts.TEMPLATES / name).read_text(encoding="utf-8")
        for msgid in re.findall(r'translate\("([^"]+)"\)', text):
            assert msgid in ts.SHOWN["booktheme"], (name, msgid)
