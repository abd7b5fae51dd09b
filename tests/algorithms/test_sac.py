"""Soft Actor-Critic (chapter 7)."""

import dataclasses

import numpy as np
import pytest

from actorcritic.algorithms.sac import train_sac
from actorcritic.buffer import ReplayBuffer
from tests.algorithms.quick import QUICK_SAC


def test_sac_history_and_diagnostics():
    h = train_sac(QUICK_SAC, seed=0).history
    assert h.eval_steps == [150, 300]
    assert h.log_steps == [101, 200, 300]  # updates start after step 100
    assert set(h.logs) == {"critic_loss", "actor_loss", "alpha", "entropy"}
    assert h.eval_probes == {}  # no probe: see train_td3's
    # Pendulum's episodes last 200 steps: one ended
    assert h.env_steps == [200]


def test_the_temperature_is_tuned_unless_fixed():
    tuned = train_sac(QUICK_SAC, seed=0).history.logs["alpha"]
    assert tuned[0] == 1.0  # the first update uses alpha from log 0
    assert tuned[2] < tuned[1] < 1.0  # entropy above its target: down
    fixed = dataclasses.replace(QUICK_SAC, alpha=0.05)
    assert train_sac(fixed, seed=0).history.logs["alpha"] == pytest.approx(
        [0.05] * 3
    )


def test_a_time_limit_is_stored_as_terminal_only_when_asked(monkeypatch):
    stored = {}
    original = ReplayBuffer.add

    def add(self, obs, action, reward, terminated, truncated, next_obs):
        stored.setdefault("terminated", []).append(float(terminated[0]))
        stored.setdefault("truncated", []).append(float(truncated[0]))
        original(self, obs, action, reward, terminated, truncated, next_obs)

    monkeypatch.setattr(ReplayBuffer, "add", add)
    for bootstrap in (True, False):
        stored.clear()
        config = dataclasses.replace(
            QUICK_SAC, total_steps=200, bootstrap_truncated=bootstrap
        )
        train_sac(config, seed=0)
        truncated = np.array(stored["truncated"])
        terminated = np.array(stored["terminated"])
        assert truncated.sum() == 1 and truncated[-1] == 1  # step 200
        assert terminated.sum() == (0 if bootstrap else 1)
