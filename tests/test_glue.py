import sys

import numpy as np
import pytest
import torch

from actorcritic.glue import MACHINE, glue


@pytest.mark.parametrize(
    ("machine", "bundle"),
    [
        (False, {"text/plain": "2.5"}),
        (True, {"text/plain": "2.5", MACHINE: "true"}),
    ],
)
def test_glue_hands_a_float_and_its_class_to_myst_nb(
    monkeypatch, machine, bundle
):
    # the book's build tool, not a dependency of the package
    myst_nb = pytest.importorskip("myst_nb")
    from IPython.core.formatters import format_display_data

    calls = []
    monkeypatch.setattr(
        myst_nb, "glue", lambda *args, **kwargs: calls.append((args, kwargs))
    )
    glue("ratio", np.float32(2.5), machine=machine)
    [((name, glued), kwargs)] = calls
    assert (name, kwargs) == ("ratio", {"display": False})
    # what myst-nb stores: the build reads the number from its text
    assert format_display_data(glued) == (bundle, {})


def test_glue_without_myst_nb_does_nothing(monkeypatch):
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # import fails
    glue("ratio", 2.5)  # no error, nothing to hand over


@pytest.mark.parametrize("value", [torch.tensor(2.5), "2.5", True])
def test_glue_rejects_what_the_prose_cannot_format(value):
    with pytest.raises(TypeError, match="needs a real number"):
        glue("ratio", value)
