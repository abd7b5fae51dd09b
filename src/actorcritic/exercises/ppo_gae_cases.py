"""Chapter 6's cases of ``gae``, named and drawn at random, for
:func:`actorcritic.exercises.ppo.check_gae`: gamma and lambda at their
extremes, terminations and truncations (one at a time, together, on the
last row), two envs side by side, a rollout of one step, and random
rollouts up to chapter 6's size."""

from __future__ import annotations

import torch

from actorcritic.exercises.cases import Case, drawn


def _t2(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float32, requires_grad=grad)


def _gae_inputs(reward, value, next_value, terminated, truncated, gamma, lam):
    return lambda: dict(
        reward=_t2(reward),
        value=_t2(value),
        next_value=_t2(next_value),
        terminated=_t2(terminated),
        truncated=_t2(truncated),
        gamma=gamma,
        lam=lam,
    )


_GAE_HINTS = {
    "shape": "return one advantage per step and env: shape (T, N).",
    "value": "delta_t = r_t + gamma * (1 - terminated_t) * V(s'_t) - V(s_t); "
    "then backwards A_t = delta_t + gamma * lam * (1 - end_t) * A_{t+1}, "
    "with end_t = 1 if the episode ended at t (terminated or truncated) "
    "and A = 0 after the last row.",
}


# one env, three steps, rewards 1, 2, 3, values 1 and next values that
# chain (V(s'_t) = V(s_{t+1})) unless an episode ended
_ONE_ENV = dict(
    reward=[[1.0], [2.0], [3.0]],
    value=[[1.0], [2.0], [3.0]],
    next_value=[[2.0], [3.0], [4.0]],
)


_NO_END = [[0.0], [0.0], [0.0]]


GAE_CASES = [
    Case(
        "lambda = 0: the advantages are the TD errors",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.5,
            lam=0.0,
        ),
        {
            **_GAE_HINTS,
            "value": "with lam = 0 nothing flows back: A_t = delta_t = "
            "r_t + gamma * V(s'_t) - V(s_t).",
        },
    ),
    Case(
        "gamma = 0: the advantages are r_t - V(s_t)",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.0,
            lam=0.95,
        ),
        {
            **_GAE_HINTS,
            "value": "with gamma = 0 neither V(s') nor the trace counts: "
            "A_t = r_t - V(s_t).",
        },
    ),
    Case(
        "lambda = 1: the n-step return minus V(s_t)",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.5,
            lam=1.0,
        ),
        _GAE_HINTS,
    ),
    Case(
        "a termination at t = 1: no bootstrap, and the trace stops",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [50.0], [4.0]]},
            terminated=[[0.0], [1.0], [0.0]],
            truncated=_NO_END,
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "where terminated_t is 1, V(s'_t) counts as 0 in "
            "delta_t, and A_{t+1} (a new episode) must not flow into A_t.",
        },
    ),
    Case(
        "a truncation at t = 0: delta bootstraps from V(final obs), and "
        "the trace stops",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[6.0], [3.0], [4.0]]},
            terminated=_NO_END,
            truncated=[[1.0], [0.0], [0.0]],
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "a truncated step still bootstraps delta_t from "
            "V(s'_t), its final observation; only the trace stops, as the "
            "next row is another episode.",
        },
    ),
    Case(
        "terminated and truncated at once (t = 1): the termination wins",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [50.0], [4.0]]},
            terminated=[[0.0], [1.0], [0.0]],
            truncated=[[0.0], [1.0], [0.0]],
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: multiply V(s'_t) by (1 - terminated_t) "
            "whatever truncated_t says.",
        },
    ),
    Case(
        "a termination on the last row: no bootstrap from the cut",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [3.0], [40.0]]},
            terminated=[[0.0], [0.0], [1.0]],
            truncated=_NO_END,
            gamma=0.5,
            lam=0.5,
        ),
        _GAE_HINTS,
    ),
    Case(
        "two envs side by side (T = 2, N = 2), gamma = 0.9, lambda = 0.8",
        _gae_inputs(
            reward=[[1.0, 0.0], [1.0, 2.0]],
            value=[[0.5, 1.0], [1.5, -1.0]],
            next_value=[[1.5, 9.0], [5.0, 7.0]],
            terminated=[[0.0, 1.0], [0.0, 0.0]],
            truncated=[[0.0, 0.0], [1.0, 0.0]],
            gamma=0.9,
            lam=0.8,
        ),
        {
            **_GAE_HINTS,
            "value": "treat each column (env) separately; time runs down "
            "the rows. Use the gamma and lam arguments.",
        },
    ),
    Case(
        "a rollout of one step (T = 1): one TD error",
        _gae_inputs(
            reward=[[1.0, -1.0]],
            value=[[0.5, 2.0]],
            next_value=[[2.0, 1.0]],
            terminated=[[0.0, 1.0]],
            truncated=[[0.0, 0.0]],
            gamma=0.9,
            lam=0.95,
        ),
        _GAE_HINTS,
    ),
]


def _random_rollout(T: int, N: int, gamma: float, lam: float):
    """A ``(T, N)`` rollout: rewards and values at random, next values
    that chain within an episode, about one step in fifty terminated and
    one in a hundred truncated (some both at once)."""

    def build(gen):
        value = 10 * torch.randn(T + 1, N, generator=gen)  # V(s_0..s_T)
        terminated = (torch.rand(T, N, generator=gen) < 0.02).float()
        truncated = (torch.rand(T, N, generator=gen) < 0.01).float()
        next_value = value[1:].clone()
        ended = (terminated + truncated) > 0
        next_value[ended] = 10 * torch.randn(int(ended.sum()), generator=gen)
        return dict(
            reward=torch.randn(T, N, generator=gen),
            value=value[:-1],
            next_value=next_value,
            terminated=terminated,
            truncated=truncated,
            gamma=gamma,
            lam=lam,
        )

    return build


# chapter 6's rollouts (1024 x 16), and two smaller ones
GAE_CASES += [
    drawn(
        f"a ({T}, {N}) rollout with random flags, gamma = {gamma}, "
        f"lambda = {lam}",
        seed,
        _random_rollout(T, N, gamma, lam),
        _GAE_HINTS,
    )
    for seed, (T, N, gamma, lam) in enumerate(
        [(1024, 16, 0.999, 0.98), (128, 8, 0.99, 0.95), (16, 4, 0.9, 0.5)]
    )
]
