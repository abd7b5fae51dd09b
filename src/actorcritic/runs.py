"""What every training run shares: its :class:`History`, the
:class:`Trained` result, the :class:`Tracker` that evaluates the greedy
policy periodically, keeps the best actor and stops early, the
:class:`Logger` of diagnostics, the config check, :func:`train_seeds`
(several seeds at once, in processes or on any process-based executor)
and :func:`train_until_solved`, which restarts a run with fresh seeds.

Nothing here prints; the notebooks plot and print from a history.
"""

from __future__ import annotations

import concurrent.futures
import copy
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from actorcritic.envs import check_spaces, make_vector_env, seed_everything
from actorcritic.evaluation import play
from actorcritic.networks import (
    CategoricalPolicy,
    GaussianPolicy,
    ValueNetwork,
    orthogonal_init,
)


@dataclass
class History:
    """What happened during training, one entry per finished episode.

    Attributes:
        env_steps: cumulative environment steps when each episode ended.
        episode_return: undiscounted return of each training episode.
        wall_time: seconds of training (periodic evaluations excluded)
            when each episode ended.
        eval_steps: training steps (environment steps of training, the
            x-axis of every curve) at each periodic evaluation.
        eval_return: mean greedy return of each periodic evaluation.
        eval_cost: environment steps that each periodic evaluation played
            itself; they are not counted in ``env_steps`` or
            ``eval_steps``.
        log_steps: environment steps at which ``logs`` were recorded.
        logs: named diagnostics (losses, entropy, ...), each averaged over
            the updates since the previous entry; empty for algorithms that
            log nothing.
        train_seconds: seconds the whole run took, periodic evaluations
            excluded.
        gradients: how the gradient steps were computed: ``"autograd"``,
            or ``"by hand"`` when a training function given the package's
            own loss took its steps through :mod:`actorcritic.fast`.
    """

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)
    wall_time: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_return: list[float] = field(default_factory=list)
    eval_cost: list[int] = field(default_factory=list)
    log_steps: list[int] = field(default_factory=list)
    logs: dict[str, list[float]] = field(default_factory=dict)
    train_seconds: float = 0.0
    gradients: str = "autograd"

    @property
    def best_eval_return(self) -> float:
        return max(self.eval_return, default=float("-inf"))

    @property
    def evaluation_steps(self) -> int:
        """Environment steps spent in periodic evaluations, in all."""
        return sum(self.eval_cost)


@dataclass
class Trained:
    """A trained actor, its critic (if any) and the training history."""

    actor: CategoricalPolicy | GaussianPolicy
    critic: ValueNetwork | None
    history: History


