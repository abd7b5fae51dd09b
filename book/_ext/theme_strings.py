"""The themes' interface in the page's language.

Sphinx, pydata-sphinx-theme, sphinx-book-theme, myst-nb and
sphinx-copybutton write the interface around the prose: the buttons'
tooltips, the landmarks' labels, the links' titles, the logos' alt text.
Their catalogs leave part of it in English on the French, Korean and
Chinese sites (pydata-sphinx-theme 0.15.4 has no Korean or Chinese
catalog, sphinx-book-theme writes a few strings without gettext, Sphinx
has no Korean for its permalinks), and a few of their machine-made
translations are wrong. Each translated site keeps the missing strings in
``book/<lang>/interface.po``, a gettext catalog (``msgid`` the English,
``msgstr`` the translation), and this extension takes four routes to the
page:

1. gettext. When the build starts, the catalog is compiled in memory
   (Babel, no ``.mo`` file) and put *in front of* the catalogs of the two
   domains the templates translate with: ``sphinx`` (Sphinx's and
   pydata-sphinx-theme's, the templates' ``_()``) and ``booktheme``
   (sphinx-book-theme's ``translate()``). It fills their gaps and
   overrides their entries, and only those it names.
2. Templates. sphinx-book-theme writes "Toggle primary sidebar", "Toggle
   secondary sidebar", the "Main" and "Page" navigation labels and the
   launch buttons' "<name> logo" without gettext (its issue 998). The
   templates in ``book/_ext/templates`` are the theme's, with those
   strings passed to ``translate()``; tests/test_theme_strings.py keeps
   them equal to the installed theme's otherwise.
3. myst-nb's hidden-code toggle has its ``aria-label`` written in English
   by its HTML visitor; a wrapper translates it.
4. sphinx-copybutton's tooltips live in its JavaScript, which knows French
   and Chinese but not Korean: when the catalog translates its four
   strings, a script after ``copybutton.js`` adds them.

The build fails when the catalog has an empty, fuzzy or malformed entry,
or when a string of ``SHOWN`` (what the pages show) has no translation in
any catalog of the site's language.
"""

from __future__ import annotations

import gettext
import html
import io
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
CATALOG = "interface.po"
DOMAINS = ("sphinx", "booktheme")

# The interface strings the book's pages show, by the gettext domain that
# translates them; every one needs a translation on every translated site.
# Strings that come to the page whole (a button's tooltip is translated
# again by the template) are listed whole: sphinx-book-theme builds "Launch
# on Colab" from "Launch on" and "Colab", which no word order fits.
SHOWN = {
    "sphinx": (
        "Skip to main content",
        "Back to top",
        "Search",
        "light/dark",
        "Version warning",
        "previous page",
        "next page",
        "previous",
        "next",
        "Link to this heading",
        "Toggle hidden content",
        "Please activate JavaScript to enable the search functionality.",
    ),
    "booktheme": (
        "Toggle primary sidebar",
        "Toggle secondary sidebar",
        "Main",
        "Page",
        "Contents",
        "By",
        "Launch interactive content",
        "Launch on Colab",
        "%(name)s logo",
        "Download this page",
        "Download source file",
        "Print to PDF",
        "Fullscreen mode",
        "Source repository",
    ),
}
# sphinx-copybutton's messages (its JavaScript keys) and their English
COPYBUTTON = {
    "copy": "Copy",
    "copy_to_clipboard": "Copy to clipboard",
    "copy_success": "Copied!",
    "copy_failure": "Failed to copy",
}


def english() -> set[str]:
    """The English the pages would show where their catalogs fall short
    (the logo's alt text as for Colab): what no translated page may
    show."""
    shown = {
        msgid % {"name": "Colab"} if "%(" in msgid else msgid
        for msgids in SHOWN.values()
        for msgid in msgids
    }
    return shown | set(COPYBUTTON.values())


class CatalogError(ValueError):
    """An interface catalog that would leave English on the page."""


def read_catalog(path: Path):
    """The Babel catalog of ``path``; raises CatalogError listing every
    entry that is empty, fuzzy, or whose placeholders differ from the
    English."""
    from babel.messages.pofile import read_po

    with path.open("rb") as file:
        catalog = read_po(file, abort_invalid=True)
    problems = []
    for message in catalog:
        if not message.id:
            continue  # the header
        if not message.string:
            problems.append(f"{message.id!r} has no translation")
        elif message.fuzzy:
            problems.append(f"{message.id!r} is marked fuzzy")
    for message, errors in catalog.check():
        problems += [f"{message.id!r}: {error}" for error in errors]
    if problems:
        raise CatalogError(f"{path}:\n  " + "\n  ".join(problems))
    return catalog


def compile_catalog(path: Path) -> bytes:
    """``path`` compiled to the bytes of a ``.mo`` file."""
    from babel.messages.mofile import write_mo

    buffer = io.BytesIO()
    write_mo(buffer, read_catalog(path))
    return buffer.getvalue()


