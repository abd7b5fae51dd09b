"""A rejection names the mistake the reader made.

Of the wrong answers in the checkers' test tables, the share whose report
names what was done: a catalogued mistake the checker recognised ("this
is what ... gives"), or a breach of the protocol, whose message is
specific by construction (renamed parameters, inputs changed or cut off
their graph, a result of the wrong type, dtype or shape, kernel settings
changed; for ``polyak_update``, a target's parameter replaced, left with
a gradient history or with another ``requires_grad``). Every checker has
a catalogue of mistakes and must name at least 90 % of its wrong rows;
the table of every checker's share is printed (run with -s).
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
    test_off_policy,  # noqa: F401
    test_off_policy_polyak,  # noqa: F401
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
    "with a new tensor",
    "a gradient history",
    "changed requires_grad",
)


def shares() -> dict[str, tuple[int, int]]:
    named, total = defaultdict(int), defaultdict(int)
    for checker, _key, fn in WRONG:
        _, message = run(checker, fn)
        name = exercise(checker)
        total[name] += 1
        named[name] += any(phrase in message for phrase in NAMED)
    return {name: (named[name], total[name]) for name in total}


def test_every_checker_names_nine_rejections_in_ten():
    table = shares()
    print("\n".join(f"{n:<16}{k:>3} / {t}" for n, (k, t) in table.items()))
    assert len(table) == 16
    for name, (k, t) in table.items():
        assert k >= 0.9 * t, f"{name}: {k} of {t} rejections name the mistake"


@pytest.mark.parametrize(
    "checker, key, fn",
    [pytest.param(*row, id=f"{exercise(row[0])}-{row[1]}") for row in WRONG],
)
def test_each_wrong_row_is_named(checker, key, fn):
    """The tables' wrong answers are the catalogues' test: each one is
    named, by its catalogued mistake or by the protocol."""
    _, message = run(checker, fn)
    assert any(p in message for p in NAMED), message
