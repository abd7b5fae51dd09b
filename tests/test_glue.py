import sys

import numpy as np
import pytest
import torch

from actorcritic.glue import glue


def test_glue_hands_a_float_to_myst_nb(monkeypatch):
    # the book's build tool, not a dependency of the package
    myst_nb = pytest.importorskip("myst_nb")

    calls = []
    monkeypatch.setattr(
        myst_nb, "glue", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    glue("ratio", np.float32(2.5))
    assert calls == [(("ratio", 2.5), {"display": False})]
    assert type(calls[0][0][1]) is float  # the build formats it


def test_glue_without_myst_nb_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import fails
    glue("ratio", 2.5)  # no error, nothing to hand over


@pytest.mark.parametrize("value", [torch.tensor(2.5), "2.5", True])
def test_glue_rejects_what_the_prose_cannot_format(value):
    with pytest.raises(TypeError, match="needs a real number"):
        glue("ratio", value)
