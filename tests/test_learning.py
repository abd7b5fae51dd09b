"""Full-budget learning tests: each agent still solves its task.

They train for real (seconds to a minute each) and are marked ``learning``;
``pytest -m "not learning"`` skips them while iterating.
"""

import pytest
import torch

from actorcritic.evaluation import evaluate
from actorcritic.training import OneStepACConfig, train_one_step_actor_critic


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
