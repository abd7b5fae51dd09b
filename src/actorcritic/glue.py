"""Measured numbers for the prose around a code cell.

``glue("name", value)`` hands a number that a code cell computed to the
book's build (myst-nb's glue). The prose quotes it as plain text, in a
span that names it: ``<span data-run="name:.1f">3.2</span>``, which reads
the same in Jupyter, Colab and the HTML book. The build checks every such
number against the value its run glued and fails if one disagrees
(``book/_ext/run_numbers.py``). Outside a book build (Colab, plain
Jupyter) myst-nb is usually absent and the call does nothing; the cell's
printed output shows the reader's own run.
"""

from __future__ import annotations

import numbers


def glue(name: str, value: float) -> None:
    """Store ``value`` (a real number) under ``name`` for the page's text."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"glue({name!r}, ...) needs a real number (use float(x) for a "
            f"tensor), got {type(value).__name__}"
        )
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(name, float(value), display=False)
