"""Every chapter's hidden solution passes its own checker.

A solution cell defines ``<exercise>_solution`` and hands it to the
chapter's checker; a checker that grows a case the solution misses would
print a failure under the book's own answer. Each solution cell runs
here after the chapter's imports cell, with the earlier exercises'
functions bound to their references, and every checker call must keep
the solution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import actorcritic.exercises as exercises
from actorcritic import losses, returns
from actorcritic.exercises.episodic_pg import reference_q_values
from actorcritic.exercises.one_step_actor_critic import reference_td_error
from actorcritic.exercises.reinforce import reference_reward_to_go

# the package's own dependencies only: these are unit tests, which also
# run at the declared minimum versions (tests/test_install.py)
BOOK = Path(__file__).resolve().parents[2] / "book"
CHAPTERS = sorted(BOOK.glob("0*.ipynb"))
# what a solution may call from an earlier exercise of its chapter
EARLIER = {
    "reward_to_go": reference_reward_to_go,
    "td_error": reference_td_error,
    "n_step_returns": returns.n_step_returns,
    "q_values": reference_q_values,
    "gae": returns.gae,
    "entropy_loss": losses.entropy_loss,
}


def code_cells(path) -> list[dict]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if c["cell_type"] == "code"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def solutions(path):
    return [
        source(cell)
        for cell in code_cells(path)
        if "hide-input" in cell["metadata"].get("tags", [])
    ]


def imports(path) -> str:
    """The chapter's imports cell, without shell lines."""
    (cell,) = [
        source(c)
        for c in code_cells(path)
        if "from actorcritic.exercises import" in source(c)
    ]
    return "\n".join(
        line for line in cell.splitlines() if not line.startswith(("%", "!"))
    )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_every_solution_passes_its_checker(path):
    outcomes = []

    def recording(checker):
        def check(fn, report=print):
            said = []
            kept = checker(fn, report=said.append)
            outcomes.append((checker.__name__, kept is fn, said))
            return kept

        return check

    namespace = {}
    exec(compile(imports(path), str(path), "exec"), namespace)
    namespace.update(EARLIER)
    namespace.update(
        {
            name: recording(getattr(exercises, name))
            for name in exercises.__all__
        }
    )
    for cell in solutions(path):
        exec(compile(cell, str(path), "exec"), namespace)
    assert len(outcomes) >= 2, f"{path.name}: fewer than two checked solutions"
    for name, kept, said in outcomes:
        assert kept, f"{path.name}: {name} rejects the solution:\n{said}"
