"""Statistics of repeated estimates: rows of a ``(K, P)`` tensor, each
one estimate of a ``P``-dimensional quantity from an independent batch.

Chapter 1 compares how much policy-gradient estimators scatter; the
estimates come from :mod:`actorcritic.gradients`, and the functions here
only take their rows, whatever they estimate:

- :func:`total_variance`, the trace of the rows' sample covariance;
- :func:`batch_means`, estimates from batches of every size out of one
  estimate per episode;
- :func:`variance_ratio_interval`, the ratio of two estimators' total
  variances with a paired bootstrap confidence interval.
"""

from __future__ import annotations

import torch


def total_variance(samples: torch.Tensor) -> float:
    """Trace of the sample covariance of ``(K, P)`` estimates: the sum over
    parameters of each coordinate's unbiased variance."""
    if samples.dim() != 2 or samples.shape[0] < 2:
        raise ValueError(
            "samples must have shape (K, P) with K >= 2, got "
            f"{tuple(samples.shape)}"
        )
    return float(samples.var(dim=0, unbiased=True).sum())


def batch_means(per_episode: torch.Tensor, batch_size: int) -> torch.Tensor:
    """``(N, P)`` per-episode estimates -> ``(K, P)`` means of disjoint
    batches of ``batch_size`` episodes, ``K = N // batch_size`` (the
    episodes left over are dropped).

    A batch's estimate is the mean of its episodes' estimates, so the
    estimates of every batch size come from one backward pass per episode
    (:func:`~actorcritic.gradients.gradient_samples` with batches of 1):
    the same variances as calling it at each batch size, for a fraction of
    the backward passes (``benchmarks/bench_variance.py``). Every estimator
    measured on the same episodes gets the same batches, so comparisons at
    one batch size are paired."""
    if per_episode.dim() != 2:
        raise ValueError(
            "per_episode must have shape (N, P), got "
            f"{tuple(per_episode.shape)}"
        )
    n, p = per_episode.shape
    k = n // batch_size if batch_size >= 1 else 0
    if k < 2:
        raise ValueError(
            f"need at least two batches of {batch_size} episodes to measure "
            f"a variance, got {n} episodes"
        )
    return per_episode[: k * batch_size].reshape(k, batch_size, p).mean(1)


def variance_ratio_interval(
    numerator: torch.Tensor,
    denominator: torch.Tensor,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> tuple[float, float, float]:
    """The ratio of two estimators' total variances, with a bootstrap
    confidence interval.

    Row ``k`` of both tensors is one estimate of the gradient by each
    estimator from the *same* batch of episodes, and the rows are
    independent batches (``batch_means`` of per-episode estimates). The
    bootstrap draws ``resamples`` sets of K rows with replacement, the
    same rows for both estimators, which keeps the pairing, and returns
    the percentiles of the resampled ratios (the percentile interval of
    Efron and Tibshirani, 1993, ch. 13).

    A row set drawn with counts ``c`` (K,) has total variance
    ``(c . diag(G) - c^T G c / K) / (K - 1)``, with ``G = X X^T`` the
    ``(K, K)`` Gram matrix of the centred rows (centring changes no
    variance and avoids cancelling two large, nearly equal sums): so a
    resample costs ``K^2`` operations instead of ``K P``, whatever the
    number P of parameters.

    With few rows the percentile interval tends to cover the true ratio
    less often than ``level`` says.

    Returns:
        ``(ratio, low, high)``: ``total_variance(numerator) /
        total_variance(denominator)`` and the interval's bounds.
    """
    if (
        numerator.dim() != 2
        or numerator.shape != denominator.shape
        or numerator.shape[0] < 5
    ):
        raise ValueError(
            "need two (K, P) tensors of one shape with K >= 5 rows (paired "
            f"estimates), got {tuple(numerator.shape)} and "
            f"{tuple(denominator.shape)}"
        )
    if not 0.0 < level < 1.0 or resamples < 100:
        raise ValueError(
            "need 0 < level < 1 and resamples >= 100, got "
            f"level={level}, resamples={resamples}"
        )
    top, bottom = numerator.detach().double(), denominator.detach().double()
    if not (torch.isfinite(top).all() and torch.isfinite(bottom).all()):
        raise ValueError(
            "numerator and denominator must be finite (no nan/inf)"
        )
    if float(bottom.var(0).sum()) == 0.0:
        raise ValueError(
            "the denominator's rows are all equal: its total variance is 0"
        )
    k, resamples = top.shape[0], int(resamples)
    generator = torch.Generator().manual_seed(seed)
    rows = torch.randint(k, (resamples, k), generator=generator)
    counts = torch.zeros(resamples, k, dtype=torch.float64)
    counts.scatter_add_(1, rows, torch.ones_like(counts))  # (R, K)

    def resampled_variance(x: torch.Tensor) -> torch.Tensor:  # (R,)
        x = x - x.mean(0)  # (K, P), centred
        gram = x @ x.T  # (K, K)
        square_sum = counts @ gram.diagonal()  # (R,)
        sum_square = ((counts @ gram) * counts).sum(1)  # (R,) |sum c x|^2
        return (square_sum - sum_square / k) / (k - 1)

    ratios = resampled_variance(top) / resampled_variance(bottom)
    ratios = ratios[torch.isfinite(ratios)]  # a set of one repeated row
    tail = (1.0 - level) / 2
    low, high = torch.quantile(
        ratios, torch.tensor([tail, 1.0 - tail], dtype=torch.float64)
    ).tolist()
    ratio = total_variance(numerator.detach()) / total_variance(
        denominator.detach()
    )
    return ratio, low, high
