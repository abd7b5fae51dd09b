import numpy as np
import pytest
import torch

from actorcritic.networks import CategoricalPolicy
from actorcritic.rollouts import (
    EpisodeBatchCollector,
    NumpyActor,
    collect_episodes,
)


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


def test_rollout_is_time_first_and_keeps_final_observations():
    from actorcritic.envs import make_vector_env
    from actorcritic.rollouts import RolloutCollector

    torch.manual_seed(0)
    envs = make_vector_env("CartPole-v1", 3, seed=0, max_episode_steps=4)
    collector = RolloutCollector(envs, seed=0)
    start = collector.obs.copy()
    rollout = collector.collect(CategoricalPolicy(4, 2), n_steps=6)
    assert rollout.obs.shape == rollout.next_obs.shape == (6, 3, 4)
    assert rollout.action.shape == rollout.reward.shape == (6, 3)
    assert torch.equal(rollout.obs[0], torch.as_tensor(start))
    ended = (rollout.terminated + rollout.truncated) > 0  # (T, N)
    # a 4-step time limit cuts every episode that lasts that long
    assert rollout.truncated[3].sum() + rollout.terminated[:4].sum() >= 3
    for t in range(5):
        for i in range(3):
            if ended[t, i]:  # the next rollout row starts a new episode
                assert not torch.equal(
                    rollout.next_obs[t, i], rollout.obs[t + 1, i]
                )
            else:  # within an episode, next_obs is the next obs
                assert torch.equal(
                    rollout.next_obs[t, i], rollout.obs[t + 1, i]
                )
    assert len(collector.finished) == int(ended.sum())
    envs.close()


def test_episode_batch_lays_whole_episodes_end_to_end():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2)
    collector = EpisodeBatchCollector("CartPole-v1", 4, seed=3)
    batch = collector.collect(actor)
    b = sum(batch.lengths)
    assert len(batch.lengths) == len(batch.returns) == 4
    assert batch.obs.shape == (b, 4) and batch.action.shape == (b,)
    assert batch.reward.shape == batch.episode_end.shape == (b,)
    ends = torch.nonzero(batch.episode_end).flatten()
    assert (
        ends.tolist() == (torch.tensor(batch.lengths).cumsum(0) - 1).tolist()
    )
    assert batch.returns == pytest.approx(batch.lengths)  # 1 per step
    # each episode starts from a reset: |x| and |theta| are below 0.05
    starts = [0, *(ends[:-1] + 1).tolist()]
    assert batch.obs[starts].abs().max() <= 0.05
    collector.close()


def test_episode_batches_repeat_with_seeds_and_move_on():
    def two_batches():
        torch.manual_seed(1)
        actor = CategoricalPolicy(4, 2)
        collector = EpisodeBatchCollector("CartPole-v1", 3, seed=7)
        out = [collector.collect(actor) for _ in range(2)]
        collector.close()
        return out

    first, again = two_batches(), two_batches()
    for a, b in zip(first, again, strict=True):
        assert torch.equal(a.obs, b.obs) and torch.equal(a.action, b.action)
    # the second batch starts from new states, not the same seeds again
    assert not torch.equal(first[0].obs[0], first[1].obs[0])


def test_numpy_actor_samples_what_act_batch_samples():
    torch.manual_seed(0)
    actor = CategoricalPolicy(8, 4, (32, 16))
    obs = torch.randn(500, 8).numpy()
    fast = NumpyActor(actor)
    torch.manual_seed(1)
    expected = actor.act_batch(obs)
    torch.manual_seed(1)  # same uniform noise from torch's generator
    np.testing.assert_array_equal(fast.act_batch(obs), expected)
    np.testing.assert_array_equal(
        fast.act_batch(obs, greedy=True), actor.act_batch(obs, greedy=True)
    )


def test_numpy_actor_sees_in_place_optimiser_steps():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 3)
    fast = NumpyActor(actor)
    obs = torch.randn(200, 4)
    optimizer = torch.optim.SGD(actor.parameters(), lr=1.0)
    # push every observation towards action 2
    actor.log_prob_entropy(obs, torch.full((200,), 2))[
        0
    ].mean().neg().backward()
    optimizer.step()
    greedy = fast.act_batch(obs.numpy(), greedy=True)
    np.testing.assert_array_equal(
        greedy, actor.act_batch(obs.numpy(), greedy=True)
    )
    assert (greedy == 2).mean() > 0.9


def test_numpy_actor_rejects_bad_input():
    actor = CategoricalPolicy(4, 2)
    with pytest.raises(ValueError, match=r"shape \(B, 4\), got \(3, 5\)"):
        NumpyActor(actor).act_batch(np.zeros((3, 5)))
    with pytest.raises(ValueError, match=r"shape \(B, 4\), got \(4,\)"):
        NumpyActor(actor).act_batch(np.zeros(4))
    actor.net[1] = torch.nn.ReLU()
    with pytest.raises(TypeError, match="got ReLU at position 1"):
        NumpyActor(actor)
