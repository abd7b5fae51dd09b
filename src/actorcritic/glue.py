"""Measured numbers for the prose around a code cell.

``glue("name", value)`` hands a number that a code cell computed to the
book's build (myst-nb's glue). The prose quotes it as plain text, in a
span that names it: ``<span data-run="name:.1f">3.2</span>``, which reads
the same in Jupyter, Colab and the HTML book. The build checks every such
number against the value its run glued and fails if one disagrees
(``book/_ext/run_numbers.py``).

A figure that depends on the machine rather than on the code and its
seeds (a time, a speed, a ratio of speeds, a core count) is glued with
``machine=True`` and quoted in a ``data-machine`` span instead: the build
writes the value of its own run into the page and never fails on it,
because no two machines time the same work alike.

Outside a book build (Colab, plain Jupyter) myst-nb is usually absent and
the call does nothing; the cell's printed output shows the reader's own
run.
"""

from __future__ import annotations

import numbers

# the MIME type that marks a glued value as a figure of the machine
MACHINE = "application/x.actorcritic-machine"


class _Glued:
    """A number as myst-nb stores it: its ``repr`` as text, plus the
    machine mark when it has one."""

    def __init__(self, value: float, machine: bool) -> None:
        self.value, self.machine = value, machine

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/plain": repr(self.value)}
        if self.machine:
            bundle[MACHINE] = "true"
        return bundle


def glue(name: str, value: float, *, machine: bool = False) -> None:
    """Store ``value`` (a real number) under ``name`` for the page's text;
    ``machine=True`` if it measures the machine (seconds, steps per
    second, a ratio of timings, a core count) rather than the run's
    results."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"glue({name!r}, ...) needs a real number (use float(x) for a "
            f"tensor), got {type(value).__name__}"
        )
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, _Glued(float(value), machine), display=False)
