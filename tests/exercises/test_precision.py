"""Correct answers in every style and precision pass every checker.

The checkers compare with the reference computed in float64, within a
tolerance that allows float32's rounding of the terms an output
accumulates (``comparing.ROUNDING``). So a correct answer must pass
whether it loops in float32, loops over Python floats, computes in
float64 and converts the result, or uses a stable vectorised form; and
whatever the reference's own float32 rounding is. One table, every
function checker: a float64 version of each reference (inputs converted
with ``.double()``, which keeps their graph, and the result with
``.float()``), and for the four exercises that accumulate long sums,
the styles a student writes.
"""

from __future__ import annotations

import pytest
import torch

from actorcritic import losses, off_policy, returns
from actorcritic.exercises import (
    check_a2c_loss,
    check_a2c_losses,
    check_entropy_loss,
    check_gae,
    check_n_step_returns,
    check_one_step_losses,
    check_ppo_loss,
    check_q_values,
    check_reinforce_loss,
    check_reward_to_go,
    check_soft_q_target,
    check_squashed_log_prob,
    check_td_error,
)
from actorcritic.exercises.episodic_pg import reference_q_values
from actorcritic.exercises.one_step_actor_critic import reference_td_error
from actorcritic.exercises.reinforce import reference_reward_to_go
from tests.exercises import exercise, run

# --- the styles --------------------------------------------------------------


def in_float64(fn):
    """``fn`` computed in float64: float inputs converted (their graph
    kept), every tensor output converted back to float32."""

    def call(**inputs):
        wide = {
            k: v.double()
            if torch.is_tensor(v) and v.is_floating_point()
            else v
            for k, v in inputs.items()
        }
        out = fn(**wide)
        if isinstance(out, tuple):
            return tuple(o.float() for o in out)
        return out.float()

    return call


def rtg_float32_loop(reward, gamma):
    out, following = torch.zeros_like(reward), torch.zeros(())
    for t in reversed(range(len(reward))):
        following = reward[t] + gamma * following
        out[t] = following
    return out


def rtg_python_floats(reward, gamma):
    values, following = [], 0.0
    for r in reversed(reward.tolist()):
        following = r + gamma * following
        values.append(following)
    return torch.tensor(values[::-1], dtype=torch.float32)


def rtg_double_loop(reward, gamma):
    return rtg_float32_loop(reward.double(), gamma).float()


def rtg_matrix(reward, gamma):
    """G = D r with D[t, k] = gamma^(k - t) for k >= t: stable, no
    division by gamma^t."""
    T = len(reward)
    k = torch.arange(T)
    power = (k[None, :] - k[:, None]).clamp(min=0).float()
    D = torch.where(k[None, :] >= k[:, None], gamma**power, 0.0)
    return D @ reward


def q_loop(reward, gamma, episode_end, dtype=torch.float32):
    end = episode_end.to(dtype)
    out, following = torch.zeros_like(reward, dtype=dtype), torch.zeros(())
    for t in reversed(range(len(reward))):
        following = reward[t].to(dtype) + gamma * (1 - end[t]) * following
        out[t] = following
    return out.float()


def q_python_floats(reward, gamma, episode_end):
    values, following = [], 0.0
    ends = episode_end.float().tolist()
    for r, end in zip(reversed(reward.tolist()), reversed(ends), strict=True):
        following = r + gamma * (1.0 - end) * following
        values.append(following)
    return torch.tensor(values[::-1], dtype=torch.float32)


def q_double(reward, gamma, episode_end):
    return q_loop(reward, gamma, episode_end, dtype=torch.float64)


def q_per_episode(reward, gamma, episode_end):
    """Split at the ends, reward-to-go of each episode by the matrix form."""
    ends = torch.nonzero(episode_end.float()).flatten().tolist()
    pieces, start = [], 0
    for end in ends:
        pieces.append(rtg_matrix(reward[start : end + 1], gamma))
        start = end + 1
    return torch.cat(pieces)


