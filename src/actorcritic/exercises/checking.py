"""The checker mechanism: run a reader's function on named cases.

A checker never raises. It reports one of three outcomes and returns the
function the rest of the chapter should use:

- the reader's function raises ``NotImplementedError``: "not implemented
  yet", and the reference implementation is returned;
- a case fails (wrong value, wrong gradient, or any exception): the report
  names the case, its inputs, what was expected and what came back, and the
  reference is returned;
- every case passes: the reader's own function is returned.

Values *and* gradients are compared with the reference: for every output
and every input that requires grad, ``d output / d input`` must match, which
catches a missing ``detach`` as surely as a wrong sign.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

Report = Callable[[str], None]
_GOES_ON = "   The chapter goes on with the reference implementation."


@dataclass(frozen=True)
class Case:
    """One named test case.

    Attributes:
        name: what the case is about, shown to the reader on failure.
        inputs: builds fresh keyword arguments (new leaf tensors each call).
        hints: extra advice keyed by ``(output_name, input_name)`` for a
            gradient mismatch, or by ``"value"`` for a value mismatch.
    """

    name: str
    inputs: Callable[[], dict[str, Any]]
    hints: dict[Any, str] = field(default_factory=dict)


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: Sequence[Case],
    title: str,
    output_names: Sequence[str] = ("output",),
    report: Report = print,
    atol: float = 1e-5,
) -> Callable:
    """Check ``candidate`` against ``reference`` on ``cases``.

    Returns ``candidate`` if every case passes, else ``reference``.
    """
    for case in cases:
        got_inputs = case.inputs()
        try:
            got = _as_tuple(candidate(**got_inputs), len(output_names))
        except NotImplementedError:
            report(f"⏳ {title}: not implemented yet.\n{_GOES_ON}")
            return reference
        except Exception as exc:  # a reader's bug must not stop the chapter
            report(
                _failure(
                    title, case, f"raised {type(exc).__name__}: {exc}", None
                )
            )
            return reference
        try:
            problem = _compare(
                case, got, got_inputs, reference, output_names, atol
            )
        except Exception as exc:
            problem = (
                f"returned {_fmt(got)}, which cannot be compared "
                f"with the expected output ({exc})",
                None,
            )
        if problem is not None:
            report(_failure(title, case, *problem))
            return reference
    report(
        f"✅ {title}: all {len(cases)} cases pass.\n"
        "   The rest of the chapter uses your function."
    )
    return candidate


def _compare(case, got, got_inputs, reference, output_names, atol):
    """Return ``(message, hint)`` for the first mismatch, or None."""
    ref_inputs = case.inputs()
    expected = _as_tuple(reference(**ref_inputs), len(output_names))
    for name, g, e in zip(output_names, got, expected, strict=True):
        g_t = torch.as_tensor(g.detach() if torch.is_tensor(g) else g)
        if g_t.shape != e.shape:
            return (
                f"{name}: expected shape {tuple(e.shape)}, got "
                f"shape {tuple(g_t.shape)}",
                case.hints.get("shape"),
            )
        if not torch.allclose(g_t.to(e.dtype), e.detach(), atol=atol):
            return (
                f"{name}: expected {_fmt(e)}, got {_fmt(g_t)}",
                case.hints.get("value"),
            )
    grad_inputs = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]
    for name, g, e in zip(output_names, got, expected, strict=True):
        for key in grad_inputs:
            g_grad = _grad(g, got_inputs[key])
            e_grad = _grad(e, ref_inputs[key])
            if not torch.allclose(g_grad, e_grad, atol=atol):
                return (
                    f"gradient of {name} with respect to {key}: "
                    f"expected {_fmt(e_grad)}, got {_fmt(g_grad)}",
                    case.hints.get((name, key)),
                )
    return None


def _grad(output, leaf: torch.Tensor) -> torch.Tensor:
    if not torch.is_tensor(output) or not output.requires_grad:
        return torch.zeros_like(leaf)
    (grad,) = torch.autograd.grad(
        output.sum(), leaf, retain_graph=True, allow_unused=True
    )
    return torch.zeros_like(leaf) if grad is None else grad


def _as_tuple(value, n: int) -> tuple:
    if n == 1:
        return (value,)
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise TypeError(
            f"expected a tuple of {n} outputs, got {type(value).__name__}"
        )
    return tuple(value)


def _fmt(value) -> str:
    if torch.is_tensor(value):
        value = value.detach()
        if value.dim() == 0:
            return f"{value.item():.4g}"
        items = ", ".join(f"{v:.4g}" for v in value.flatten().tolist())
        return f"[{items}]"
    return repr(value)


def _failure(title: str, case: Case, message: str, hint: str | None) -> str:
    inputs = ", ".join(f"{k}={_fmt(v)}" for k, v in case.inputs().items())
    lines = [
        f"❌ {title}: case '{case.name}' fails.",
        f"   inputs: {inputs}",
        f"   {message}",
    ]
    if hint:
        lines.append(f"   hint: {hint}")
    wrapped = [
        textwrap.fill(
            line,
            width=72,
            subsequent_indent="     ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for line in lines
    ]
    return "\n".join([*wrapped, _GOES_ON])


def floats(*values: float, grad: bool = False) -> torch.Tensor:
    """A float32 tensor: a scalar for one value, else ``(T,)``."""
    data = values[0] if len(values) == 1 else list(values)
    return torch.tensor(data, dtype=torch.float32, requires_grad=grad)


def check_class(
    candidate_cls, reference_cls, run, cases, title, names, report
):
    """Check a reader's network class through ``run(cls, **inputs)``;
    return the class the chapter should use."""

    def candidate(**inputs):
        return run(candidate_cls, **inputs)

    def reference(**inputs):
        return run(reference_cls, **inputs)

    chosen = check_function(
        candidate, reference, cases, title, output_names=names, report=report
    )
    return candidate_cls if chosen is candidate else reference_cls
