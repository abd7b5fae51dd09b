"""The wording of a checker's reports: a tensor as the reader wrote it (in
part, with the first difference, when it is long), an exception as it
was raised, and a failed case's report with its inputs and its hint."""

from __future__ import annotations

import textwrap

import torch

from actorcritic.exercises.cases import Case

GOES_ON = "   The chapter goes on with the reference implementation."
_SHORT = 12  # tensors with more elements are shown in part


def raised(exc: BaseException) -> str:
    """An exception as the report words it: its type and its message."""
    return f"raised {type(exc).__name__}: {exc}"


def fmt(value) -> str:
    """A tensor as the reader wrote it (nested, so its shape shows), or in
    part, with its shape, when it has more than a dozen elements."""
    if not torch.is_tensor(value):
        text = repr(value)
        return text if len(text) <= 80 else text[:77] + "..."
    value = value.detach()
    if value.dim() == 0:
        return f"{value.item():.4g}"
    if value.numel() <= _SHORT:
        return _nested(value.tolist())
    flat = value.flatten().tolist()
    head = ", ".join(f"{v:.4g}" for v in flat[:3])
    tail = ", ".join(f"{v:.4g}" for v in flat[-2:])
    shape = " x ".join(map(str, value.shape))
    return f"({shape} values) [{head}, ..., {tail}]"


def _nested(values) -> str:
    if isinstance(values, list):
        return "[" + ", ".join(_nested(v) for v in values) + "]"
    return f"{values:.4g}"


def failure(title: str, case: Case, message: str, hint: str | None) -> str:
    """The report of a failed case: its name, its inputs, ``message`` and
    ``hint``, wrapped to 72 columns."""
    inputs = ", ".join(f"{k}={fmt(v)}" for k, v in case.inputs().items())
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
    return "\n".join([*wrapped, GOES_ON])


def first_difference(got, expected, close) -> str:
    """Where the first element differs, for tensors too long to read."""
    if got.numel() <= _SHORT:
        return ""
    index = tuple(torch.nonzero(~close)[0].tolist())
    at = ", ".join(map(str, index))
    return (
        f"; first difference at [{at}]: expected "
        f"{expected[index].item():.6g}, got {got[index].item():.6g}"
    )
