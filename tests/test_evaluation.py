import numpy as np
import pytest

from actorcritic.evaluation import evaluate, play


class AlwaysLeft:
    def act(self, obs, greedy=False):
        return 0


class PushTowardsPole:
    """A hand-written CartPole controller: push where the pole leans."""

    def act(self, obs, greedy=False):
        return int(obs[2] + 0.5 * obs[3] > 0)


def test_seeded_evaluation_is_repeatable():
    a = evaluate(AlwaysLeft(), "CartPole-v1", n_episodes=5, seed=3)
    b = evaluate(AlwaysLeft(), "CartPole-v1", n_episodes=5, seed=3)
    assert a.shape == (5,)
    np.testing.assert_array_equal(a, b)
    assert a.max() < 20  # always pushing left drops the pole fast


def test_a_good_controller_reaches_the_time_limit():
    returns = evaluate(PushTowardsPole(), "CartPole-v1", n_episodes=3)
    np.testing.assert_array_equal(returns, [500.0, 500.0, 500.0])


def test_needs_one_episode():
    with pytest.raises(ValueError, match="at least 1"):
        evaluate(AlwaysLeft(), "CartPole-v1", n_episodes=0)


def test_lockstep_evaluation_equals_one_episode_after_another():
    import torch

    from actorcritic.networks import CategoricalPolicy, GaussianPolicy

    class OneAtATime:
        def __init__(self, policy):
            self.policy = policy

        def act(self, obs, greedy=False):
            return self.policy.act(obs, greedy=greedy)

    torch.manual_seed(0)
    for policy, env_id in (
        (CategoricalPolicy(4, 2), "CartPole-v1"),
        (GaussianPolicy(3, [-2.0], [2.0]), "Pendulum-v1"),
    ):
        assert hasattr(policy, "act_batch")
        together = evaluate(policy, env_id, n_episodes=4, seed=11)
        apart = evaluate(OneAtATime(policy), env_id, n_episodes=4, seed=11)
        np.testing.assert_allclose(together, apart, rtol=1e-6)


class BatchedLeft(AlwaysLeft):
    def act_batch(self, obs, greedy=False):
        return np.zeros(len(obs), dtype=int)


@pytest.mark.parametrize("policy", [AlwaysLeft(), BatchedLeft()])
def test_play_counts_the_steps_of_each_episode(policy):
    """CartPole pays 1 per step: each length equals its return, one
    episode after another and in lockstep alike."""
    episodes = play(policy, "CartPole-v1", n_episodes=4, seed=3)
    assert episodes.lengths.dtype.kind == "i"
    np.testing.assert_array_equal(episodes.lengths, episodes.returns)
    np.testing.assert_array_equal(
        episodes.returns, evaluate(policy, "CartPole-v1", 4, seed=3)
    )
