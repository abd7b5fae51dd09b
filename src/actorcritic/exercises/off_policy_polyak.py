"""Chapter 7's third exercise, ``polyak_update(target, online, tau)``,
the target networks' step: its checker. Its cases are in
:mod:`~actorcritic.exercises.off_policy_polyak_cases`, its catalogue of
common mistakes in :mod:`~actorcritic.exercises.off_policy_polyak_mistakes`.

``polyak_update`` returns nothing: it writes into the target network.
Its checker runs the protocol of :mod:`~actorcritic.exercises.checking`
on what the call did instead of what it returned: the kernel as it was;
the online network untouched (values, tensors and ``requires_grad``);
the target's parameters the same tensors, updated in place, with no
gradient history and their ``requires_grad`` as it was; and their values
those of the reference, computed in float64. A failure that does what a
catalogued mistake does names it."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import off_policy
from actorcritic.exercises.calling import (
    is_stub,
    kernel_state,
    reader_code,
    renamed_parameters,
)
from actorcritic.exercises.cases import Case
from actorcritic.exercises.checking import Report
from actorcritic.exercises.comparing import Tolerance
from actorcritic.exercises.mistakes import Mistake, raised_like, recognised
from actorcritic.exercises.off_policy_polyak_cases import POLYAK_CASES
from actorcritic.exercises.off_policy_polyak_mistakes import POLYAK_MISTAKES
from actorcritic.exercises.reports import (
    GOES_ON,
    failure,
    first_difference,
    fmt,
    raised,
)

_OUTCOME = ("target", "target as held", "online", "online as held", "flags")
_TOLERANCE = Tolerance(1e-5, 1e-4, precise=False, magnitude=None)
_NEW_TENSOR = (
    "whatever holds the old tensor (an optimiser, a list of the parameters "
    "taken before, a flat-parameter view such as optim.flat_parameters "
    "makes) keeps the old weights and never sees the update. Update the "
    "tensor itself, under torch.no_grad(): targ.lerp_(param, tau), or "
    "targ.mul_(1 - tau).add_(param, alpha=tau)."
)


def check_polyak_update(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``polyak_update(target, online, tau)``,
    which moves each of ``target``'s parameters a fraction ``tau`` of the
    way to ``online``'s, in place, and returns nothing. Returns the
    function the chapter should use, like every checker."""
    title = "polyak_update"
    for case in POLYAK_CASES:
        problem = _polyak_case(fn, case)
        if problem == _STUB:
            report(f"⏳ {title}: not implemented yet.\n{GOES_ON}")
            return off_policy.polyak_update
        if problem is not None:
            # the report shows the inputs as they were before the call
            shown = Case(case.name, lambda c=case: _shown(c.inputs()))
            report(failure(title, shown, *problem))
            return off_policy.polyak_update
    n = len(POLYAK_CASES)
    report(
        f"✅ {title}: all {n} cases pass.\n"
        "   The rest of the chapter uses your function."
    )
    return fn


_STUB = "not implemented yet"
# the catalogue's mistakes and the reference, run as _outcome records them
_MISTAKES = [
    Mistake(m.says, lambda u=m.answer, **i: _outcome(u, **i), m.fix)
    for m in POLYAK_MISTAKES
]


def _reference_outcome(**inputs) -> tuple:
    return _outcome(off_policy.polyak_update, **inputs)


def _polyak_case(fn: Callable, case: Case):
    """``(message, hint)`` if ``fn`` fails ``case``, :data:`_STUB` if it
    is the exercise's stub, else None."""
    inputs = case.inputs()
    renamed = renamed_parameters(fn, inputs, "polyak_update")
    if renamed is not None:
        return renamed
    held = {k: _held(inputs[k]) for k in ("target", "online")}
    try:
        with kernel_state() as restored:
            fn(**inputs)
    except NotImplementedError as exc:
        if is_stub(exc, set(reader_code(fn))):
            return _STUB
        return (raised(exc), None)
    except Exception as exc:  # a reader's bug must not stop the chapter
        return raised_like(raised(exc), case, _MISTAKES)
    problem = restored.problem or _polyak_problem(inputs, held, case)
    if problem is None:
        return None
    return recognised(
        problem,
        case,
        _trace(inputs, held),
        {},
        _OUTCOME,
        _MISTAKES,
        _TOLERANCE,
        _reference_outcome,
    )


