"""train_sac and train_td3 run the same with their steps by hand as
through autograd, to the last bit: the networks, the logs, the
evaluations."""

import dataclasses

import pytest
import torch

from actorcritic.algorithms.sac import train_sac
from actorcritic.algorithms.td3 import ddpg, train_td3
from actorcritic.off_policy import polyak_update, soft_q_target
from tests.algorithms.quick import QUICK_OFF_POLICY, QUICK_SAC, QUICK_TD3


def twice(train, config, **kwargs):
    runs = [
        train(config, seed=1, autograd=autograd, **kwargs)
        for autograd in (False, True)
    ]
    assert [r.history.gradients for r in runs] == ["by hand", "autograd"]
    return runs


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
    ],
    ids=["chapter 7's sizes", "a fixed temperature", "two actions"],
)
def test_sac_runs_the_same_by_hand_and_through_autograd(config):
    assert_same_runs(*twice(train_sac, config))


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
    ],
    ids=["chapter 7's sizes", "delay 3, probed", "DDPG", "two actions"],
)
def test_td3_runs_the_same_by_hand_and_through_autograd(config):
    assert_same_runs(*twice(train_td3, config))


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
