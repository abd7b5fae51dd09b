"""A rejection names the mistake the reader made.

Of the wrong answers in the checkers' test tables, the share whose report
names what was done: a catalogued mistake the checker recognised ("this
is what ... gives"), or a breach of the protocol, whose message is
specific by construction (renamed parameters, inputs changed or cut off
their graph, a result of the wrong type, dtype or shape, kernel settings
changed). A checker with a catalogue of mistakes must name at least 90 %
of its wrong rows; the table of every checker's share is printed (run
with -s).
"""

from __future__ import annotations

from collections import defaultdict

import pytest

from tests.exercises import (
    WRONG,
    exercise,
    run,
    test_a2c,  # noqa: F401  (each module fills WRONG)
    test_episodic_pg,  # noqa: F401
    test_one_step_actor_critic,  # noqa: F401
    test_parallel_a2c,  # noqa: F401
    test_ppo,  # noqa: F401
    test_reinforce,  # noqa: F401
)

NAMED = (
    "this is what",
    "cannot be called as",
    "changed its input",
    "cut its input",
    "expected a torch.Tensor",
    "expected dtype",
    "expected shape",
    "expected a tuple",
    "switched autograd",
    "changed the default dtype",
)
CATALOGUED = {
    "reward_to_go",
    "reinforce_loss",
    "td_error",
    "one_step_losses",
    "n_step_returns",
    "a2c_loss",
    "q_values",
    "entropy_loss",
    "gae",
    "ppo_loss",
}


def shares() -> dict[str, tuple[int, int]]:
    named, total = defaultdict(int), defaultdict(int)
    for checker, _key, fn in WRONG:
        _, message = run(checker, fn)
        name = exercise(checker)
        total[name] += 1
        named[name] += any(phrase in message for phrase in NAMED)
    return {name: (named[name], total[name]) for name in total}


def test_catalogued_checkers_name_nine_rejections_in_ten():
    table = shares()
    print("\n".join(f"{n:<16}{k:>3} / {t}" for n, (k, t) in table.items()))
    for name in CATALOGUED:
        k, t = table[name]
        assert k >= 0.9 * t, f"{name}: {k} of {t} rejections name the mistake"


@pytest.mark.parametrize("name", sorted(CATALOGUED))
def test_a_catalogued_checker_names_each_of_its_wrong_rows(name):
    """The tables' wrong answers are the catalogue's test: each one is
    named."""
    for checker, key, fn in WRONG:
        if exercise(checker) == name:
            _, message = run(checker, fn)
            assert any(p in message for p in NAMED), (
                f"{name}-{key}:\n{message}"
            )
