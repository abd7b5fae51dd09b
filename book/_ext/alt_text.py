"""Figure alt text in the page's language.

A chapter's figures and replays are outputs of its code cells, and their
alt text is the cell's metadata (``mystnb.image.alt``), which myst-nb puts
on every image the cell outputs. Code cells, metadata included, are
byte-identical in the four languages (the four sites share one execution),
so that text is English on every site. Each translation gives its own in
``book/<lang>/alt_text.yml``, by notebook and cell id, next to the English
it translates::

    01_policy_gradient:
      cell-19:
        en: Log-log plot of the total variance of ...
        alt: Graphique log-log de la variance totale de ...

When a page is read, this extension gives the images of each cell's
outputs the ``alt`` of that cell's entry. The build fails, listing every
problem, when

- an image that a code cell outputs has no alt text (on any site);
- a figure of a translated site has no entry, or an empty ``alt``;
- an entry's ``en`` is not the cell's English alt text: the English
  changed since it was translated (translate the new text, and copy it
  into ``en``);
- an entry names a notebook or a cell that has no alt text.
"""

from __future__ import annotations

import json
from pathlib import Path

FILE = "alt_text.yml"


def english_alts(notebook: dict) -> dict[str, str]:
    """Cell id -> English alt text, for the code cells that have one."""
    alts = {}
    for cell in notebook["cells"]:
        alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {})
        if cell["cell_type"] == "code" and alt.get("alt"):
            alts[cell["id"]] = alt["alt"]
    return alts


def entry_problems(english: dict[str, str], entries: dict) -> list[str]:
    """What keeps the entries of one notebook (cell id -> ``{"en", "alt"}``)
    from translating its figures, whose English alt texts are
    ``english`` (cell id -> text)."""
    problems = []
    for cell, text in english.items():
        entry = entries.get(cell)
        if entry is None:
            problems.append(f"{cell}: no translation of {text!r}")
        elif not isinstance(entry, dict) or set(entry) != {"en", "alt"}:
            problems.append(f"{cell}: an entry needs `en` and `alt`, only")
        elif entry["en"] != text:
            problems.append(
                f"{cell}: the English changed; translate it again and copy "
                f"it into `en`\n      was: {entry['en']!r}"
                f"\n      now: {text!r}"
            )
        elif not str(entry["alt"] or "").strip():
            problems.append(f"{cell}: `alt` is empty")
    problems += [
        f"{cell}: no such figure (no code cell with this id has alt text)"
        for cell in entries
        if cell not in english
    ]
    return problems


def load(path: Path) -> dict:
    """The alt text file at ``path`` ({} if there is none)."""
    import yaml

    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def cell_images(doctree):
    """(cell index, image node) for every image that a code cell outputs."""
    from docutils import nodes

    for cell in doctree.findall(nodes.container):
        if cell.get("nb_element") != "cell_code":
            continue
        for output in cell.findall(nodes.container):
            if output.get("nb_element") == "cell_code_output":
                for image in output.findall(nodes.image):
                    yield cell["cell_index"], image


def translate(doctree, notebook: dict, entries: dict | None) -> list[str]:
    """Give the images that the notebook's code cells output in ``doctree``
    the alt text of their cell's entry (``entries`` is None on the English
    site, which keeps the cells' own); returns the problems."""
    problems = []
    english = english_alts(notebook)
    if entries is not None:
        problems += entry_problems(english, entries)
    for index, image in cell_images(doctree):
        cell = notebook["cells"][index]
        where = cell.get("id", f"cell {index + 1}")
        if not image.get("alt"):
            problems.append(
                f"{where}: an output image has no alt text (set "
                "mystnb.image.alt in the cell's metadata)"
            )
        elif entries is not None:
            entry = entries.get(where)
            if (
                isinstance(entry, dict)
                and entry.get("en") == image["alt"]
                and entry.get("alt")
            ):
                image["alt"] = str(entry["alt"]).strip()
            elif where not in english:
                problems.append(
                    f"{where}: an output image's alt text {image['alt']!r} "
                    "does not come from the cell's metadata"
                )
    return problems


def site_entries(app) -> dict | None:
    """This site's alt text file, or None on the English site."""
    if (app.config.language or "en") == "en":
        return None
    return load(Path(app.srcdir) / FILE)


def read_page(app, doctree) -> None:
    """``doctree-read``: translate the page's figures, note its problems."""
    env = app.env
    source = Path(env.doc2path(env.docname))
    if source.suffix != ".ipynb":
        return
    notebook = json.loads(source.read_text(encoding="utf-8"))
    entries = site_entries(app)
    if entries is not None:
        env.note_dependency(str(Path(app.srcdir) / FILE))
        entries = entries.get(env.docname) or {}
    found = translate(doctree, notebook, entries)
    if found:
        env.alt_text_problems[env.docname] = found


def forget_page(app, env, docname: str) -> None:
    env.alt_text_problems.pop(docname, None)


def merge(app, env, docnames, other) -> None:
    for docname in docnames:
        if docname in other.alt_text_problems:
            env.alt_text_problems[docname] = other.alt_text_problems[docname]


def fail_on_problems(app, env) -> None:
    """``env-check-consistency``: stop the build before a page is written
    with a figure whose alt text is missing or stale."""
    from sphinx.errors import ExtensionError

    found = dict(env.alt_text_problems)
    entries = site_entries(app) or {}
    for name in sorted(set(entries) - set(env.found_docs)):
        found.setdefault(name, []).append("no such page in this site")
    if not found:
        return
    where = Path(app.srcdir) / FILE
    lines = []
    for docname, problems in sorted(found.items()):
        lines += [f"{docname}:"] + [f"  {problem}" for problem in problems]
    raise ExtensionError(
        f"figures without alt text in the page's language ({where})\n"
        + "\n".join(lines)
    )


def setup(app):
    def init(app):
        if not hasattr(app.env, "alt_text_problems"):
            app.env.alt_text_problems = {}

    app.connect("builder-inited", init)
    app.connect("doctree-read", read_page)
    app.connect("env-purge-doc", forget_page)
    app.connect("env-merge-info", merge)
    app.connect("env-check-consistency", fail_on_problems)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
