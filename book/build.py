"""Build the book: four sites, one per language, in one folder.

    python book/build.py            # the book, at the budget the
                                    # ACTORCRITIC_BUDGET variable says
    python book/build.py --strict   # warnings are errors (the book test)
    python book/build.py --write-numbers
                                    # write this run's numbers into the
                                    # prose of every language, then build

The numbers the prose quotes are written in the chapters and handled by
book/_ext/run_numbers.py. A result (``<span data-run="name:format">``)
is checked against the run: at the full budget a build whose run
disagrees with a written result fails and lists them. A figure of the
machine (``<span data-machine="name:format">``: a time, a speed) never
fails the build; the pages show the build's own values. A build writes
nothing outside the _build folders. ``--write-numbers`` is the way to
change the chapters when the results have changed (new code): it builds
the English site without the check, writes its numbers (both classes)
into the chapters of all four languages, then builds the book, checked.
Read the diff of the chapters before committing it: the prose around a
changed number may need to change too.

Each language is a Jupyter Book of its own (book/_config.yml for English,
book/<lang>/_config.yml for the others), so that every page carries its
language, the theme's interface is translated and search stays within one
language. The four share one execution cache, book/_build/.jupyter_cache:
code cells are identical across languages, so each chapter trains once.
The English site is book/_build/html; each translation is copied into a
folder of it (fr/, ko/, zh/), which is where the language switchers point.

The cache keys on the code cells, not on the package they import: a
change to ``actorcritic`` would leave the cached outputs of the old code
in the book. So each build records a fingerprint of the package that this
Python imports (book/_build/package.sha256) and starts from clean when it
differs.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

TRANSLATIONS = ("fr", "ko", "zh")


def build_site(book: Path, source: str, flags: list[str], env=None) -> None:
    """Build one language's site (``"."`` for English)."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    # run from book/: the configs' shared cache path is relative to it
    subprocess.run(
        [str(jupyter_book), "build", source, *flags],
        cwd=book,
        check=True,
        env=env,
    )


def write_numbers(book: Path, flags: list[str]) -> None:
    """Build the English site without checking its numbers, then write
    them into the chapters of every language."""
    unchecked = dict(os.environ, ACTORCRITIC_NUMBERS="unchecked")
    build_site(book, ".", flags, env=unchecked)
    subprocess.run(
        [
            sys.executable,
            str(book / "_ext" / "run_numbers.py"),
            "--book",
            str(book),
        ],
        check=True,
    )


def package_fingerprint(package: Path) -> str:
    """SHA-256 of the package's Python files, names and contents."""
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def start_clean_if_package_changed(book: Path, package: Path) -> bool:
    """Delete every site's _build (the shared execution cache with it)
    when ``package`` differs from the one the last build used; record its
    fingerprint. Returns True if it deleted anything."""
    stamp = book / "_build" / "package.sha256"
    fingerprint = package_fingerprint(package)
    stale = not stamp.exists() or stamp.read_text().strip() != fingerprint
    builds = [book / "_build"] + [
        book / lang / "_build" for lang in TRANSLATIONS
    ]
    deleted = False
    if stale:
        for folder in builds:
            if folder.exists():
                shutil.rmtree(folder)
                deleted = True
        if deleted:
            print(
                f"{package} changed since the last build: building from "
                "clean (the execution cache would keep the old outputs)"
            )
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(fingerprint + "\n")
    return deleted


def imported_package() -> Path:
    """The folder of the ``actorcritic`` that the notebooks' kernel (this
    Python) imports."""
    spec = importlib.util.find_spec("actorcritic")
    if spec is None or spec.origin is None:
        sys.exit(
            "actorcritic is not installed: pip install -r requirements.txt"
        )
    return Path(spec.origin).parent


def build(book: Path, strict: bool = False, numbers: bool = False) -> Path:
    """Build the four sites under ``book`` (after writing the run's
    numbers into the prose if ``numbers``); return the assembled site."""
    flags = ["-W", "-n", "--keep-going"] if strict else []
    start_clean_if_package_changed(book, imported_package())
    if numbers:
        write_numbers(book, flags)
    for source in (".", *TRANSLATIONS):
        if source == "." or (book / source / "_config.yml").exists():
            build_site(book, source, flags)
    site = book / "_build" / "html"
    for lang in TRANSLATIONS:
        if not (book / lang / "_config.yml").exists():
            continue
        shutil.rmtree(site / lang, ignore_errors=True)
        shutil.copytree(book / lang / "_build" / "html", site / lang)
    return site


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--strict", action="store_true", help="treat warnings as errors"
    )
    parser.add_argument(
        "--write-numbers",
        action="store_true",
        help="write the run's numbers into the chapters' prose first",
    )
    parser.add_argument(
        "--book",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="the book's folder (default: the one this script is in)",
    )
    args = parser.parse_args()
    try:
        site = build(args.book.resolve(), args.strict, args.write_numbers)
    except subprocess.CalledProcessError as error:
        sys.exit(f"the build failed: {' '.join(error.cmd)}")
    print(f"the book: {site / 'index.html'}")


if __name__ == "__main__":
    main()
