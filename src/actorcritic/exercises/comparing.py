"""What a reader's function returned, against the reference (steps 3 to 6
of the protocol in :mod:`actorcritic.exercises.checking`): each output a
tensor like the reference's, with a gradient graph where the reference's
has one, then its values and its gradients within a tolerance that
allows float32's rounding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from actorcritic.exercises.cases import Case
from actorcritic.exercises.reports import first_difference, fmt

_NON_FINITE = (
    "your values are not all finite where the expected ones are: look for "
    "a log of 0 (log(softmax(x)) instead of log_softmax(x)), or an "
    "overflow on long inputs (gamma ** -t, exp of a large number)."
)


def _contract(name: str, got, expected: torch.Tensor, case: Case):
    """``(message, hint)`` if ``got`` is not a tensor like ``expected``."""
    if got is None:
        return (
            f"{name}: expected a torch.Tensor, got None",
            "does the function end with a `return`?",
        )
    if not torch.is_tensor(got):
        kind = type(got).__module__.split(".")[0] + "." + type(got).__name__
        kind = kind.removeprefix("builtins.")
        return (
            f"{name}: expected a torch.Tensor, got a {kind} ({fmt(got)})",
            "the chapter goes on with torch operations on it (and "
            ".backward() through a loss): compute with torch functions "
            "and return the tensor itself, without .item(), .tolist() or "
            ".numpy().",
        )
    if not got.is_floating_point():
        return (
            f"{name}: expected a floating-point tensor, got dtype {got.dtype}",
            "convert flags and counts before arithmetic (x.float()).",
        )
    if got.dtype != expected.dtype:
        return (
            f"{name}: expected dtype {expected.dtype}, like the inputs, got "
            f"{got.dtype}",
            "the chapter's tensors are float32: return float32 (compute in "
            "float64 if you like, then convert the result with .float()).",
        )
    if got.device != expected.device:
        return (
            f"{name}: expected a tensor on {expected.device}, like the "
            f"inputs, got one on {got.device}",
            None,
        )
    if got.shape != expected.shape:
        return (
            f"{name}: expected shape {tuple(expected.shape)}, got "
            f"shape {tuple(got.shape)}",
            case.hints.get("shape"),
        )
    if expected.requires_grad and not got.requires_grad:
        return (
            f"{name}: expected a tensor that carries a gradient (the "
            "chapter differentiates it), got one with none",
            "it was computed under torch.no_grad(), or through .item(), "
            ".detach() or NumPy: compute it with torch operations on the "
            "inputs as they are given.",
        )
    return None


ROUNDING = 64
"""How many float32 roundings of the accumulated terms' size a correct
implementation may be off by (a loop over T terms rounds T times; the
discount shrinks the old errors; 64 covers every correct style of
``tests/exercises``)."""
_FLOAT32_ROUNDOFF = torch.finfo(torch.float32).eps / 2


@dataclass(frozen=True)
class Tolerance:
    """How close a value must be to the reference's: ``atol + rtol *
    |expected|``, against a float64 reference if ``precise``, plus
    float32's rounding of the ``magnitude`` of the terms accumulated."""

    atol: float
    rtol: float
    precise: bool
    magnitude: Callable[..., torch.Tensor] | None

    def inputs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        """The reference's inputs: float64 copies if precise."""
        if not self.precise:
            return inputs
        return {
            k: v.detach().double().requires_grad_(v.requires_grad)
            if torch.is_tensor(v) and v.is_floating_point()
            else v
            for k, v in inputs.items()
        }

    def bound(self, expected: torch.Tensor, inputs: dict) -> torch.Tensor:
        """Elementwise tolerance around ``expected``."""
        bound = self.atol + self.rtol * expected.abs()
        if self.magnitude is not None:
            with torch.no_grad():
                size = self.magnitude(**self.inputs(inputs)).abs()
            bound = bound + ROUNDING * _FLOAT32_ROUNDOFF * size
        return bound


def _close(got, expected, bound) -> torch.Tensor:
    """Elementwise: within ``bound``, or nan where both are nan."""
    return (
        ((got - expected).abs() <= bound)
        | (got == expected)  # infinities of one sign
        | (got.isnan() & expected.isnan())
    )


def compare(case, raw, got_inputs, reference, output_names, tolerance):
    """Return ``(message, hint)`` for the first mismatch, or None."""
    got = as_tuple(raw, len(output_names))
    expected = as_tuple(reference(**case.inputs()), len(output_names))
    for name, g, e in zip(output_names, got, expected, strict=True):
        problem = _contract(name, g, e, case)
        if problem is not None:
            return problem
    ref_inputs = tolerance.inputs(case.inputs())
    exact = as_tuple(reference(**ref_inputs), len(output_names))
    for name, g, e in zip(output_names, got, exact, strict=True):
        g_t, e_t = g.detach().to(e.dtype), e.detach()
        close = _close(g_t, e_t, tolerance.bound(e_t, case.inputs()))
        if not close.all():
            return (
                f"{name}: expected {fmt(e_t.to(g.dtype))}, got {fmt(g)}"
                + first_difference(g_t, e_t, close),
                case.hints.get("non-finite", _NON_FINITE)
                if _non_finite_where_finite(g_t, e_t)
                else case.hints.get("value"),
            )
    grad_inputs = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]
    for name, g, e in zip(output_names, got, exact, strict=True):
        for key in grad_inputs:
            g_grad = gradient(g, got_inputs[key]).to(ref_inputs[key].dtype)
            e_grad = gradient(e, ref_inputs[key])
            close = _close(
                g_grad,
                e_grad,
                tolerance.atol + tolerance.rtol * e_grad.abs(),
            )
            if not close.all():
                shown = e_grad.to(g.dtype), g_grad.to(g.dtype)
                return (
                    f"gradient of {name} with respect to {key}: expected "
                    f"{fmt(shown[0])}, got {fmt(shown[1])}"
                    + first_difference(g_grad, e_grad, close),
                    case.hints.get("non-finite", _NON_FINITE)
                    if _non_finite_where_finite(g_grad, e_grad)
                    else case.hints.get((name, key)),
                )
    return None


def _non_finite_where_finite(got: torch.Tensor, expected: torch.Tensor):
    return bool((~torch.isfinite(got) & torch.isfinite(expected)).any())


def gradient(output, leaf: torch.Tensor) -> torch.Tensor:
    if not torch.is_tensor(output) or not output.requires_grad:
        return torch.zeros_like(leaf)
    (grad,) = torch.autograd.grad(
        output.sum(), leaf, retain_graph=True, allow_unused=True
    )
    return torch.zeros_like(leaf) if grad is None else grad


def as_tuple(value, n: int) -> tuple:
    if n == 1:
        return (value,)
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise TypeError(
            f"expected a tuple of {n} outputs, got {type(value).__name__}"
        )
    return tuple(value)


def equal_within(got, made, tolerance) -> bool:
    """Both tensors of one shape, equal within ``tolerance``."""
    if not (torch.is_tensor(got) and torch.is_tensor(made)):
        return False
    if got.shape != made.shape:
        return False
    g, m = got.detach().double(), made.detach().double()
    return bool(_close(g, m, tolerance.bound(m, {})).all())
