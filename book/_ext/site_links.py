"""Links between the four language sites, written once for every surface.

A chapter links its other languages (and a page its other-language
versions) with the address that works wherever the notebook is opened:
the notebook's Colab address, or, for a Markdown page, its address on
GitHub. When the HTML book is built, this extension turns every such
address of a page of this book into a relative link to that page of the
built site, so that the HTML book never sends a reader to Colab or GitHub
to change language, and works offline.

The site is the English book at its root and each translation in a folder
named after its language (``fr/``, ``ko/``, ``zh/``); ``site_path`` says
where the book being built sits (``""`` for English, ``"fr/"``, ...).
"""

from __future__ import annotations

import posixpath
import re

from docutils import nodes
from sphinx.application import Sphinx


def site_target(uri: str, repository: str, branch: str, book: str):
    """The site path (``fr/intro.html``) that ``uri`` stands for, or None.

    ``uri`` is a Colab address of a notebook of the book, or a GitHub
    address of one of its files.
    """
    prefixes = (
        f"https://colab.research.google.com/github/{repository}/blob/"
        f"{branch}/{book}/",
        f"https://github.com/{repository}/blob/{branch}/{book}/",
    )
    for prefix in prefixes:
        if uri.startswith(prefix):
            path, _, anchor = uri[len(prefix) :].partition("#")
            page = re.sub(r"\.(ipynb|md)$", ".html", path)
            if page == path:
                return None  # not a page of the book
            return page + (f"#{anchor}" if anchor else "")
    return None


def relative(target: str, page: str) -> str:
    """``target`` (a site path) as seen from the page at site path
    ``page``."""
    path, _, anchor = target.partition("#")
    rel = posixpath.relpath(path, posixpath.dirname(page) or ".")
    return rel + (f"#{anchor}" if anchor else "")


def rewrite_links(app: Sphinx, doctree: nodes.document, docname: str):
    config = app.config
    repository = config.html_theme_options.get("repository_url", "")
    repository = repository.removeprefix("https://github.com/").strip("/")
    branch = config.html_theme_options.get("repository_branch", "main")
    # path_to_docs is this site's folder ("book/fr"); links name files
    # relative to the English book's folder ("book")
    book = config.html_theme_options.get("path_to_docs", "book").strip("/")
    book = book.removesuffix(config.site_path.strip("/")).strip("/")
    page = f"{config.site_path}{docname}.html"
    for ref in doctree.findall(nodes.reference):
        target = site_target(ref.get("refuri", ""), repository, branch, book)
        if target is not None:
            ref["refuri"] = relative(target, page)
            ref["classes"] = [
                c for c in ref.get("classes", []) if c != "external"
            ] + ["internal"]


def setup(app: Sphinx):
    app.add_config_value("site_path", "", "html")
    app.connect("doctree-resolved", rewrite_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
