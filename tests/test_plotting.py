import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from actorcritic.plotting import mean_band, plot_learning_curves, smooth  # noqa: E402
from actorcritic.runs import History  # noqa: E402


def test_smooth_is_a_trailing_mean():
    np.testing.assert_allclose(smooth([1, 2, 3, 4], 2), [1, 1.5, 2.5, 3.5])
    np.testing.assert_allclose(smooth([5, 7], 1), [5, 7])


def make(steps, returns):
    return History(
        env_steps=steps,
        episode_return=returns,
        wall_time=[s / 100 for s in steps],
    )


def test_mean_band_interpolates_on_the_shared_range():
    a = make([10, 20, 30], [1.0, 2.0, 3.0])
    b = make([10, 20, 25], [3.0, 4.0, 5.0])
    grid, mean, std = mean_band([a, b], window=1, points=4)
    assert grid[0] == 10 and grid[-1] == 25  # never past the shortest run
    np.testing.assert_allclose(mean[0], 2.0)
    np.testing.assert_allclose(std[0], 1.0)


def test_mean_band_by_episode():
    grid, mean, _ = mean_band(
        [make([5, 9], [1.0, 3.0])], x="episode", window=1, points=2
    )
    np.testing.assert_allclose(grid, [1, 2])
    np.testing.assert_allclose(mean, [1.0, 3.0])


def test_plot_has_one_line_per_label_and_a_target():
    a = make([10, 20, 30], [1.0, 2.0, 3.0])
    ax = plot_learning_curves({"x": [a, a], "y": [a]}, target=2.0)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["x (2 seeds)", "y"]  # one run needs no count
    assert len(ax.lines) == 3
    assert "over seeds" in ax.get_ylabel()
    ax = plot_learning_curves({"one run": [a]})
    assert ax.get_ylabel() == "return"


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="at least one history"):
        mean_band([])
    with pytest.raises(ValueError, match="x must be one of"):
        mean_band([make([1], [1.0])], x="time")
    with pytest.raises(ValueError, match="no 'eval_return' entries"):
        mean_band([make([1], [1.0])], y="eval_return")


def test_mean_band_of_a_logged_diagnostic():
    a = make([10], [1.0])
    a.log_steps, a.logs = [100, 200], {"entropy": [1.0, 3.0]}
    b = make([10], [1.0])
    b.log_steps, b.logs = [100, 200], {"entropy": [3.0, 5.0]}
    grid, mean, std = mean_band([a, b], y="entropy", window=1, points=2)
    np.testing.assert_allclose(grid, [100, 200])
    np.testing.assert_allclose(mean, [2.0, 4.0])
    np.testing.assert_allclose(std, [1.0, 1.0])
    ax = plot_learning_curves({"b": [a, b]}, y="entropy", window=1)
    assert ax.get_ylabel().startswith("entropy")
    with pytest.raises(ValueError, match="no 'critic_loss' entries"):
        mean_band([a], y="critic_loss")


def test_step_axes_read_in_thousands():
    a = make([10_000, 150_000], [1.0, 2.0])
    ax = plot_learning_curves({"a": [a]}, window=1)
    label = ax.xaxis.get_major_formatter()
    assert label(150_000) == "150k" and label(2_500_000) == "2.5M"
    assert label(500) == "500"
    ax = plot_learning_curves({"a": [a]}, x="episode", window=1)
    assert ax.xaxis.get_major_formatter()(150_000) != "150k"
