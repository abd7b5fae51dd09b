import dataclasses
import os

import gymnasium as gym
import numpy as np
import pytest
import torch

import actorcritic  # noqa: F401  (sets SDL_VIDEODRIVER)
from actorcritic.algorithms.a2c import fit_critic_td
from actorcritic.envs import (
    EnvBatch,
    check_spaces,
    make_env,
    seed_everything,
)
from tests.algorithms.quick import QUICK


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


# --- EnvBatch ----------------------------------------------------------------


def test_env_batch_hands_back_the_final_observation():
    """After a truncation, step() returns the final observation (to
    bootstrap from) while .obs already holds the next episode's start."""
    batch = EnvBatch("Pendulum-v1", 2, seed=5, max_episode_steps=3)
    single = make_env("Pendulum-v1", max_episode_steps=3)
    single.reset(seed=5)
    actions = np.array([[0.5], [-1.0]], dtype=np.float32)
    for _ in range(3):
        before = batch.obs
        out = batch.step(actions)
        expected, *_ = single.step(actions[0])
        np.testing.assert_allclose(out.next_obs[0], expected)
        assert before is not batch.obs  # never written in place
    assert out.truncated.tolist() == [True, True]
    assert out.terminated.tolist() == [False, False]
    assert [i for i, _ in out.finished] == [0, 1]
    restarted, _ = make_env("Pendulum-v1").reset(seed=5)
    # the new episode does not restart from the first seed's state
    assert not np.allclose(batch.obs[0], out.next_obs[0])
    assert not np.allclose(batch.obs[0], restarted)


def test_env_batch_episode_returns_add_up():
    batch = EnvBatch("CartPole-v1", 3, seed=0)
    total, finished = 0.0, []
    for _ in range(200):
        out = batch.step(np.zeros(3, dtype=int))  # always push left
        total += out.reward.sum()
        finished += out.finished
    assert len(finished) >= 3
    assert all(r == int(r) and r < 20 for _, r in finished)


def test_env_batch_errors():
    with pytest.raises(ValueError, match="at least 1"):
        EnvBatch("CartPole-v1", 0, seed=0)
    with pytest.raises(ValueError, match="expected 2 actions"):
        EnvBatch("CartPole-v1", 2, seed=0).step(np.zeros(3, dtype=int))


def test_make_vector_env_pins_same_step_autoreset():
    from actorcritic.envs import AUTORESET_MODE, make_vector_env

    envs = make_vector_env("CartPole-v1", 2, seed=0)
    assert envs.metadata["autoreset_mode"] == AUTORESET_MODE
    obs, _ = envs.reset(seed=0)
    for _ in range(100):  # always pushing left ends episodes quickly
        obs, _, terminated, truncated, info = envs.step(np.zeros(2, int))
        if terminated.any():
            break
    i = int(np.flatnonzero(terminated)[0])
    assert info["_final_obs"][i]  # the final observation is kept ...
    assert not np.allclose(info["final_obs"][i], obs[i])  # ... obs is new
    envs.close()
    with pytest.raises(ValueError, match="mode must be one of"):
        make_vector_env("CartPole-v1", 2, seed=0, mode="threads")


@pytest.mark.parametrize("mode, n", [("single", 1), ("sync", 2), ("async", 2)])
def test_env_steps_per_second_counts_every_copy(mode, n):
    from actorcritic.envs import env_steps_per_second

    assert env_steps_per_second("CartPole-v1", mode, n, n_steps=50) > 0
    with pytest.raises(ValueError, match="n_envs=1"):
        env_steps_per_second("CartPole-v1", "single", 2)


# an algorithm given a task its networks cannot act in fails at once,
# naming the space it got and the one it needs
WRONG_SPACES = {
    name: (train, dataclasses.replace(config, env_id=env_id), needles)
    for name, (train, config), env_id, needles in [
        (
            "one_step_actor_critic",
            QUICK["one_step_actor_critic"],
            "Pendulum-v1",
            ("train_one_step_actor_critic needs a discrete", "Box(-2.0"),
        ),
        (
            "reinforce",
            QUICK["reinforce"],
            "Pendulum-v1",
            ("train_reinforce needs a discrete", "Box(-2.0"),
        ),
        (
            "parallel_a2c",
            QUICK["parallel_a2c"],
            "Pendulum-v1",
            ("train_parallel_a2c needs a discrete", "train_a2c"),
        ),
        (
            "episodic_pg",
            QUICK["episodic_pg"],
            "Pendulum-v1",
            ("train_episodic_pg needs a discrete", "Pendulum-v1 has Box"),
        ),
        (
            "ppo",
            QUICK["ppo"],
            "Pendulum-v1",
            ("train_ppo needs a discrete", "train_a2c"),
        ),
        (
            "a2c",
            QUICK["a2c"],
            "CartPole-v1",
            ("train_a2c needs a continuous", "CartPole-v1 has Discrete(2)"),
        ),
        (
            "sac",
            QUICK["sac"],
            "CartPole-v1",
            ("train_sac needs a continuous", "chapters 4 to 6"),
        ),
        (
            "td3",
            QUICK["td3"],
            "CartPole-v1",
            ("train_td3 needs a continuous", "train_ppo"),
        ),
        (
            "fit_critic_td",
            (
                lambda config, seed: fit_critic_td(None, config, seed),
                QUICK["a2c"][1],
            ),
            "CartPole-v1",
            ("fit_critic_td needs a continuous", "Discrete(2)"),
        ),
    ]
}


@pytest.mark.parametrize(
    "train, config, needles",
    list(WRONG_SPACES.values()),
    ids=list(WRONG_SPACES),
)
def test_algorithm_rejects_a_space_it_cannot_handle(train, config, needles):
    with pytest.raises(ValueError) as error:
        train(config, seed=0)
    for needle in needles:
        assert needle in str(error.value)


def test_observations_must_be_flat_vectors():
    image = gym.spaces.Box(0, 255, (96, 96, 3), np.uint8)
    with pytest.raises(ValueError, match="flat vectors .* has Box"):
        check_spaces(
            "train_reinforce",
            "CarRacing-v3",
            image,
            gym.spaces.Discrete(5),
            "discrete",
        )
