"""The call of a reader's function (see :mod:`actorcritic.exercises.checking`
for the protocol): whether it can be called with the exercise's parameter
names, whether what it raised is the exercise's own ``raise
NotImplementedError``, and what the call changed that it must leave alone
(steps 1 and 2: the kernel's settings, the inputs and their gradient
graphs)."""

from __future__ import annotations

import inspect
import linecache
import re
import textwrap
from collections.abc import Callable
from typing import Any

import torch

from actorcritic.exercises.reports import GOES_ON, fmt

_STUB_LINE = re.compile(r"^\s*raise\s+NotImplementedError\b")


def renamed_parameters(
    candidate: Callable, inputs: dict[str, Any], name: str
) -> tuple[str, str] | None:
    """``(message, hint)`` if ``candidate(**inputs)`` cannot even be
    called (its parameters do not carry the stub's names), else None."""
    try:
        signature = inspect.signature(candidate)
    except (TypeError, ValueError):  # a builtin or an odd callable: try it
        return None
    try:
        signature.bind(**inputs)
    except TypeError as exc:
        call = ", ".join(f"{k}=..." for k in inputs)
        return (
            f"your function cannot be called as {name}({call}): {exc}",
            "the checker passes the arguments by name: keep the parameter "
            f"names of the exercise, {name}({', '.join(inputs)}); yours is "
            f"{name}({', '.join(signature.parameters)}).",
        )
    return None


def renamed_forward(candidate_cls, reference_cls, title) -> str | None:
    """A report if the reader's ``forward`` does not take the reference's
    parameter names (the chapter may pass them by name)."""
    try:
        theirs = inspect.signature(candidate_cls.forward)
        names = list(inspect.signature(reference_cls.forward).parameters)
    except (TypeError, ValueError, AttributeError):
        return None
    try:
        theirs.bind(**{name: None for name in names})
    except TypeError as exc:
        lines = [
            f"❌ {title}: forward cannot be called as forward"
            f"({', '.join(f'{n}=...' for n in names)}): {exc}",
            "   hint: keep the parameter names of the exercise, forward("
            f"{', '.join(names)}); yours is forward"
            f"({', '.join(theirs.parameters)}).",
        ]
        wrapped = [
            textwrap.fill(line, width=72, subsequent_indent="     ")
            for line in lines
        ]
        return "\n".join([*wrapped, GOES_ON])
    return None


def reader_code(fn: Callable) -> list:
    """The code of ``fn`` and of the functions it wraps (``__wrapped__``,
    which decorators such as ``@torch.no_grad()`` set): a stub under a
    decorator is still the reader's."""
    codes, seen = [], set()
    while fn is not None and id(fn) not in seen:  # a cycle ends the chain
        seen.add(id(fn))
        codes.append(getattr(fn, "__code__", None))
        fn = getattr(fn, "__wrapped__", None)
    return codes


def is_stub(exc: NotImplementedError, codes: set) -> bool:
    """True for the exercise's own ``raise NotImplementedError`` line in
    the reader's code, not for one raised by a library (PyTorch raises
    it for unsupported dtypes, ``|`` on floats for instance)."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is None or tb.tb_frame.f_code not in codes:
        return False
    code = tb.tb_frame.f_code
    line = linecache.getline(code.co_filename, tb.tb_lineno)
    return bool(_STUB_LINE.match(line)) if line else not str(exc)


class kernel_state:
    """Restore autograd's mode and the default dtype after the call, and
    describe what the call had changed."""

    def __enter__(self):
        self.grad = torch.is_grad_enabled()
        self.dtype = torch.get_default_dtype()
        self.problem = None
        return self

    def __exit__(self, *exc_info):
        changed = []
        if torch.is_grad_enabled() != self.grad:
            torch.set_grad_enabled(self.grad)
            changed.append(
                "switched autograd off for the whole kernel "
                "(torch.set_grad_enabled(False)), so that nothing after it "
                "would learn; the checker switched it back on"
                if self.grad
                else "switched autograd on for the whole kernel; the "
                "checker switched it back off"
            )
        if torch.get_default_dtype() != self.dtype:
            new = torch.get_default_dtype()
            torch.set_default_dtype(self.dtype)
            changed.append(
                f"changed the default dtype of the whole kernel to {new} "
                f"(torch.set_default_dtype); the checker set it back to "
                f"{self.dtype}"
            )
        if changed:
            self.problem = (
                "; it also ".join(changed) + ".",
                "settings that outlive the call change every later cell: to "
                "compute without gradients, use a `with torch.no_grad():` "
                "block; to compute in float64, convert the tensors "
                "(x.double()).",
            )
        return False


def changed_inputs(inputs: dict, before: dict):
    """``(message, hint)`` if the call wrote into an input in place (its
    values are no longer ``before``'s), else None."""
    for key, old in before.items():
        new = inputs[key].detach()
        same = new.shape == old.shape and torch.equal(new, old)
        if not same:
            return (
                f"changed its input {key} in place: it was {fmt(old)} "
                f"and is now {fmt(new)}",
                f"the chapter passes its own tensors, and would find "
                f"{key} corrupted. Compute into a new tensor "
                f"(torch.empty_like({key}), or {key} + ...) instead of "
                f"`{key} += ...` or writing into {key}[t] (a .detach() "
                f"view shares {key}'s memory too).",
            )
    return None


def cut_inputs(inputs: dict, graphs: dict):
    """``(message, hint)`` if an input that carried a gradient before the
    call no longer does, or has another history: the call cut the
    caller's tensor off its graph in place."""
    for key, grad_fn in graphs.items():
        tensor = inputs[key]
        if tensor.requires_grad and tensor.grad_fn is grad_fn:
            continue
        now = (
            "carries none"
            if not tensor.requires_grad
            else "has another history"
        )
        return (
            f"cut its input {key} off the caller's graph in place: {key} "
            f"carried a gradient before the call and {now} after it",
            f"{key}.detach_(), {key}.requires_grad_(False) and in-place "
            f"operations change the caller's tensor, and the chapter would "
            f"then learn nothing through it. Use {key}.detach(), which "
            f"returns a new tensor and leaves {key} as it is.",
        )
    return None
