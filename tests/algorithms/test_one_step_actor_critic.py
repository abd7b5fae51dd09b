"""One-step actor-critic (chapter 2)."""

import dataclasses

import pytest
from gymnasium.wrappers import TimeLimit

from actorcritic.algorithms.one_step_actor_critic import (
    train_one_step_actor_critic,
)
from actorcritic.evaluation import evaluate
from actorcritic.losses import one_step_losses
from tests.algorithms.quick import QUICK_AC


def test_one_step_history_is_consistent():
    h = train_one_step_actor_critic(QUICK_AC, seed=0).history
    assert len(h.env_steps) == len(h.episode_return) == len(h.wall_time) > 0
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 600
    # CartPole pays 1 per step, so a return is the episode's length
    starts = [0] + h.env_steps[:-1]
    lengths = [b - a for a, b in zip(starts, h.env_steps, strict=True)]
    assert h.episode_return == lengths
    assert h.eval_steps == [300, 600]


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


def test_stop_at_return_stops_early():
    config = dataclasses.replace(QUICK_AC, stop_at_return=0.0)
    h = train_one_step_actor_critic(config, seed=0).history
    assert h.eval_steps == [300]


def test_keep_best_restores_the_best_evaluated_actor():
    config = dataclasses.replace(QUICK_AC, total_steps=3000, eval_every=500)
    result = train_one_step_actor_critic(config, seed=0)
    h = result.history
    best = max(h.eval_return)
    # the evaluation used by the tracker is seeded, so it repeats exactly
    again = evaluate(
        result.actor, "CartPole-v1", config.eval_episodes, seed=1_000_000
    ).mean()
    assert again == pytest.approx(best)


@pytest.mark.parametrize("bootstrap", [True, False])
def test_a_time_limit_is_terminal_only_when_asked(monkeypatch, bootstrap):
    """Episodes cut after 5 steps (too short for CartPole to terminate):
    the loss sees terminated = 1 at every cut only with
    bootstrap_truncated=False."""
    import actorcritic.algorithms.one_step_actor_critic as module

    make_env = module.make_env
    monkeypatch.setattr(
        module,
        "make_env",
        lambda env_id, seed: TimeLimit(make_env(env_id, seed=seed), 5),
    )
    flags = []

    def recording_losses(*args):
        flags.append(float(args[4]))
        return one_step_losses(*args)

    config = dataclasses.replace(
        QUICK_AC, total_steps=20, eval_every=20, bootstrap_truncated=bootstrap
    )
    train_one_step_actor_critic(config, seed=0, loss_fn=recording_losses)
    cuts = [0.0, 0.0, 0.0, 0.0, 0.0 if bootstrap else 1.0]
    assert flags == cuts * 4
