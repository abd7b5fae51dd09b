import dataclasses

import pytest
import torch

from actorcritic.losses import one_step_losses
from actorcritic.training import (
    OneStepACConfig,
    ReinforceConfig,
    train_one_step_actor_critic,
    train_reinforce,
)

QUICK_AC = OneStepACConfig(total_steps=600, eval_every=300, eval_episodes=2)
QUICK_PG = ReinforceConfig(total_steps=600, eval_every=300, eval_episodes=2)


def test_one_step_history_is_consistent():
    h = train_one_step_actor_critic(QUICK_AC, seed=0).history
    assert len(h.env_steps) == len(h.episode_return) == len(h.wall_time) > 0
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 600
    # CartPole pays 1 per step, so a return is the episode's length
    starts = [0] + h.env_steps[:-1]
    lengths = [b - a for a, b in zip(starts, h.env_steps, strict=True)]
    assert h.episode_return == lengths
    assert h.eval_steps == [300, 600]


@pytest.mark.parametrize(
    "train, config",
    [
        (train_one_step_actor_critic, QUICK_AC),
        (train_reinforce, QUICK_PG),
        (train_reinforce, dataclasses.replace(QUICK_PG, baseline=True)),
    ],
)
def test_same_seed_same_history(train, config):
    a, b = train(config, seed=1), train(config, seed=1)
    assert a.history.episode_return == b.history.episode_return
    assert a.history.eval_return == b.history.eval_return
    for p, q in zip(a.actor.parameters(), b.actor.parameters(), strict=False):
        assert torch.equal(p, q)
    c = train(config, seed=2)
    assert c.history.episode_return != a.history.episode_return


def test_the_readers_loss_function_drives_training():
    calls = []

    def counting_losses(*args):
        calls.append(1)
        return one_step_losses(*args)

    train_one_step_actor_critic(
        dataclasses.replace(QUICK_AC, total_steps=50, eval_every=50),
        seed=0,
        loss_fn=counting_losses,
    )
    assert len(calls) == 50


def test_the_readers_reinforce_loss_drives_training():
    from actorcritic.losses import policy_gradient_loss

    lengths = []

    def recording_loss(log_prob, weight):
        lengths.append(len(weight))
        return policy_gradient_loss(log_prob, weight)

    result = train_reinforce(
        ReinforceConfig(total_steps=200, eval_every=200),
        seed=0,
        loss_fn=recording_loss,
    )
    assert sum(lengths) == 200  # one call per episode, every step seen
    assert len(lengths) >= len(result.history.episode_return)


def test_stop_at_return_stops_early():
    config = dataclasses.replace(QUICK_AC, stop_at_return=0.0)
    h = train_one_step_actor_critic(config, seed=0).history
    assert h.eval_steps == [300]


def test_keep_best_restores_the_best_evaluated_actor():
    from actorcritic.evaluation import evaluate

    config = dataclasses.replace(QUICK_AC, total_steps=3000, eval_every=500)
    result = train_one_step_actor_critic(config, seed=0)
    h = result.history
    best = max(h.eval_return)
    # the evaluation used by the tracker is seeded, so it repeats exactly
    again = evaluate(
        result.actor, "CartPole-v1", config.eval_episodes, seed=1_000_000
    ).mean()
    assert again == pytest.approx(best)


def test_no_baseline_means_no_critic():
    assert train_reinforce(QUICK_PG, seed=0).critic is None


@pytest.mark.parametrize(
    "bad",
    [
        dict(total_steps=0),
        dict(gamma=1.5),
        dict(actor_lr=-1.0),
        dict(eval_every=0),
    ],
)
def test_configs_reject_bad_values(bad):
    with pytest.raises(ValueError, match="must be"):
        OneStepACConfig(**bad)
    with pytest.raises(ValueError, match="must be"):
        ReinforceConfig(**bad)


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        QUICK_AC.gamma = 0.5
