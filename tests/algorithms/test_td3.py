"""TD3 and DDPG (chapter 7)."""

import dataclasses

import pytest

import actorcritic.algorithms.td3 as td3
from actorcritic.off_policy import polyak_update
from tests.algorithms.quick import QUICK, QUICK_TD3


def test_td3_history_and_diagnostics():
    h = td3.train_td3(QUICK_TD3, seed=0).history
    assert h.eval_steps == [150, 300]
    assert h.log_steps == [101, 200, 300]
    assert set(h.logs) == {"critic_loss", "q"}


@pytest.mark.parametrize(
    "name, targets_per_update", [("td3", 0.5), ("ddpg", 1.0)]
)
def test_the_actor_and_targets_wait_policy_delay_updates(
    name, targets_per_update
):
    calls = []

    def recording_polyak(target, online, tau):
        calls.append(tau)
        polyak_update(target, online, tau)

    train, config = QUICK[name]
    train(config, seed=0, polyak_fn=recording_polyak)
    updates = config.total_steps - config.learning_starts  # one per step
    # each actor update moves two targets: the actor's and the critics'
    assert len(calls) == 2 * updates * targets_per_update
    assert set(calls) == {config.tau}


def test_ddpg_is_td3_without_its_three_fixes():
    assert td3.DDPG.n_critics == 1
    assert td3.DDPG.policy_delay == 1
    assert td3.DDPG.target_noise == 0.0
    changed = td3.ddpg(total_steps=5_000)
    assert changed.total_steps == 5_000 and changed.n_critics == 1
    assert dataclasses.replace(td3.DDPG, n_critics=2).policy_delay == 1


def test_the_bias_probe_runs_at_every_evaluation():
    config = dataclasses.replace(QUICK_TD3, bias_episodes=2)
    h = td3.train_td3(config, seed=0).history
    assert set(h.eval_probes) == {"q_estimate", "mc_return"}
    assert all(len(v) == len(h.eval_steps) for v in h.eval_probes.values())
    assert all(r < 0 for r in h.eval_probes["mc_return"])  # Pendulum
