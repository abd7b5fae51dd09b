"""Monte-Carlo policy-gradient variants on episode batches (chapter 5)."""

import dataclasses

import numpy as np
import pytest

from actorcritic.algorithms.episodic_pg import (
    PG_VARIANTS,
    train_episodic_pg,
)
from actorcritic.losses import entropy_loss
from actorcritic.returns import reward_to_go
from tests.algorithms.quick import QUICK_EPG


@pytest.mark.parametrize("variant", sorted(PG_VARIANTS))
def test_every_variant_trains_and_logs(variant):
    baseline, uses_entropy = PG_VARIANTS[variant]
    config = dataclasses.replace(
        QUICK_EPG, baseline=baseline, entropy_coef=0.01 if uses_entropy else 0
    )
    trained = train_episodic_pg(config, seed=0)
    h = trained.history
    assert set(h.logs) == {"policy_loss", "baseline", "entropy"}
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] >= 600
    assert h.episode_return == pytest.approx(
        np.diff([0, *h.env_steps]).tolist()
    )  # CartPole pays 1 per step
    assert all(0.0 <= e <= 1.0 for e in h.logs["entropy"])
    assert (trained.critic is not None) == (baseline == "value")
    if baseline == "none":
        assert all(b == 0.0 for b in h.logs["baseline"])


def test_episodic_pg_uses_the_readers_functions():
    calls = []

    def my_q(reward, gamma, episode_end):
        calls.append("q")
        return reward_to_go(reward, gamma, episode_end)

    def my_entropy(logits):
        calls.append("entropy")
        return entropy_loss(logits)

    train_episodic_pg(QUICK_EPG, seed=0, q_fn=my_q, entropy_fn=my_entropy)
    assert calls and set(calls) == {"q", "entropy"}
