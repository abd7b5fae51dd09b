"""Build the book: four sites, one per language, in one folder.

    python book/build.py            # the book, at the budget the
                                    # ACTORCRITIC_BUDGET variable says
    python book/build.py --strict   # warnings are errors (the book test)

Each language is a Jupyter Book of its own (book/_config.yml for English,
book/<lang>/_config.yml for the others), so that every page carries its
language, the theme's interface is translated and search stays within one
language. The four share one execution cache, book/_build/.jupyter_cache:
code cells are identical across languages, so each chapter trains once.
The English site is book/_build/html; each translation is copied into a
folder of it (fr/, ko/, zh/), which is where the language switchers point.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

TRANSLATIONS = ("fr", "ko", "zh")


def build(book: Path, strict: bool = False) -> Path:
    """Build the four sites under ``book``; return the assembled site."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    flags = ["-W", "-n", "--keep-going"] if strict else []
    for source in (".", *TRANSLATIONS):
        # run from book/: the configs' shared cache path is relative to it
        subprocess.run(
            [str(jupyter_book), "build", source, *flags], cwd=book, check=True
        )
    site = book / "_build" / "html"
    for lang in TRANSLATIONS:
        shutil.rmtree(site / lang, ignore_errors=True)
        shutil.copytree(book / lang / "_build" / "html", site / lang)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings as errors"
    )
    parser.add_argument(
        "--book",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="the book's folder (default: the one this script is in)",
    )
    args = parser.parse_args()
    try:
        site = build(args.book.resolve(), args.strict)
    except subprocess.CalledProcessError as error:
        sys.exit(f"the build of {error.cmd[2]!r} failed")
    print(f"the book: {site / 'index.html'}")


if __name__ == "__main__":
    main()
