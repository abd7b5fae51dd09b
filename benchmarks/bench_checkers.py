"""The chapters' exercise cells, with this tree's checkers and with another
revision's, side by side in one run.

For each English chapter it runs, in one namespace, the import cell and
every exercise cell: the skeleton (``raise NotImplementedError``), its
check, and the hidden solution with its check. It times them with the
package and chapters of this working tree, then with those of
``--against`` (a temporary ``git worktree``, its package imported through
``PYTHONPATH``: each revision's chapters import what its package has),
each in a fresh interpreter, and prints both and their ratio:

    python benchmarks/bench_checkers.py --against HEAD
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = 3


def exercise_cells(chapter: Path) -> list[str]:
    """The import cell and the exercise cells of ``chapter``, in order."""
    cells = [
        "".join(c["source"])
        for c in json.loads(chapter.read_text())["cells"]
        if c["cell_type"] == "code"
    ]
    imports = next(c for c in cells if "from actorcritic" in c)
    keep = ("raise NotImplementedError", "check_", "#@title")
    return [imports] + [
        c for c in cells if c is not imports and any(k in c for k in keep)
    ]


def time_chapters(book: Path) -> dict[str, float]:
    """Seconds per chapter of ``book`` (best of ``ROUNDS``), output
    silenced."""
    import contextlib
    import io

    import matplotlib

    matplotlib.use("Agg")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    seconds = {}
    for chapter in sorted(book.glob("0*.ipynb")):
        cells = exercise_cells(chapter)
        best = float("inf")
        for _ in range(ROUNDS):
            start = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                for cell in cells:
                    result = shell.run_cell(cell)
                    result.raise_error()
            best = min(best, time.perf_counter() - start)
        seconds[chapter.stem] = best
    return seconds


def measure(tree: Path | None) -> dict[str, float]:
    """Run :func:`time_chapters` in a fresh interpreter on the chapters of
    ``tree``, importing its package (this tree's when None)."""
    env = dict(os.environ, ACTORCRITIC_BUDGET="quick")
    book = (tree or ROOT) / "book"
    if tree is not None:
        env["PYTHONPATH"] = str(tree / "src")
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(book)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", default="HEAD", help="a git revision")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(time_chapters(Path(args.child))))
        return
    with tempfile.TemporaryDirectory() as tmp:
        other = Path(tmp) / "other"
        subprocess.run(
            [
                "git",
                "worktree",
                "add",
                "--detach",
                "-q",
                str(other),
                args.against,
            ],
            cwd=ROOT,
            check=True,
        )
        try:
            before = measure(other)
            after = measure(None)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(other)],
                cwd=ROOT,
                check=True,
            )
    print(f"{'chapter':<28}{args.against:>10}{'this tree':>11}{'ratio':>8}")
    for name in before:
        ratio = after[name] / before[name]
        print(
            f"{name:<28}{before[name]:>9.3f}s{after[name]:>10.3f}s"
            f"{ratio:>8.2f}"
        )
    total_before, total_after = sum(before.values()), sum(after.values())
    print(
        f"{'all chapters':<28}{total_before:>9.3f}s{total_after:>10.3f}s"
        f"{total_after / total_before:>8.2f}"
    )


if __name__ == "__main__":
    main()
