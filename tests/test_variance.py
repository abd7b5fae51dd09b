"""Total variance, batch means and the bootstrap interval of a variance
ratio: by hand, against the direct computation, and in coverage."""

import pytest
import torch

from actorcritic.gradients import episode_weights, gradient_samples
from actorcritic.networks import CategoricalPolicy
from actorcritic.rollouts import collect_episodes
from actorcritic.variance import (
    batch_means,
    total_variance,
    variance_ratio_interval,
)


def t(*xs):
    return torch.tensor(xs, dtype=torch.float32)


def test_total_variance_by_hand():
    samples = t(1.0, 0.0, 3.0, 2.0).reshape(2, 2)  # (K=2, P=2)
    assert total_variance(samples) == pytest.approx(4.0)


def test_batch_means_give_the_variance_of_batch_estimates():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2, hidden=(8,))
    episodes = collect_episodes(actor, "CartPole-v1", 18, seed=0)

    def rtg(ep):
        return episode_weights(ep.reward, "reward_to_go")

    per_episode = gradient_samples(actor, episodes, 1, rtg)  # (18, P)
    means = batch_means(per_episode, 4)
    assert means.shape == (4, per_episode.shape[1])  # 2 episodes left over
    assert torch.allclose(means[1], per_episode[4:8].mean(0))
    direct = gradient_samples(actor, episodes, 4, rtg)  # one pass per batch
    assert torch.allclose(means, direct, atol=1e-6)
    assert total_variance(means) == pytest.approx(total_variance(direct))


def gaussian_rows(k, scale, seed, p=3):
    gen = torch.Generator().manual_seed(seed)
    return scale * torch.randn(k, p, generator=gen)


def test_variance_ratio_interval_by_hand_and_paired():
    x = gaussian_rows(40, 1.0, seed=0)
    ratio, low, high = variance_ratio_interval(2 * x, x)
    # paired: every resample has exactly 4 times the variance
    assert ratio == pytest.approx(4.0) and low == pytest.approx(4.0)
    assert high == pytest.approx(4.0)
    y = gaussian_rows(40, 1.0, seed=1)
    ratio, low, high = variance_ratio_interval(x, y)
    assert ratio == total_variance(x) / total_variance(y)
    assert low < ratio < high
    # the same seed draws the same resamples; another seed others
    assert variance_ratio_interval(x, y) == (ratio, low, high)
    assert variance_ratio_interval(x, y, seed=1)[1] != low
    # a wider level, a wider interval
    _, low99, high99 = variance_ratio_interval(x, y, level=0.99)
    assert low99 < low and high < high99
    # a common offset changes no variance (the Gram matrix is centred)
    shifted = variance_ratio_interval(x.double() + 1e8, y.double() - 1e8)
    assert shifted == pytest.approx((ratio, low, high), rel=1e-6)


def test_variance_ratio_interval_resamples_rows_by_their_gram_matrix():
    """The Gram-matrix shortcut gives each resample's exact ratio: the
    bounds are among the ratios of row sets drawn directly."""
    x, y = gaussian_rows(12, 2.0, seed=2), gaussian_rows(12, 1.0, seed=3)
    _, low, high = variance_ratio_interval(x, y, resamples=200, level=0.5)
    gen = torch.Generator().manual_seed(0)
    rows = torch.randint(12, (200, 12), generator=gen)
    direct = torch.tensor(
        [
            float(x[r].double().var(0).sum() / y[r].double().var(0).sum())
            for r in rows
        ],
        dtype=torch.float64,
    )
    expected = torch.quantile(direct, torch.tensor([0.25, 0.75]).double())
    assert [low, high] == pytest.approx(expected.tolist(), rel=1e-9)


def test_variance_ratio_interval_covers_the_true_ratio():
    """Independent rows with true total variances 4P and P: the 95 %
    interval covers the true ratio 4 in about 95 % of 200 data sets (the
    percentile bootstrap covers a little less with 60 rows)."""
    covered = 0
    for seed in range(200):
        x = gaussian_rows(60, 2.0, seed=2 * seed)
        y = gaussian_rows(60, 1.0, seed=2 * seed + 1)
        _, low, high = variance_ratio_interval(x, y, resamples=400)
        covered += low <= 4.0 <= high
    assert 0.85 * 200 <= covered <= 0.99 * 200, covered


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="K >= 2"):
        total_variance(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="two batches of 2 episodes"):
        batch_means(torch.zeros(3, 5), 2)
    with pytest.raises(ValueError, match="shape \\(N, P\\)"):
        batch_means(torch.zeros(6), 2)
    with pytest.raises(ValueError, match="K >= 5 rows"):
        variance_ratio_interval(torch.zeros(4, 3), torch.zeros(4, 3))
    with pytest.raises(ValueError, match="one shape"):
        variance_ratio_interval(torch.zeros(8, 3), torch.zeros(8, 2))
    with pytest.raises(ValueError, match="0 < level < 1"):
        variance_ratio_interval(torch.ones(8, 3), torch.ones(8, 3), level=95)
    noisy = torch.randn(8, 3, generator=torch.Generator().manual_seed(0))
    with pytest.raises(ValueError, match="total variance is 0"):
        variance_ratio_interval(noisy, torch.ones(8, 3))
    with pytest.raises(ValueError, match="must be finite"):
        variance_ratio_interval(noisy, noisy.clone().fill_(float("nan")))