def _shown(inputs: dict) -> dict:
    """The inputs as the report shows them: each network's parameters."""
    return {
        **{
            f"{net}.{name}": p
            for net in ("target", "online")
            for name, p in inputs[net].named_parameters()
        },
        "tau": inputs["tau"],
    }


def _held(module) -> list[tuple]:
    """Each parameter with a view of its storage (which follows in-place
    updates, and keeps the old values if the parameter is replaced), a
    copy of its values and its ``requires_grad``, before the call."""
    return [
        (name, p, p.detach(), p.detach().clone(), p.requires_grad)
        for name, p in module.named_parameters()
    ]


def _outcome(update, **inputs) -> tuple:
    """What ``update(**inputs)`` did, as :func:`_trace` records it."""
    held = {k: _held(inputs[k]) for k in ("target", "online")}
    update(**inputs)
    return _trace(inputs, held)


def _trace(inputs: dict, held: dict) -> tuple:
    """What the call did, as tensors to compare with a mistake's: each
    network's values now, the values of the tensors it held before, and
    flags (target kept its tensors, left no graph, kept requires_grad;
    online kept its tensors and requires_grad)."""

    def flat(tensors):
        return torch.cat([t.detach().reshape(-1) for t in tensors])

    now = {k: list(inputs[k].parameters()) for k in held}
    flags = [
        _kept(now["target"], held["target"]),
        all(p.grad_fn is None for p in now["target"]),
        [p.requires_grad for p in now["target"]]
        == [h[4] for h in held["target"]],
        _kept(now["online"], held["online"]),
        [p.requires_grad for p in now["online"]]
        == [h[4] for h in held["online"]],
    ]
    return (
        flat(now["target"]),
        flat([h[2] for h in held["target"]]),
        flat(now["online"]),
        flat([h[2] for h in held["online"]]),
        torch.tensor(flags, dtype=torch.float32),
    )


def _kept(now: list, held: list) -> bool:
    """The same parameter objects, on the same storage."""
    return len(now) == len(held) and all(
        p is h[1] and p.data_ptr() == h[2].data_ptr()
        for p, h in zip(now, held, strict=False)
    )


def _polyak_problem(inputs: dict, held: dict, case: Case):
    """``(message, hint)`` for the first thing the call did wrong."""
    online = dict(inputs["online"].named_parameters())
    for name, param, _, old, grad in held["online"]:
        new = online.get(name)
        if new is None or not torch.equal(new.detach(), old):
            return (
                f"changed its input online in place: its parameter {name} "
                f"was {fmt(old)} and is now {fmt(new)}",
                "polyak_update reads online and writes target: the "
                "chapter's optimiser trains the online network, and would "
                "find it changed.",
            )
        if new is not param or new.requires_grad != grad:
            return (
                f"changed its input online: its parameter {name} is now "
                "another tensor, or has another requires_grad",
                "leave the online network as it is: the chapter's "
                "optimiser holds its parameters.",
            )
    target = dict(inputs["target"].named_parameters())
    tau = inputs["tau"]
    for (name, param, view, old, grad), o in zip(
        held["target"], held["online"], strict=True
    ):
        new = target.get(name)
        if (
            new is None
            or new is not param
            or new.data_ptr() != view.data_ptr()
        ):
            return (
                f"replaced the target's parameter {name} with a new tensor "
                "instead of updating it in place",
                _NEW_TENSOR,
            )
        if new.grad_fn is not None:
            return (
                f"left the target's parameter {name} with a gradient "
                f"history (grad_fn={type(new.grad_fn).__name__})",
                "update under torch.no_grad() (decorate the function with "
                "@torch.no_grad()): otherwise autograd records a graph that "
                "links each update to the one before, growing with every "
                "step.",
            )
        if new.requires_grad != grad:
            return (
                f"changed requires_grad of the target's parameter {name} "
                f"from {grad} to {new.requires_grad}",
                "leave the flag as it is: the chapter's targets are frozen "
                "(requires_grad_(False)) and learn only by Polyak steps.",
            )
        got = new.detach().double()
        expected = old.double() + tau * (o[3].double() - old.double())
        bound = _TOLERANCE.atol + _TOLERANCE.rtol * expected.abs()
        close = (got - expected).abs() <= bound
        if not close.all():
            return (
                f"target's parameter {name}: expected "
                f"{fmt(expected.float())}, got {fmt(new)}"
                + first_difference(got, expected, close),
                case.hints.get("value"),
            )
    return None