class Logger:
    """Averages scalar diagnostics over ``every`` environment steps and
    appends them to a :class:`History`."""

    def __init__(self, history: History, every: int) -> None:
        self.history, self.every = history, every
        self.sums: dict[str, float] = {}
        self.count = 0
        self.next_log = every

    def add(self, step: int, **values: torch.Tensor | float) -> None:
        for name, value in values.items():
            if isinstance(value, torch.Tensor):
                value = value.detach()
            self.sums[name] = self.sums.get(name, 0.0) + float(value)
        self.count += 1
        if step >= self.next_log:
            self.flush(step)

    def flush(self, step: int) -> None:
        """Record what was added since the last entry, if anything."""
        if self.count == 0:
            return
        self.history.log_steps.append(step)
        for name, total in self.sums.items():
            self.history.logs.setdefault(name, []).append(total / self.count)
        self.sums, self.count = {}, 0
        self.next_log = (step // self.every + 1) * self.every


class Tracker:
    """Bookkeeping shared by the training functions: history, periodic
    greedy evaluation, best-actor snapshot, early stop."""

    def __init__(self, config, actor: nn.Module, seed: int) -> None:
        self.config = config
        self.actor = actor
        self.eval_seed = 1_000_000 + 1_000 * seed  # disjoint from training
        self.next_eval = config.eval_every
        self.history = History()
        self.best_state = None
        self.stopped = False
        self.start = time.perf_counter()
        self.eval_seconds = 0.0  # excluded from History.wall_time

    def end_episode(self, step: int, episode_return: float) -> None:
        self.history.env_steps.append(step)
        self.history.episode_return.append(episode_return)
        self.history.wall_time.append(
            time.perf_counter() - self.start - self.eval_seconds
        )

    def maybe_evaluate(self, step: int) -> bool:
        """Evaluate once ``step`` reaches the next multiple of ``eval_every``
        (and at the end); True means stop training."""
        if step < self.next_eval and step < self.config.total_steps:
            return False
        self.next_eval = (step // self.config.eval_every + 1) * (
            self.config.eval_every
        )
        started = time.perf_counter()
        episodes = play(
            self.actor,
            self.config.env_id,
            self.config.eval_episodes,
            seed=self.eval_seed,
        )
        mean = float(np.mean(episodes.returns))
        if mean >= self.history.best_eval_return:
            self.best_state = copy.deepcopy(self.actor.state_dict())
        self.history.eval_steps.append(step)
        self.history.eval_return.append(mean)
        self.history.eval_cost.append(int(episodes.lengths.sum()))
        self.eval_seconds += time.perf_counter() - started
        target = self.config.stop_at_return
        self.stopped = target is not None and mean >= target
        return self.stopped

    def final_actor(self) -> nn.Module:
        """The actor to return (the best evaluated one with keep_best);
        also records the run's training time."""
        self.history.train_seconds = (
            time.perf_counter() - self.start - self.eval_seconds
        )
        if self.config.keep_best and self.best_state is not None:
            self.actor.load_state_dict(self.best_state)
        return self.actor


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


def train_until_solved(
    train: Callable[..., Trained], config, seeds: Sequence[int]
) -> tuple[Trained, list[Trained]]:
    """Train with one seed after another until a run *solves* the task:
    one of its periodic evaluations reaches ``config.stop_at_return``
    (which then stops that run).

    A restart with a fresh seed is the cheapest remedy for a method that
    fails on some seeds: each run is independent, so the chance that all
    of ``k`` runs fail is that of one run to the power ``k``.

    Args:
        train: the training function, ``train(config, seed) -> Trained``.
        config: a config with ``stop_at_return`` set (and ``keep_best``,
            so that each run returns its best evaluated actor).
        seeds: the seeds to try, in order.

    Returns:
        ``(chosen, attempts)``: the first run that solved the task, or the
        run with the best evaluation if none did; and every run, in order.
    """
    if config.stop_at_return is None:
        raise ValueError("train_until_solved needs config.stop_at_return")
    if not seeds:
        raise ValueError("train_until_solved needs at least one seed")
    attempts = []
    for seed in seeds:
        attempts.append(train(config, seed))
        if attempts[-1].history.best_eval_return >= config.stop_at_return:
            return attempts[-1], attempts
    best = max(attempts, key=lambda t: t.history.best_eval_return)
    return best, attempts


def _train_one(train: Callable[..., Trained], config, seed: int) -> Trained:
    """One run in a worker process, on one thread as the chapters train."""
    torch.set_num_threads(1)
    return train(config, seed)


def train_seeds(
    train: Callable[..., Trained],
    config,
    seeds: Sequence[int],
    processes: int = 1,
    executor: concurrent.futures.Executor | None = None,
) -> list[Trained]:
    """``[train(config, seed) for seed in seeds]``, with up to
    ``processes`` runs at a time in separate processes, or on ``executor``.

    Each run seeds itself, so the results are the runs one after another
    would give (tests compare them): only the wall-clock time changes.
    ``train`` must be importable (a function of the package, not one
    defined in a notebook): the workers start fresh interpreters
    (``spawn``), which a notebook kernel survives where ``fork`` can
    deadlock with PyTorch's threads.

    ``executor``: any :class:`concurrent.futures.Executor` running each
    call in a process busy with nothing else (a ``ProcessPoolExecutor``,
    a Dask ``Client(...).get_executor()`` with one thread per worker); it
    gets ``train`` and ``config`` pickled, ``processes`` must be 1, and the
    caller shuts it down. Not threads: a run seeds, then draws from, the
    global generators of its process (``envs.seed_everything``), shared
    by threads; PPO, REINFORCE and parallel A2C in threads gave other runs.
    """
    if processes < 1 or (executor is not None and processes != 1):
        raise ValueError(
            "processes must be at least 1, and 1 with an executor (which "
            f"decides how many runs go at a time), got {processes}"
        )
    if isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        raise TypeError(
            "executor must run calls in processes, got a ThreadPoolExecutor"
        )
    if executor is None and (processes == 1 or len(seeds) < 2):
        return [train(config, seed) for seed in seeds]
    if executor is None:
        context = multiprocessing.get_context("spawn")
        with concurrent.futures.ProcessPoolExecutor(
            max_workers=min(processes, len(seeds)), mp_context=context
        ) as pool:
            return train_seeds(train, config, seeds, executor=pool)
    futures = [executor.submit(_train_one, train, config, s) for s in seeds]
    try:
        return [future.result() for future in futures]
    finally:  # after a failure, the runs not started yet never start
        for future in futures:
            future.cancel()


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
