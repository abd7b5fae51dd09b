"""Learning curves: the mean over seeds with a band of one standard
deviation, on a common x grid.

Importing this module sets the book's figure style (:data:`BOOK_STYLE`):
text large enough to stay readable when a page shrinks a figure to its
column or to a phone's width.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

from actorcritic.runs import History

#: Font sizes in points, and a layout that keeps labels inside the figure.
BOOK_STYLE = {
    "font.size": 14,
    "axes.titlesize": 14,
    "axes.labelsize": 14,
    "legend.fontsize": 13,
    "xtick.labelsize": 13,
    "ytick.labelsize": 13,
    "figure.titlesize": 15,
    "figure.constrained_layout.use": True,
}
plt.rcParams.update(BOOK_STYLE)

X_LABELS = {
    "env_steps": "training steps",
    "wall_time": "wall-clock seconds",
    "episode": "episode",
}


def smooth(values: Sequence[float], window: int) -> np.ndarray:
    """Trailing moving average; the first points average what exists."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    values = np.asarray(values, dtype=float)
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, len(values) + 1)
    start = np.maximum(idx - window, 0)
    return (cumsum[idx] - cumsum[start]) / (idx - start)


def mean_band(
    histories: Sequence[History],
    x: str = "env_steps",
    y: str = "episode_return",
    window: int = 20,
    points: int = 200,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean and standard deviation over seeds of a smoothed curve.

    Each seed's curve is interpolated on a common grid that ends where the
    shortest run ends, so the band never extrapolates.

    Args:
        histories: one :class:`History` per seed.
        x: ``"env_steps"``, ``"wall_time"`` or ``"episode"``.
        y: ``"episode_return"``, ``"eval_return"`` (then x is the
            evaluation step) or the name of a logged diagnostic such as
            ``"entropy"`` (then x is the logging step).
        window: moving-average window, in episodes (or evaluations).

    Returns:
        ``(grid, mean, std)``, each ``(points,)``.
    """
    if not histories:
        raise ValueError("mean_band needs at least one history")
    if x not in X_LABELS:
        raise ValueError(f"x must be one of {sorted(X_LABELS)}, got {x!r}")
    curves = []
    for h in histories:
        if y in ("episode_return", "eval_return"):
            ys = np.asarray(getattr(h, y), dtype=float)
        else:
            ys = np.asarray(h.logs.get(y, []), dtype=float)
        if len(ys) == 0:
            raise ValueError(f"a history has no {y!r} entries to plot")
        if y == "eval_return":
            xs = np.asarray(h.eval_steps, dtype=float)
        elif y not in ("episode_return", "eval_return"):
            xs = np.asarray(h.log_steps, dtype=float)
        elif x == "episode":
            xs = np.arange(1, len(ys) + 1, dtype=float)
        else:
            xs = np.asarray(getattr(h, x), dtype=float)
        curves.append((xs, smooth(ys, window)))
    lo = max(xs[0] for xs, _ in curves)
    hi = min(xs[-1] for xs, _ in curves)
    grid = np.linspace(lo, hi, points) if hi > lo else np.array([hi])
    stacked = np.stack([np.interp(grid, xs, ys) for xs, ys in curves])
    return grid, stacked.mean(axis=0), stacked.std(axis=0)


def plot_learning_curves(
    runs: Mapping[str, Sequence[History]],
    x: str = "env_steps",
    y: str = "episode_return",
    window: int = 20,
    target: float | None = None,
    ax: plt.Axes | None = None,
    title: str | None = None,
) -> plt.Axes:
    """Plot one mean ± std curve per label (one History per seed).

    Args:
        runs: ``{label: [history_seed0, history_seed1, ...]}``.
        x, y, window: see :func:`mean_band`.
        target: draws a dashed horizontal line (e.g. the solved score).
        ax: axes to draw on; a new figure when None.
        title: the axes title.
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for label, histories in runs.items():
        grid, mean, std = mean_band(histories, x, y, window)
        if len(histories) > 1:
            label = f"{label} ({len(histories)} seeds)"
        (line,) = ax.plot(grid, mean, label=label)
        ax.fill_between(
            grid,
            mean - std,
            mean + std,
            alpha=0.2,
            color=line.get_color(),
            linewidth=0,
        )
    if target is not None:
        ax.axhline(target, color="gray", linestyle="--", linewidth=1)
    x_label = X_LABELS[x] if y == "episode_return" else X_LABELS["env_steps"]
    ax.set_xlabel(x_label)
    if x_label == X_LABELS["env_steps"]:
        ax.xaxis.set_major_formatter(FuncFormatter(_thousands))
    name = "return" if y.endswith("return") else y
    several = any(len(h) > 1 for h in runs.values())
    ax.set_ylabel(f"{name} (mean ± std over seeds)" if several else name)
    if title:
        ax.set_title(title)
    ax.legend(loc="best")
    ax.grid(alpha=0.3)
    return ax


def _thousands(value: float, _position=None) -> str:
    """Tick label for step counts: 150000 -> '150k'."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if abs(value) >= 1_000:
        return f"{value / 1_000:g}k"
    return f"{value:g}"
