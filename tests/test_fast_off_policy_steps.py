"""train_sac and train_td3 run the same with their steps by hand as
through autograd, to the last bit: the networks, the logs, the
evaluations."""

import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.wrappers import RescaleAction

from actorcritic.algorithms.sac import train_sac
from actorcritic.algorithms.td3 import ddpg, train_td3
from actorcritic.off_policy import polyak_update, soft_q_target
from tests.algorithms.quick import QUICK_OFF_POLICY, QUICK_SAC, QUICK_TD3

# Pendulum with its torque box moved to [-3, 1.5]: a half-width (2.25)
# and a centre (-0.75) whose products round, unlike Pendulum's 2 and 0
WIDE_BOX = "PendulumWideBox-v0"
if WIDE_BOX not in gym.registry:
    gym.register(
        WIDE_BOX,
        entry_point=lambda **kwargs: RescaleAction(
            gym.make("Pendulum-v1", **kwargs),
            np.float32([-3.0]),
            np.float32([1.5]),
        ),
        max_episode_steps=200,
    )


def twice(train, config, monkeypatch, **kwargs):
    """The run by hand, where any call of autograd's backward fails, and
    the same run through autograd."""

    def backward(*args, **kwargs):
        raise AssertionError("the update by hand called backward()")

    with monkeypatch.context() as patch:
        patch.setattr(torch.Tensor, "backward", backward)
        fast = train(config, seed=1, **kwargs)
    slow = train(config, seed=1, autograd=True, **kwargs)
    assert fast.history.gradients == "by hand"
    assert slow.history.gradients == "autograd"
    return fast, slow


def same_networks(a, b):
    return all(
        torch.equal(x, y)
        for x, y in zip(
            list(a.state_dict().values()),
            list(b.state_dict().values()),
            strict=True,
        )
    )


@pytest.mark.parametrize(
    "config",
    [
        dataclasses.replace(QUICK_SAC, hidden=(64, 64), batch_size=256),
        dataclasses.replace(QUICK_SAC, alpha=0.1),
        dataclasses.replace(
            QUICK_SAC, env_id="LunarLanderContinuous-v3", gradient_steps=2
        ),
        dataclasses.replace(QUICK_SAC, env_id=WIDE_BOX, batch_size=100),
    ],
    ids=[
        "chapter 7's sizes",
        "a fixed temperature",
        "two actions",
        "another box",
    ],
)
def test_sac_runs_the_same_by_hand_and_through_autograd(config, monkeypatch):
    assert_same_runs(*twice(train_sac, config, monkeypatch))


def assert_same_runs(fast, slow):
    assert same_networks(fast.actor, slow.actor)
    assert same_networks(fast.critic, slow.critic)
    assert fast.history.logs == slow.history.logs
    assert fast.history.eval_return == slow.history.eval_return
    assert fast.history.eval_probes == slow.history.eval_probes


@pytest.mark.parametrize(
    "config",
    [
        dataclasses.replace(QUICK_TD3, hidden=(64, 64), batch_size=256),
        dataclasses.replace(QUICK_TD3, policy_delay=3, bias_episodes=2),
        ddpg(**QUICK_OFF_POLICY),
        dataclasses.replace(
            QUICK_TD3, env_id="LunarLanderContinuous-v3", gradient_steps=2
        ),
        dataclasses.replace(QUICK_TD3, env_id=WIDE_BOX, n_critics=3),
    ],
    ids=[
        "chapter 7's sizes",
        "delay 3, probed",
        "DDPG",
        "two actions",
        "another box, three critics",
    ],
)
def test_td3_runs_the_same_by_hand_and_through_autograd(config, monkeypatch):
    assert_same_runs(*twice(train_td3, config, monkeypatch))


def test_a_target_in_another_dtype_is_refused_by_hand():
    def target_fn(*args):
        return soft_q_target(*args).double()

    with pytest.raises(ValueError, match="float32"):
        train_sac(QUICK_SAC, seed=0, target_fn=target_fn)


def test_the_readers_functions_are_called_by_hand_too():
    calls = []

    def target_fn(*args):
        calls.append("target")
        return soft_q_target(*args)

    def polyak_fn(target, online, tau):
        calls.append("polyak")
        polyak_update(target, online, tau)

    train_sac(QUICK_SAC, seed=0, target_fn=target_fn, polyak_fn=polyak_fn)
    updates = QUICK_SAC.total_steps - QUICK_SAC.learning_starts
    assert calls == ["target", "polyak"] * updates
    calls.clear()
    train_td3(QUICK_TD3, seed=0, polyak_fn=polyak_fn)
    updates = QUICK_TD3.total_steps - QUICK_TD3.learning_starts
    # every other update: the critics' targets, then the actor's
    assert calls == ["polyak"] * 2 * (updates // 2)
