"""Full-budget learning tests: each agent still solves its task.

They train for real (seconds to a minute each) and are marked ``learning``;
``pytest -m "not learning"`` skips them while iterating.
"""

import pytest
import torch

from actorcritic.evaluation import evaluate
from actorcritic.training import (
    OneStepACConfig,
    ReinforceConfig,
    train_one_step_actor_critic,
    train_reinforce,
)


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.learning
def test_one_step_actor_critic_solves_cartpole():
    config = OneStepACConfig(total_steps=100_000, stop_at_return=500.0)
    result = train_one_step_actor_critic(config, seed=0)
    returns = evaluate(result.actor, "CartPole-v1", n_episodes=20)
    assert returns.mean() >= 475, (
        f"mean return {returns.mean():.1f} over 20 episodes; history of "
        f"evaluations: {result.history.eval_return}"
    )


@pytest.mark.learning
def test_reinforce_with_baseline_solves_cartpole():
    """Seeds 0-4 with these settings reached 500 after 12k-66k steps
    (5-17 s here) and scored 498-500 on this 20-episode check."""
    config = ReinforceConfig(
        baseline=True, total_steps=100_000, stop_at_return=500.0
    )
    result = train_reinforce(config, seed=0)
    returns = evaluate(result.actor, "CartPole-v1", n_episodes=20)
    assert returns.mean() >= 475, (
        f"mean return {returns.mean():.1f} over 20 episodes; history of "
        f"evaluations: {result.history.eval_return}"
    )


@pytest.mark.learning
def test_a2c_swings_up_the_pendulum():
    """Chapter 3's settings. Seeds 0-4 (stopping at -150 on the periodic
    evaluation) took 150k-200k steps and 16-22 s here, and scored -146 to
    -136 on this 20-episode check; the issue asks for >= -200."""
    from actorcritic.training import A2CConfig, train_a2c

    config = A2CConfig(total_steps=200_000, stop_at_return=-150.0)
    result = train_a2c(config, seed=0)
    returns = evaluate(result.actor, "Pendulum-v1", n_episodes=20)
    assert returns.mean() >= -200, (
        f"mean return {returns.mean():.1f} over 20 episodes; history of "
        f"evaluations: {result.history.eval_return}"
    )


@pytest.mark.learning
def test_parallel_a2c_solves_cartpole_fast():
    """Chapter 4's settings. Seed 0 stops at 500 after 100k steps and
    4.6 s of training here (about 22,000 steps/s) and scores 500 on this
    check; the issue asks for >= 475 within 30 s of training."""
    from actorcritic.training import ParallelA2CConfig, train_parallel_a2c

    config = ParallelA2CConfig(total_steps=300_000, stop_at_return=500.0)
    result = train_parallel_a2c(config, seed=0)
    returns = evaluate(result.actor, "CartPole-v1", n_episodes=20)
    seconds = result.history.wall_time[-1]
    assert returns.mean() >= 475, (
        f"mean return {returns.mean():.1f} over 20 episodes; history of "
        f"evaluations: {result.history.eval_return}"
    )
    assert seconds <= 30, f"{seconds:.1f} s of training"


@pytest.mark.learning
def test_parallel_a2c_lands_the_lunar_lander():
    """Chapter 5's landing: LUNAR_LANDER_A2C trained until solved with
    seeds 0, 1, 2, 3 in turn. The issue asks for a mean >= 200 over 20
    seeded episodes (1,000-step limit) within 5 minutes of training."""
    from actorcritic.training import LUNAR_LANDER_A2C, train_until_solved

    chosen, attempts = train_until_solved(LUNAR_LANDER_A2C, seeds=range(4))
    returns = evaluate(chosen.actor, "LunarLander-v3", n_episodes=20)
    seconds = sum(a.history.train_seconds for a in attempts)
    assert returns.mean() >= 200, (
        f"mean return {returns.mean():.1f} over 20 episodes; best "
        f"evaluations: {[round(a.history.best_eval_return) for a in attempts]}"
    )
    assert seconds <= 300, f"{seconds:.1f} s of training"
