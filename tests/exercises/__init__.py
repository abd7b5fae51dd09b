"""Tests of the exercise checkers, one module per checker module."""

import pytest


def run(checker, fn):
    """Run ``checker`` on ``fn``; return what it returned and its report,
    which must be exactly one message."""
    messages = []
    returned = checker(fn, report=messages.append)
    assert len(messages) == 1
    return returned, messages[0]


def with_args(fn, **overrides):
    """``fn`` with some keyword arguments replaced, each by a constant or by
    a function of the value passed (``terminated=torch.zeros_like``).
    Checkers call answers with keyword arguments only."""

    def call(**kw):
        for name, new in overrides.items():
            kw[name] = new(kw[name]) if callable(new) else new
        return fn(**kw)

    return call


def assert_replaced(checker, fn, reference, needles):
    """A wrong answer: the report names the failing case and its inputs,
    contains every needle, and the chapter falls back to ``reference``."""
    returned, message = run(checker, fn)
    assert returned is reference
    assert "case '" in message and "inputs:" in message
    for needle in needles:
        assert needle in message


def exercise(checker):
    """The exercise ``checker`` checks: ``check_td_error`` -> ``td_error``."""
    return checker.__name__.removeprefix("check_")


WRONG = []  # every wrong row of every table: (checker, key, answer)


def rows(checker, reference, n_cases, right, wrong, every_wrong_says=()):
    """One checker's ``(right rows, wrong rows)`` for :func:`table_tests`,
    with ids ``<exercise>-<key>``.

    ``right`` maps a key to an answer that must be kept, with "all
    ``n_cases`` cases pass" in the report; the reference is always one.
    ``wrong`` maps a key to ``(answer, *needles)``: the report must contain
    those needles and all of ``every_wrong_says``, and the chapter falls
    back to ``reference``."""
    name, passes = exercise(checker), f"all {n_cases} cases pass"
    kept = [
        pytest.param(checker, fn, passes, id=f"{name}-{key}")
        for key, fn in {"reference": reference, **right}.items()
    ]
    replaced = []
    for key, (fn, *needles) in wrong.items():
        WRONG.append((checker, key, fn))
        needles = (*needles, *every_wrong_says)
        replaced.append(
            pytest.param(checker, fn, reference, needles, id=f"{name}-{key}")
        )
    return kept, replaced


def table_tests(*tables):
    """The two tests of a checker module, from its :func:`rows` tables:
    right answers are kept with "all N cases pass"; wrong ones fall back to
    the reference with every needle in the report."""
    right = [row for kept, _ in tables for row in kept]
    wrong = [row for _, replaced in tables for row in replaced]

    @pytest.mark.parametrize("checker, fn, passes", right)
    def test_right_answer_is_kept(checker, fn, passes):
        returned, message = run(checker, fn)
        assert returned is fn
        assert passes in message

    @pytest.mark.parametrize("checker, fn, reference, needles", wrong)
    def test_wrong_answer_is_replaced(checker, fn, reference, needles):
        assert_replaced(checker, fn, reference, needles)

    return test_right_answer_is_kept, test_wrong_answer_is_replaced
