"""PPO with GAE on vector environments (chapter 6)."""

import dataclasses

import pytest
import torch

from actorcritic.algorithms.ppo import train_ppo
from actorcritic.losses import ppo_loss
from actorcritic.returns import gae
from tests.algorithms.quick import QUICK_PPO


def test_ppo_history_and_diagnostics():
    h = train_ppo(QUICK_PPO, seed=0).history
    assert h.eval_steps == [256, 512]
    assert h.log_steps == [128, 256, 384, 512]
    assert set(h.logs) == {
        "loss",
        "entropy",
        "approx_kl",
        "clip_fraction",
        "explained_variance",
        "value_share",
        "clip_scale",
    }
    for key in ("clip_fraction", "value_share", "clip_scale"):
        assert all(0.0 <= f <= 1.0 for f in h.logs[key]), key
    assert all(k >= 0.0 for k in h.logs["approx_kl"])  # (r - 1) - ln r >= 0
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 512
    assert sum(h.episode_return) <= 512  # CartPole pays 1 per step


def test_ppo_uses_the_readers_functions_on_every_minibatch():
    seen = []

    def recording_gae(reward, value, next_value, term, trunc, gamma, lam):
        seen.append(("gae", tuple(reward.shape), lam))
        return gae(reward, value, next_value, term, trunc, gamma, lam)

    def recording_loss(*args):
        seen.append(("loss", tuple(args[0].shape)))
        return ppo_loss(*args)

    config = dataclasses.replace(
        QUICK_PPO, total_steps=128, eval_every=128, gae_lambda=0.9
    )
    train_ppo(config, 0, loss_fn=recording_loss, advantage_fn=recording_gae)
    # one rollout of 32 x 4, then 2 epochs of 2 minibatches of 64
    assert seen == [("gae", (32, 4), 0.9)] + [("loss", (64,))] * 4


def test_ppo_first_minibatch_starts_at_ratio_one():
    ratios = []

    def recording_loss(log_prob, old_log_prob, *rest):
        ratios.append(torch.exp(log_prob - old_log_prob).detach())
        return ppo_loss(log_prob, old_log_prob, *rest)

    config = dataclasses.replace(QUICK_PPO, total_steps=128, eval_every=128)
    train_ppo(config, 0, loss_fn=recording_loss)
    assert torch.allclose(ratios[0], torch.ones_like(ratios[0]), atol=1e-6)
    assert not torch.allclose(ratios[-1], torch.ones_like(ratios[-1]))


def test_ppo_fast_path_trains_like_the_readers_path():
    """Given no loss of the reader's, train_ppo computes ppo_loss from the
    logits with its gradient written by hand; given one (here ppo_loss
    itself, behind a lambda), it goes through autograd. The same run, up
    to float rounding."""
    config = dataclasses.replace(QUICK_PPO, total_steps=128, eval_every=128)
    fast = train_ppo(config, 0)
    slow = train_ppo(config, 0, loss_fn=lambda *args: ppo_loss(*args))
    for a, b in zip(
        fast.actor.parameters(), slow.actor.parameters(), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-5)


@pytest.mark.parametrize(
    ("changes", "share", "scale"),
    [
        # no value term: the critic's gradient, and its share, are 0
        (dict(value_coef=0.0), lambda x: x == 0.0, lambda x: x <= 1.0),
        # a clip that never acts scales by 1
        (dict(max_grad_norm=1e9), lambda x: 0 < x < 1, lambda x: x == 1.0),
        # a clip that always acts scales by far less than 1
        (dict(max_grad_norm=1e-9), lambda x: 0 < x < 1, lambda x: x < 1e-6),
        # no clip at all: the share is still logged, the scale is 1
        (dict(max_grad_norm=None), lambda x: 0 < x < 1, lambda x: x == 1.0),
    ],
)
def test_ppo_logs_the_value_share_and_the_clip_scale(changes, share, scale):
    config = dataclasses.replace(QUICK_PPO, total_steps=256, **changes)
    logs = train_ppo(config, seed=0).history.logs
    assert all(share(x) for x in logs["value_share"]), logs["value_share"]
    assert all(scale(x) for x in logs["clip_scale"]), logs["clip_scale"]
