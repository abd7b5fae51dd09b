"""The cases a checker runs: a :class:`Case` written by the chapter, one
drawn at random (:func:`drawn`), and :func:`floats` to write inputs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import torch


@dataclass(frozen=True)
class Case:
    """One test case.

    Attributes:
        name: what the case is about, shown to the reader on failure.
        inputs: builds fresh keyword arguments (new leaf tensors each call).
        hints: extra advice keyed by ``(output_name, input_name)`` for a
            gradient mismatch, or by ``"value"``, ``"shape"`` or
            ``"non-finite"`` (nan or inf where the reference is finite,
            whose default hint points at logs of 0 and overflows).
    """

    name: str
    inputs: Callable[[], dict[str, Any]]
    hints: dict[Any, str] = field(default_factory=dict)


def drawn(
    name: str,
    seed: int,
    build: Callable[[torch.Generator], dict[str, Any]],
    hints: dict[Any, str] | None = None,
) -> Case:
    """A random case: ``build(generator)`` draws the inputs from its own
    seeded generator (the global random state is not touched), so every
    call gives the same fresh tensors."""

    def inputs():
        return build(torch.Generator().manual_seed(seed))

    return Case(f"random: {name} (seed {seed})", inputs, hints or {})


def floats(*values: float, grad: bool = False) -> torch.Tensor:
    """A float32 tensor: a scalar for one value, else ``(T,)``."""
    data = values[0] if len(values) == 1 else list(values)
    return torch.tensor(data, dtype=torch.float32, requires_grad=grad)