def translations(mo: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(mo))


def put_first(mo: bytes, domain: str, namespace: str = "general"):
    """Make the compiled catalog ``mo`` the first that Sphinx looks in for
    ``domain``, the catalogs it had becoming its fallbacks (so are any that
    an extension registers later). Returns the new translator."""
    from sphinx import locale

    first = translations(mo)
    if (namespace, domain) in locale.translators:
        first.add_fallback(locale.translators[namespace, domain])
    locale.translators[namespace, domain] = first
    return first


def untranslated(chain: gettext.NullTranslations, msgids) -> list[str]:
    """The msgids that no catalog of ``chain`` (a translator and its
    fallbacks) translates."""
    missing = []
    for msgid in msgids:
        catalog = chain
        while catalog is not None:
            if getattr(catalog, "_catalog", {}).get(msgid):
                break
            catalog = getattr(catalog, "_fallback", None)
        else:
            missing.append(msgid)
    return missing


def copybutton_script(catalog: gettext.GNUTranslations) -> str | None:
    """A script to run after copybutton.js that gives it this language's
    messages, or None if the catalog does not translate all four.

    copybutton.js picks its messages by ``<html lang>`` when it loads,
    among the languages it knows, and builds its two icons' titles with
    them; the script adds the page's language, selects it and retitles the
    icons, before the buttons are added (on DOMContentLoaded)."""
    messages = {key: catalog.gettext(text) for key, text in COPYBUTTON.items()}
    if any(messages[key] == text for key, text in COPYBUTTON.items()):
        return None
    titles = {
        "iconCopy": "copy_to_clipboard",
        "iconCheck": "copy_success",
    }
    retitle = "".join(
        f"  {icon} = {icon}.replace("
        f"`<title>${{messages.en.{key}}}</title>`, "
        f"`<title>${{messages[lang].{key}}}</title>`);\n"
        for icon, key in titles.items()
    )
    return (
        "if (typeof messages !== 'undefined') {\n"
        "  const lang = document.documentElement.lang;\n"
        f"  messages[lang] = {json.dumps(messages, ensure_ascii=False)};\n"
        "  locale = lang;\n" + retitle + "}"
    )


HIDDEN_TOGGLE = 'aria-label="Toggle hidden content"'


def visit_hidden_code(self, node) -> None:
    """myst-nb's HTML visitor of a hidden cell, with its toggle's
    aria-label in the page's language."""
    from myst_nb.sphinx_ import visit_HideCellInput
    from sphinx.locale import _

    start = len(self.body)
    visit_HideCellInput(self, node)
    label = html.escape(_("Toggle hidden content"), quote=True)
    self.body[start:] = [
        part.replace(HIDDEN_TOGGLE, f'aria-label="{label}"')
        for part in self.body[start:]
    ]


def translate_hidden_code_toggle(app) -> None:
    from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput

    app.add_node(
        HideCodeCellNode,
        override=True,
        html=(visit_hidden_code, depart_HideCellInput),
    )


def install(app, config) -> None:
    """``config-inited``: templates first, then this site's catalog in
    front of the themes' (before the builder hands the ``sphinx`` domain
    to its templates)."""
    from sphinx.errors import ExtensionError

    config.templates_path[:0] = [
        str(TEMPLATES),
        str(TEMPLATES / "components"),
    ]
    translate_hidden_code_toggle(app)
    language = config.language or "en"
    po = Path(app.srcdir) / CATALOG
    if language == "en":
        return
    if not po.exists():
        raise ExtensionError(
            f"{po} is missing: the interface of the {language} site would "
            "stay partly in English (see README, Translating)"
        )
    try:
        mo = compile_catalog(po)
    except (CatalogError, ValueError) as error:
        raise ExtensionError(str(error)) from error
    for domain in DOMAINS:
        first = put_first(mo, domain)
        if domain == "sphinx":
            app.translator = first  # what the templates' _() uses
    script = copybutton_script(translations(mo))
    if script:
        app.add_js_file(None, body=script, priority=501)


def check_complete(app) -> None:
    """``builder-inited``: every string the pages show has a translation
    (the themes' own catalogs are registered by now)."""
    from sphinx import locale
    from sphinx.errors import ExtensionError

    if (app.config.language or "en") == "en":
        return
    missing = [
        f"{domain}: {msgid!r}"
        for domain, msgids in SHOWN.items()
        for msgid in untranslated(
            locale.translators["general", domain], msgids
        )
    ]
    if missing:
        raise ExtensionError(
            f"interface strings left in English on the {app.config.language} "
            f"site; add them to {Path(app.srcdir) / CATALOG}:\n  "
            + "\n  ".join(missing)
        )


def setup(app):
    app.connect("config-inited", install, priority=900)
    app.connect("builder-inited", check_complete, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
