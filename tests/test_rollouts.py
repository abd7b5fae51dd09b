import pytest
import torch

from actorcritic.networks import CategoricalPolicy
from actorcritic.rollouts import collect_episodes


def test_episodes_are_time_first_and_complete():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2)
    episodes = collect_episodes(actor, "CartPole-v1", 3, seed=5)
    assert len(episodes) == 3
    for ep in episodes:
        t = len(ep)
        assert ep.obs.shape == (t, 4) and ep.action.shape == (t,)
        assert torch.equal(ep.reward, torch.ones(t))  # CartPole pays 1/step
        assert ep.terminated  # a random policy drops the pole before 500


def test_same_seeds_same_episodes():
    actor = CategoricalPolicy(4, 2)
    torch.manual_seed(1)
    a = collect_episodes(actor, "CartPole-v1", 2, seed=5)
    torch.manual_seed(1)
    b = collect_episodes(actor, "CartPole-v1", 2, seed=5)
    assert all(torch.equal(x.obs, y.obs) for x, y in zip(a, b, strict=True))


def test_needs_an_episode():
    with pytest.raises(ValueError, match="at least 1"):
        collect_episodes(CategoricalPolicy(4, 2), "CartPole-v1", 0, seed=0)
