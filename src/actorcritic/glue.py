"""Measured numbers for the prose around a code cell.

``glue("name", value)`` hands a number that a code cell computed to the
chapter's text: when Jupyter Book builds the page, Markdown that says
``{glue:text}`name:.1f``` shows the number from that run (myst-nb's glue).
Outside a book build (Colab, plain Jupyter) myst-nb is usually absent and
the call does nothing; the cell's printed output carries the same numbers.
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
