"""What the algorithm modules are built from: the check every config
runs, and the environments and networks that chapter 4's A2C and chapter
6's PPO start from."""

from __future__ import annotations

from actorcritic.envs import check_spaces, make_vector_env, seed_everything
from actorcritic.networks import (
    CategoricalPolicy,
    ValueNetwork,
    orthogonal_init,
)


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
