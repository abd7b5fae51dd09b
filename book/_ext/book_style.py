"""The book's own style sheet (book/_ext/book.css), for all four sites.

The chapters' Markdown is plain CommonMark so that Jupyter and Colab show
it as the HTML book does; the few HTML blocks it uses (answers folded in
``<details>``) get their look here rather than from MyST directives.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def add_style(app) -> None:
    app.config.html_static_path.append(str(HERE / "static"))
    app.add_css_file("book.css")


def setup(app):
    app.connect("builder-inited", add_style)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
