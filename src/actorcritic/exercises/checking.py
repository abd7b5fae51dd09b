"""The checker mechanism: run a reader's function on named and random cases.

A checker never raises. It reports one of three outcomes and returns the
function the rest of the chapter should use:

- the reader's own skeleton raises ``NotImplementedError`` (the
  exercise's ``raise NotImplementedError`` line): "not implemented yet",
  and the reference implementation is returned;
- a case fails (any of the checks below, or any exception, reported with
  its type and message): the report names the case, its inputs, what was
  expected and what came back, and the reference is returned;
- every case passes: the reader's own function is returned.

Every case, named or randomly drawn, runs the same protocol:

1. the call leaves the kernel as it found it: autograd on or off, and the
   default dtype, are what they were (if not, the checker restores them
   and says so);
2. the inputs are unchanged (nothing written in place into the caller's
   tensors, or into views of them), and every input that carried a
   gradient still carries it, with the same history (no ``detach_()`` or
   ``requires_grad_(False)`` on the caller's tensor);
3. each output is a ``torch.Tensor`` of the reference's floating dtype
   (float32), on its device, of its shape;
4. an output the chapter differentiates (the reference's carries a
   gradient graph) carries one too;
5. its values match the reference's, computed in float64, within a
   tolerance that also allows float32's rounding of the terms the output
   accumulates (so no correct implementation, in either precision, is
   rejected), and are finite where those are;
6. for every input that requires grad, ``d output / d input`` matches
   the reference's, which catches a missing ``detach`` as surely as a
   wrong sign.

This module runs the protocol (:func:`check_function`, and
:func:`check_class` for a network's ``forward``). Its parts live in
siblings: :mod:`~actorcritic.exercises.cases` builds the cases;
:mod:`~actorcritic.exercises.calling` checks the call (the parameter
names, the stub, steps 1 and 2); :mod:`~actorcritic.exercises.comparing`
checks what came back (steps 3 to 6); :mod:`~actorcritic.exercises.mistakes`
names a catalogued mistake in a failing answer; and
:mod:`~actorcritic.exercises.reports` words the reports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import torch

from actorcritic.exercises.calling import (
    changed_inputs,
    cut_inputs,
    is_stub,
    kernel_state,
    renamed_forward,
    renamed_parameters,
)
from actorcritic.exercises.cases import Case
from actorcritic.exercises.comparing import Tolerance, compare
from actorcritic.exercises.mistakes import Mistake, raised_like, recognised
from actorcritic.exercises.reports import GOES_ON, failure, fmt, raised

Report = Callable[[str], None]


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: Sequence[Case],
    title: str,
    output_names: Sequence[str] = ("output",),
    report: Report = print,
    atol: float = 1e-5,
    rtol: float = 1e-4,
    reader_code: Iterable = (),
    on_pass: str = "The rest of the chapter uses your function.",
    precise: bool = True,
    magnitude: Callable[..., torch.Tensor] | None = None,
    mistakes: Sequence[Mistake] = (),
) -> Callable:
    """Check ``candidate`` against ``reference`` on ``cases``.

    Values and gradients are compared with the reference run in float64
    (``precise``), so that the reference's own rounding never decides:
    any correct implementation, in float32 or float64, in any order of
    operations, is within ``atol + rtol * |expected|``, plus, for the
    values of a function given a ``magnitude``, the rounding that float32
    allows. For a function that accumulates many terms,
    ``magnitude(**inputs)`` (the float64 inputs) gives, element by
    element, the sum of the absolute values of the terms accumulated
    into each output; float32 may then be off by
    :data:`~actorcritic.exercises.comparing.ROUNDING` times float32's unit
    roundoff times that sum.

    ``mistakes`` is the exercise's catalogue of common wrong answers: when
    a case fails on values or gradients and the reader's outputs match
    what one of them returns on that case (values, and gradients where
    the case has inputs that require one), the report names it instead
    of giving the case's generic hint.

    The candidate is called as ``candidate(**inputs)``: its parameters must
    carry the names of the chapter's stub.

    ``reader_code`` lists the code objects written by the reader (the
    candidate's own by default), where a ``raise NotImplementedError``
    means "not implemented yet". ``on_pass`` says what the chapter does
    with a function that passes (it must be true of the chapter). Returns
    ``candidate`` if every case passes, else ``reference``.
    """
    codes = set(reader_code) or {getattr(candidate, "__code__", None)}
    for case in cases:
        got_inputs = case.inputs()
        renamed = renamed_parameters(candidate, got_inputs, title)
        if renamed is not None:
            report(failure(title, case, *renamed))
            return reference
        before = {
            k: v.detach().clone()
            for k, v in got_inputs.items()
            if torch.is_tensor(v)
        }
        graphs = {
            k: v.grad_fn
            for k, v in got_inputs.items()
            if torch.is_tensor(v) and v.requires_grad
        }
        try:
            with kernel_state() as restored:
                raw = candidate(**got_inputs)
        except NotImplementedError as exc:
            if is_stub(exc, codes):
                report(f"⏳ {title}: not implemented yet.\n{GOES_ON}")
                return reference
            problem = (raised(exc), None)
        except Exception as exc:  # a reader's bug must not stop the chapter
            problem = raised_like(raised(exc), case, mistakes)
        else:
            problem = (
                restored.problem
                or changed_inputs(got_inputs, before)
                or cut_inputs(got_inputs, graphs)
            )
            if problem is None:
                try:
                    problem = compare(
                        case,
                        raw,
                        got_inputs,
                        reference,
                        output_names,
                        Tolerance(atol, rtol, precise, magnitude),
                    )
                    if problem is not None:
                        problem = recognised(
                            problem,
                            case,
                            raw,
                            got_inputs,
                            output_names,
                            mistakes,
                            Tolerance(atol, rtol, False, None),
                            reference,
                        )
                except Exception as exc:
                    problem = (
                        f"returned {fmt(raw)}, which cannot be compared "
                        f"with the expected output ({raised(exc)})",
                        None,
                    )
        if problem is not None:
            report(failure(title, case, *problem))
            return reference
    report(f"✅ {title}: all {len(cases)} cases pass.\n   {on_pass}")
    return candidate


def check_class(
    candidate_cls,
    reference_cls,
    run,
    cases,
    title,
    names,
    report,
    mistakes: Sequence[Mistake] = (),
):
    """Check a reader's network class through ``run(cls, **inputs)``;
    return the class the chapter should use. A mistake's ``answer`` is a
    wrong class, run the same way."""

    renamed = renamed_forward(candidate_cls, reference_cls, title)
    if renamed is not None:
        report(renamed)
        return reference_cls

    def candidate(**inputs):
        return run(candidate_cls, **inputs)

    def reference(**inputs):
        return run(reference_cls, **inputs)

    reader_code = [
        member.__code__
        for member in vars(candidate_cls).values()
        if hasattr(member, "__code__")
    ]
    chosen = check_function(
        candidate,
        reference,
        cases,
        title,
        output_names=names,
        report=report,
        reader_code=reader_code,
        precise=False,  # the networks' weights are float32
        mistakes=[
            Mistake(
                m.says,
                lambda cls=m.answer, **inputs: run(cls, **inputs),
                m.fix,
            )
            for m in mistakes
        ],
    )
    return candidate_cls if chosen is candidate else reference_cls
