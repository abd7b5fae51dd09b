"""What the algorithm modules are built from: the check every config
runs, the environments and networks that chapter 4's A2C and chapter
6's PPO start from, and chapter 7's off-policy interaction loop."""

from __future__ import annotations

import numpy as np

from actorcritic.envs import (
    EnvBatch,
    check_spaces,
    make_vector_env,
    seed_everything,
)
from actorcritic.networks import (
    CategoricalPolicy,
    ValueNetwork,
    orthogonal_init,
)
from actorcritic.runs import Logger


def check_config(config) -> None:
    """Reject values that cannot train, naming the field. Each check
    applies to the fields the config has."""

    def fields(*names):
        for name in names:
            value = getattr(config, name, None)
            if value is not None:
                yield name, value

    for name, value in fields(
        "total_steps",
        "eval_every",
        "eval_episodes",
        "actor_lr",
        "critic_lr",
        "lr",
        "reward_scale",
        "max_grad_norm",
    ):
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    for name, value in fields(
        "n_envs", "n_steps", "episodes_per_batch", "log_every"
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    for name, value in fields("entropy_coef", "value_coef"):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if not 0.0 <= config.gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {config.gamma}")
    for name, value in fields("n_epochs", "minibatch_size"):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    for name, value in fields("clip"):
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    for name, value in fields("gae_lambda"):
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"{name} must be in [0, 1], got {value}")
    for name, value in fields("lr_end"):
        if not 0.0 <= value <= config.lr:
            raise ValueError(
                f"{name} must be in [0, lr], got {value} (lr={config.lr})"
            )
    for name, value in fields(
        "batch_size",
        "buffer_size",
        "gradient_steps",
        "policy_delay",
        "n_critics",
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    for name, value in fields(
        "learning_starts",
        "exploration_noise",
        "target_noise",
        "noise_clip",
        "alpha",
        "bias_episodes",
    ):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    for name, value in fields("tau"):
        if not 0.0 < value <= 1.0:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    for name, value in fields("vectorization"):
        if value not in ("sync", "async"):
            raise ValueError(
                f"{name} must be 'sync' or 'async', got {value!r}"
            )


def vector_actor_critic(algorithm: str, config, seed: int):
    """What chapter 4's A2C and chapter 6's PPO start from: the global
    generators seeded, ``config.n_envs`` copies of ``config.env_id`` in a
    vector env, checked for discrete actions, and a categorical actor and
    a critic of widths ``config.hidden`` (with Baselines' orthogonal
    initialisation if ``config.orthogonal_init``).

    Returns:
        ``(envs, actor, critic)``; the caller closes ``envs``.
    """
    seed_everything(seed)
    envs = make_vector_env(
        config.env_id,
        config.n_envs,
        seed=seed * config.n_envs,
        mode=config.vectorization,
    )
    check_spaces(
        algorithm,
        config.env_id,
        envs.single_observation_space,
        envs.single_action_space,
        "discrete",
    )
    obs_dim = envs.single_observation_space.shape[0]
    actor = CategoricalPolicy(
        obs_dim, envs.single_action_space.n, config.hidden
    )
    critic = ValueNetwork(obs_dim, config.hidden)
    if config.orthogonal_init:
        orthogonal_init(actor, output_gain=0.01)  # near-uniform policy
        orthogonal_init(critic, output_gain=1.0)
    return envs, actor, critic


def continuous_env(algorithm: str, config, seed: int) -> EnvBatch:
    """What chapter 7's off-policy algorithms start from: the global
    generators seeded and one copy of ``config.env_id``, checked for a box
    of continuous actions (its action space seeded with ``seed``)."""
    seed_everything(seed)
    env = EnvBatch(config.env_id, 1, seed=seed)
    check_spaces(
        algorithm,
        config.env_id,
        env.observation_space,
        env.action_space,
        "continuous",
    )
    return env


def off_policy_loop(config, env: EnvBatch, actor, buffer, update, tracker):
    """Chapter 7's interaction loop, the same for DDPG, TD3 and SAC.

    Each environment step: act (uniformly at random for the first
    ``config.learning_starts`` steps, then ``actor.act_batch(obs,
    greedy=False)``), store the transition in ``buffer``, and once more
    than ``learning_starts`` transitions are stored, call
    ``update(batch)`` ``config.gradient_steps`` times on batches of
    ``config.batch_size``; the diagnostics it returns go to the log.
    With ``config.bootstrap_truncated`` False a truncated transition is
    stored as terminal (the classic mistake, for chapter 7's question).

    Returns the training steps taken.
    """
    logger = Logger(tracker.history, config.log_every)
    space = env.action_space
    step = 0
    while step < config.total_steps:
        obs = env.obs  # (1, obs_dim)
        if step < config.learning_starts:
            action = space.sample()[None].astype(np.float32)  # (1, act_dim)
        else:
            action = actor.act_batch(obs, greedy=False)  # (1, act_dim)
        out = env.step(action)
        terminated = out.terminated
        if not config.bootstrap_truncated:
            terminated = terminated | out.truncated
        buffer.add(
            obs, action, out.reward, terminated, out.truncated, out.next_obs
        )
        step += 1
        for _, episode_return in out.finished:
            tracker.end_episode(step, episode_return)
        if step > config.learning_starts:
            for _ in range(config.gradient_steps):
                logger.add(step, **update(buffer.sample(config.batch_size)))
        if tracker.maybe_evaluate(step):
            break
    logger.flush(step)
    return step
