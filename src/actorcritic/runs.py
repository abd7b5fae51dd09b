"""What every training run shares: its :class:`History`, the
:class:`Trained` result, the :class:`Tracker` that evaluates the greedy
policy periodically, keeps the best actor and stops early, the
:class:`Logger` of diagnostics. Several runs at once:
:mod:`actorcritic.seeds`.

Nothing here prints; the notebooks plot and print from a history.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from actorcritic.evaluation import play
from actorcritic.networks import (
    CategoricalPolicy,
    GaussianPolicy,
    ValueNetwork,
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
        train_seconds: seconds of training: from the first step to the
            last, periodic evaluations excluded.
        gradients: how the gradient steps were computed: ``"autograd"``,
            or ``"by hand"``: A2C and PPO given the package's own loss
            (:mod:`actorcritic.fast`), SAC and TD3 unless told
            ``autograd=True`` (:mod:`actorcritic.fast_off_policy`).
        eval_probes: named measurements taken at each periodic
            evaluation (chapter 7's critic estimates and the returns they
            predict), one entry per ``eval_steps``; empty if none.
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
    eval_probes: dict[str, list[float]] = field(default_factory=dict)

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
    greedy evaluation, best-actor snapshot, early stop.

    ``probe``, if given, is called after each periodic evaluation (its
    time excluded from training's, like the evaluation's) and returns
    named numbers for ``History.eval_probes``."""

    def __init__(
        self,
        config,
        actor: nn.Module,
        seed: int,
        probe: Callable[[], dict[str, float]] | None = None,
    ) -> None:
        self.config = config
        self.actor = actor
        self.probe = probe
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
        if self.probe is not None:
            for name, value in self.probe().items():
                self.history.eval_probes.setdefault(name, []).append(value)
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
