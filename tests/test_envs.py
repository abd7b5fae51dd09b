import os

import numpy as np
import pytest
import torch

import actorcritic  # noqa: F401  (sets SDL_VIDEODRIVER)
from actorcritic.envs import make_env, seed_everything


def test_package_silences_sdl():
    assert os.environ["SDL_VIDEODRIVER"] == "dummy"


def test_same_seed_same_start_and_actions():
    a, b = make_env("CartPole-v1", seed=3), make_env("CartPole-v1", seed=3)
    obs_a, _ = a.reset(seed=3)
    obs_b, _ = b.reset(seed=3)
    np.testing.assert_array_equal(obs_a, obs_b)
    assert [a.action_space.sample() for _ in range(20)] == [
        b.action_space.sample() for _ in range(20)
    ]


def test_seed_everything_seeds_torch():
    seed_everything(7)
    x = torch.rand(3)
    seed_everything(7)
    assert torch.equal(x, torch.rand(3))


def test_bad_render_mode_is_a_clear_error():
    with pytest.raises(ValueError, match="render_mode must be"):
        make_env("CartPole-v1", render_mode="human")
