"""Common mistakes: a :class:`Mistake` is an entry of an exercise's
catalogue (the chapters' catalogues are in the chapter modules or their
``*_mistakes`` siblings), and a failing answer that gives what one of
them gives is recognised, so that the report names the mistake."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.exercises.calling import kernel_state
from actorcritic.exercises.comparing import as_tuple, equal_within, gradient
from actorcritic.exercises.reports import raised


@dataclass(frozen=True)
class Mistake:
    """A common wrong implementation of an exercise, recognised by what it
    returns.

    Attributes:
        says: what the mistake does, completing "this is what ... gives"
            ("summing the rewards before t as well").
        answer: the wrong implementation itself, called like the reader's.
        fix: how to put it right, shown after.
    """

    says: str
    answer: Callable
    fix: str = ""


def recognised(
    problem,
    case,
    raw,
    got_inputs,
    output_names,
    mistakes,
    tolerance,
    reference,
):
    """``problem`` with its hint replaced by the first catalogued mistake
    that fails this case itself and whose outputs (and gradients) on it
    are the reader's."""
    got = as_tuple(raw, len(output_names))
    keys = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]

    def traces(outputs, inputs):
        """Each output, then its gradient with respect to each key."""
        return [
            t
            for out in outputs
            for t in (out, *(gradient(out, inputs[k]) for k in keys))
        ]

    right_inputs = case.inputs()
    right = traces(
        as_tuple(reference(**right_inputs), len(output_names)), right_inputs
    )
    mine = traces(got, got_inputs)
    for mistake in mistakes:
        inputs = case.inputs()
        try:
            with kernel_state():
                made = as_tuple(mistake.answer(**inputs), len(output_names))
            theirs = traces(made, inputs)
            explains = not all(
                equal_within(t, r, tolerance)
                for t, r in zip(theirs, right, strict=True)
            )
            same = all(
                equal_within(m, t, tolerance)
                for m, t in zip(mine, theirs, strict=True)
            )
        except Exception:  # a catalogue entry that does not apply here
            continue
        if explains and same:
            return (problem[0], _naming(mistake))
    return problem


def _naming(mistake: Mistake) -> str:
    """The hint that names a recognised mistake, then its fix."""
    return f"this is what {mistake.says} gives. {mistake.fix}".strip()


def raised_like(message: str, case, mistakes):
    """``(message, hint)``: the hint names the first catalogued mistake
    that raises the same way on this case."""
    for mistake in mistakes:
        try:
            with kernel_state():
                mistake.answer(**case.inputs())
        except Exception as exc:
            if raised(exc) == message:
                return (message, _naming(mistake))
    return (message, None)