def n_step_loop(reward, next_value, terminated, truncated, gamma, dtype=None):
    dtype = dtype or reward.dtype
    T, N = reward.shape
    out = torch.zeros(T, N, dtype=dtype)
    following = next_value[-1].to(dtype)
    for t in reversed(range(T)):
        cut = t == T - 1
        boot = next_value[t].to(dtype)
        alive = 1 - terminated[t].to(dtype)
        ended = torch.clamp(terminated[t] + truncated[t], max=1).to(dtype)
        carry = boot if cut else ended * boot + (1 - ended) * following
        following = reward[t].to(dtype) + gamma * alive * carry
        out[t] = following
    return out.to(reward.dtype)


def gae_loop(
    reward, value, next_value, terminated, truncated, gamma, lam, dtype=None
):
    dtype = dtype or reward.dtype
    T, N = reward.shape
    out, following = (
        torch.zeros(T, N, dtype=dtype),
        torch.zeros(N, dtype=dtype),
    )
    for t in reversed(range(T)):
        alive = 1 - terminated[t].to(dtype)
        delta = (
            reward[t].to(dtype)
            + gamma * alive * next_value[t].to(dtype)
            - value[t].to(dtype)
        )
        ended = torch.clamp(terminated[t] + truncated[t], max=1).to(dtype)
        following = delta + gamma * lam * (1 - ended) * following
        out[t] = following
    return out.to(reward.dtype)


def double(fn):
    def call(**inputs):
        return fn(**inputs, dtype=torch.float64)

    return call


# --- the table ---------------------------------------------------------------

STYLES = {
    check_reward_to_go: {
        "float32-loop": rtg_float32_loop,
        "python-floats": rtg_python_floats,
        "float64-loop": rtg_double_loop,
        "matrix": rtg_matrix,
        "reference-in-float64": in_float64(reference_reward_to_go),
    },
    check_q_values: {
        "float32-loop": q_loop,
        "python-floats": q_python_floats,
        "float64-loop": q_double,
        "per-episode-matrix": q_per_episode,
        "reference-in-float64": in_float64(reference_q_values),
    },
    check_n_step_returns: {
        "float32-loop": n_step_loop,
        "float64-loop": double(n_step_loop),
        "reference-in-float64": in_float64(returns.n_step_returns),
    },
    check_gae: {
        "float32-loop": gae_loop,
        "float64-loop": double(gae_loop),
        "reference-in-float64": in_float64(returns.gae),
    },
    check_td_error: {"reference-in-float64": in_float64(reference_td_error)},
    check_reinforce_loss: {
        "reference-in-float64": in_float64(losses.policy_gradient_loss)
    },
    check_one_step_losses: {
        "reference-in-float64": in_float64(losses.one_step_losses)
    },
    check_a2c_losses: {"reference-in-float64": in_float64(losses.a2c_losses)},
    check_a2c_loss: {"reference-in-float64": in_float64(losses.a2c_loss)},
    check_entropy_loss: {
        "reference-in-float64": in_float64(losses.entropy_loss)
    },
    check_ppo_loss: {"reference-in-float64": in_float64(losses.ppo_loss)},
    check_soft_q_target: {
        "reference-in-float64": in_float64(off_policy.soft_q_target)
    },
    check_squashed_log_prob: {
        "reference-in-float64": in_float64(
            off_policy.squashed_gaussian_log_prob
        )
    },
}


@pytest.mark.parametrize(
    "checker, fn",
    [
        pytest.param(checker, fn, id=f"{exercise(checker)}-{style}")
        for checker, styles in STYLES.items()
        for style, fn in styles.items()
    ],
)
def test_every_correct_style_and_precision_passes(checker, fn):
    returned, message = run(checker, fn)
    assert returned is fn, message
    assert "cases pass" in message


def test_a_float64_result_is_named():
    """The statements say float32: a float64 result is refused, with the
    way out."""
    returned, message = run(
        check_reward_to_go,
        lambda reward, gamma: rtg_double_loop(reward, gamma).double(),
    )
    assert returned is reference_reward_to_go
    assert "expected dtype torch.float32" in message
    assert "torch.float64" in message and ".float()" in message
