"""The replay buffer of chapter 7."""

import numpy as np
import pytest
import torch

from actorcritic.buffer import ReplayBuffer


def transitions(start: int, n: int, obs_dim: int = 3, act_dim: int = 1):
    """n transitions numbered start, start + 1, ... in every field."""
    k = np.arange(start, start + n, dtype=np.float32)
    return (
        np.repeat(k[:, None], obs_dim, 1),  # obs
        np.repeat(k[:, None], act_dim, 1),  # action
        k,  # reward
        (k % 2 == 0).astype(np.float32),  # terminated
        (k % 3 == 0).astype(np.float32),  # truncated
        np.repeat(k[:, None] + 0.5, obs_dim, 1),  # next_obs
    )


def test_a_sample_keeps_every_transition_whole():
    buffer = ReplayBuffer(3, 1, capacity=100)
    for start in range(0, 40, 4):
        buffer.add(*transitions(start, 4))
    assert len(buffer) == 40
    batch = buffer.sample(256)
    k = batch.reward  # (B,)
    assert batch.obs.shape == (256, 3) and batch.action.shape == (256, 1)
    assert torch.equal(batch.obs, k[:, None].expand(256, 3))
    assert torch.equal(batch.action[:, 0], k)
    assert torch.equal(batch.terminated, (k % 2 == 0).float())
    assert torch.equal(batch.truncated, (k % 3 == 0).float())
    assert torch.equal(batch.next_obs, k[:, None].expand(256, 3) + 0.5)
    assert set(k.tolist()) <= set(range(40))


def test_a_full_buffer_overwrites_the_oldest_first():
    buffer = ReplayBuffer(3, 1, capacity=10)
    buffer.add(*transitions(0, 7))
    buffer.add(*transitions(7, 6))  # 13 in all: 0, 1, 2 are gone
    assert len(buffer) == 10
    seen = set(buffer.sample(2_000).reward.tolist())
    assert seen == set(range(3, 13))


def test_samples_are_copies_and_follow_the_generator():
    buffer = ReplayBuffer(3, 1, capacity=10)
    buffer.add(*transitions(0, 10))
    a = buffer.sample(5, torch.Generator().manual_seed(0))
    b = buffer.sample(5, torch.Generator().manual_seed(0))
    assert all(torch.equal(x, y) for x, y in zip(a, b, strict=True))
    buffer.add(*transitions(100, 10))  # overwrite everything
    assert a.reward.max() < 10  # the batch did not change with it


def test_bad_input_says_what_was_expected():
    buffer = ReplayBuffer(3, 1, capacity=10)
    with pytest.raises(ValueError, match="empty"):
        buffer.sample(4)
    obs, action, reward, term, trunc, next_obs = transitions(0, 4)
    with pytest.raises(ValueError, match=r"action of shape \(4, 1\)"):
        buffer.add(obs, action[:, 0], reward, term, trunc, next_obs)
    with pytest.raises(ValueError, match=r"reward of shape \(4,\)"):
        buffer.add(obs, action, reward[:, None], term, trunc, next_obs)
    with pytest.raises(ValueError, match="cannot add 11"):
        buffer.add(*transitions(0, 11))
    with pytest.raises(ValueError, match="positive sizes"):
        ReplayBuffer(3, 1, capacity=0)
    buffer.add(*transitions(0, 4))
    with pytest.raises(ValueError, match="batch_size"):
        buffer.sample(0)
