"""Exercise checkers: run a reader's function on named cases.

A checker never raises. It reports one of three outcomes and returns the
function the rest of the chapter should use:

- the reader's function raises ``NotImplementedError``: "not implemented
  yet", and the reference implementation is returned;
- a case fails (wrong value, wrong gradient, or any exception): the report
  names the case, its inputs, what was expected and what came back, and the
  reference is returned;
- every case passes: the reader's own function is returned.

Values *and* gradients are compared with the reference: for every output
and every input that requires grad, ``d output / d input`` must match, which
catches a missing ``detach`` as surely as a wrong sign.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from actorcritic import losses, networks, returns

Report = Callable[[str], None]
_GOES_ON = "   The chapter goes on with the reference implementation."


@dataclass(frozen=True)
class Case:
    """One named test case.

    Attributes:
        name: what the case is about, shown to the reader on failure.
        inputs: builds fresh keyword arguments (new leaf tensors each call).
        hints: extra advice keyed by ``(output_name, input_name)`` for a
            gradient mismatch, or by ``"value"`` for a value mismatch.
    """

    name: str
    inputs: Callable[[], dict[str, Any]]
    hints: dict[Any, str] = field(default_factory=dict)


def check_function(
    candidate: Callable,
    reference: Callable,
    cases: Sequence[Case],
    title: str,
    output_names: Sequence[str] = ("output",),
    report: Report = print,
    atol: float = 1e-5,
) -> Callable:
    """Check ``candidate`` against ``reference`` on ``cases``.

    Returns ``candidate`` if every case passes, else ``reference``.
    """
    for case in cases:
        got_inputs = case.inputs()
        try:
            got = _as_tuple(candidate(**got_inputs), len(output_names))
        except NotImplementedError:
            report(f"⏳ {title}: not implemented yet.\n{_GOES_ON}")
            return reference
        except Exception as exc:  # a reader's bug must not stop the chapter
            report(
                _failure(
                    title, case, f"raised {type(exc).__name__}: {exc}", None
                )
            )
            return reference
        try:
            problem = _compare(
                case, got, got_inputs, reference, output_names, atol
            )
        except Exception as exc:
            problem = (
                f"returned {_fmt(got)}, which cannot be compared "
                f"with the expected output ({exc})",
                None,
            )
        if problem is not None:
            report(_failure(title, case, *problem))
            return reference
    report(
        f"✅ {title}: all {len(cases)} cases pass.\n"
        "   The rest of the chapter uses your function."
    )
    return candidate


def _compare(case, got, got_inputs, reference, output_names, atol):
    """Return ``(message, hint)`` for the first mismatch, or None."""
    ref_inputs = case.inputs()
    expected = _as_tuple(reference(**ref_inputs), len(output_names))
    for name, g, e in zip(output_names, got, expected, strict=True):
        g_t = torch.as_tensor(g.detach() if torch.is_tensor(g) else g)
        if g_t.shape != e.shape:
            return (
                f"{name}: expected shape {tuple(e.shape)}, got "
                f"shape {tuple(g_t.shape)}",
                case.hints.get("shape"),
            )
        if not torch.allclose(g_t.to(e.dtype), e.detach(), atol=atol):
            return (
                f"{name}: expected {_fmt(e)}, got {_fmt(g_t)}",
                case.hints.get("value"),
            )
    grad_inputs = [
        k
        for k, v in got_inputs.items()
        if torch.is_tensor(v) and v.requires_grad
    ]
    for name, g, e in zip(output_names, got, expected, strict=True):
        for key in grad_inputs:
            g_grad = _grad(g, got_inputs[key])
            e_grad = _grad(e, ref_inputs[key])
            if not torch.allclose(g_grad, e_grad, atol=atol):
                return (
                    f"gradient of {name} with respect to {key}: "
                    f"expected {_fmt(e_grad)}, got {_fmt(g_grad)}",
                    case.hints.get((name, key)),
                )
    return None


def _grad(output, leaf: torch.Tensor) -> torch.Tensor:
    if not torch.is_tensor(output) or not output.requires_grad:
        return torch.zeros_like(leaf)
    (grad,) = torch.autograd.grad(
        output.sum(), leaf, retain_graph=True, allow_unused=True
    )
    return torch.zeros_like(leaf) if grad is None else grad


def _as_tuple(value, n: int) -> tuple:
    if n == 1:
        return (value,)
    if not isinstance(value, (tuple, list)) or len(value) != n:
        raise TypeError(
            f"expected a tuple of {n} outputs, got {type(value).__name__}"
        )
    return tuple(value)


def _fmt(value) -> str:
    if torch.is_tensor(value):
        value = value.detach()
        if value.dim() == 0:
            return f"{value.item():.4g}"
        items = ", ".join(f"{v:.4g}" for v in value.flatten().tolist())
        return f"[{items}]"
    return repr(value)


def _failure(title: str, case: Case, message: str, hint: str | None) -> str:
    inputs = ", ".join(f"{k}={_fmt(v)}" for k, v in case.inputs().items())
    lines = [
        f"❌ {title}: case '{case.name}' fails.",
        f"   inputs: {inputs}",
        f"   {message}",
    ]
    if hint:
        lines.append(f"   hint: {hint}")
    wrapped = [
        textwrap.fill(
            line,
            width=72,
            subsequent_indent="     ",
            break_on_hyphens=False,
            break_long_words=False,
        )
        for line in lines
    ]
    return "\n".join([*wrapped, _GOES_ON])


def _t(*values: float, grad: bool = False) -> torch.Tensor:
    """A float32 tensor: a scalar for one value, else ``(T,)``."""
    data = values[0] if len(values) == 1 else list(values)
    return torch.tensor(data, dtype=torch.float32, requires_grad=grad)


# --- Chapter 2: one-step actor-critic ---------------------------------------


def reference_td_error(
    reward, value, next_value, terminated, truncated, gamma
):
    """TD error; ``truncated`` is accepted and, rightly, not used."""
    return returns.td_error(reward, value, next_value, terminated, gamma)


def _td_inputs(reward, value, next_value, terminated, truncated, gamma):
    """Fresh keyword arguments for ``td_error``; sequences become (T,)."""

    def tensor(x):
        return _t(*x) if isinstance(x, tuple) else _t(x)

    return lambda: dict(
        reward=tensor(reward),
        value=tensor(value),
        next_value=tensor(next_value),
        terminated=tensor(terminated),
        truncated=tensor(truncated),
        gamma=gamma,
    )


_TD_CASES = [
    Case("an ordinary step", _td_inputs(1.0, 2.0, 3.0, 0.0, 0.0, 0.9)),
    Case(
        "a terminated step: V(s') must not be used",
        _td_inputs(1.0, 2.0, 3.0, 1.0, 0.0, 0.9),
        {
            "value": "a terminal state is worth 0: multiply gamma * V(s') "
            "by (1 - terminated)."
        },
    ),
    Case(
        "a truncated step: the time limit is not a terminal state, so "
        "bootstrap from V(final obs)",
        _td_inputs(1.0, 2.0, 3.0, 0.0, 1.0, 0.9),
        {
            "value": "only `terminated` stops bootstrapping; a truncated "
            "episode would have gone on."
        },
    ),
    Case(
        "another discount (gamma = 0.5)",
        _td_inputs(0.5, -1.0, 4.0, 0.0, 0.0, 0.5),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "a batch of four steps (T,)",
        _td_inputs(
            reward=(1.0, 0.0, 2.0, 1.0),
            value=(0.5, 1.0, -1.0, 2.0),
            next_value=(1.0, 2.0, 3.0, 4.0),
            terminated=(0.0, 1.0, 0.0, 0.0),
            truncated=(0.0, 0.0, 1.0, 0.0),
            gamma=0.99,
        ),
    ),
]


def check_td_error(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``td_error(reward, value, next_value,
    terminated, truncated, gamma)``."""
    return check_function(
        fn, reference_td_error, _TD_CASES, "td_error", report=report
    )


def _one_step_inputs(terminated: float, discount_weight: float, gamma=0.9):
    return lambda: dict(
        log_prob=_t(-0.7, grad=True),
        value=_t(2.0, grad=True),
        next_value=_t(3.0, grad=True),
        reward=_t(1.0),
        terminated=_t(terminated),
        gamma=gamma,
        discount_weight=discount_weight,
    )


_DETACH_HINTS = {
    ("actor_loss", "value"): "the actor's loss must treat delta as a "
    "constant: use delta.detach() so no gradient reaches the critic.",
    ("actor_loss", "next_value"): "detach delta in the actor's loss.",
    ("critic_loss", "next_value"): "semi-gradient TD: the target "
    "r + gamma V(s') is a constant; detach next_value.",
    ("critic_loss", "value"): "critic_loss = 0.5 * delta**2, whose "
    "gradient with respect to V(s) is -delta.",
    ("actor_loss", "log_prob"): "actor_loss = -I * delta * log_prob: "
    "check the sign and the factor I.",
}

_ONE_STEP_CASES = [
    Case(
        "an ordinary step at t = 0 (I = 1)",
        _one_step_inputs(0.0, 1.0),
        _DETACH_HINTS,
    ),
    Case(
        "a later step (I = gamma^t = 0.729)",
        _one_step_inputs(0.0, 0.729),
        {
            **_DETACH_HINTS,
            "value": "multiply the actor's loss by "
            "discount_weight (the I factor).",
        },
    ),
    Case(
        "a terminated step",
        _one_step_inputs(1.0, 0.5),
        {
            **_DETACH_HINTS,
            "value": "no bootstrap after a terminal "
            "state: multiply gamma * V(s') by (1 - terminated).",
        },
    ),
]


def check_one_step_losses(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``one_step_losses(log_prob, value,
    next_value, reward, terminated, gamma, discount_weight)``."""
    return check_function(
        fn,
        losses.one_step_losses,
        _ONE_STEP_CASES,
        "one_step_losses",
        output_names=("actor_loss", "critic_loss"),
        report=report,
    )


# --- Chapter 1: policy gradients --------------------------------------------


def reference_reward_to_go(reward, gamma):
    """Discounted reward-to-go of one episode (no episode boundaries)."""
    return returns.reward_to_go(reward, gamma)


def _rtg_inputs(*reward: float, gamma: float):
    return lambda: dict(reward=torch.tensor(reward), gamma=gamma)


_RTG_CASES = [
    Case(
        "three rewards of 1, gamma = 0.5: G = [1.75, 1.5, 1]",
        _rtg_inputs(1.0, 1.0, 1.0, gamma=0.5),
        {
            "value": "G_t = r_t + gamma * G_{t+1}: sum the rewards from t "
            "to the end, each discounted by how far it is from t.",
            "shape": "return one G_t per step, shape (T,).",
        },
    ),
    Case(
        "uneven rewards: only rewards at or after t count",
        _rtg_inputs(1.0, 0.0, 2.0, 3.0, gamma=0.9),
        {
            "value": "G_t sums r_t, r_{t+1}, ... (not the rewards before "
            "t): accumulate from the last step backwards.",
        },
    ),
    Case(
        "gamma = 1: plain sums of the rewards to go",
        _rtg_inputs(2.0, -1.0, 0.5, gamma=1.0),
    ),
    Case(
        "another discount (gamma = 0.99)",
        _rtg_inputs(1.0, 1.0, 1.0, 1.0, 1.0, gamma=0.99),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "an episode of one step",
        _rtg_inputs(4.0, gamma=0.9),
    ),
]


def check_reward_to_go(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reward_to_go(reward, gamma)`` on one
    episode's ``(T,)`` rewards."""
    return check_function(
        fn, reference_reward_to_go, _RTG_CASES, "reward_to_go", report=report
    )


def _pg_inputs(log_prob, weight, weight_grad=False):
    return lambda: dict(
        log_prob=_t(*log_prob, grad=True),
        weight=_t(*weight, grad=weight_grad),
    )


_PG_HINTS = {
    "value": "the loss is minus the mean over steps of log_prob * weight.",
    ("output", "log_prob"): "d loss / d log_prob_t = -weight_t / T: check "
    "the sign and that you average (mean), not sum.",
    ("output", "weight"): "the returns are data, not a path for gradients: "
    "use weight.detach().",
}

_PG_CASES = [
    Case(
        "three steps with positive weights",
        _pg_inputs((-0.5, -1.0, -0.2), (3.0, 2.0, 1.0)),
        _PG_HINTS,
    ),
    Case(
        "a negative weight (an action worse than the baseline)",
        _pg_inputs((-0.1, -2.0), (1.5, -4.0)),
        _PG_HINTS,
    ),
    Case(
        "weights that carry a gradient (e.g. G_t - V(s_t) before detach)",
        _pg_inputs((-0.7, -0.3, -1.2, -0.9), (2.0, -1.0, 0.5, 3.0), True),
        _PG_HINTS,
    ),
]


def check_reinforce_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reinforce_loss(log_prob, weight)`` with
    ``(T,)`` inputs, returning a scalar."""
    return check_function(
        fn,
        losses.policy_gradient_loss,
        _PG_CASES,
        "reinforce_loss",
        report=report,
    )


# --- Chapter 3: A2C with entropy on a continuous action ---------------------


def _actor_outputs(actor_cls, obs, low, high, raw_std_shift=0.0):
    """Build ``actor_cls`` with fixed weights and return ``(mean, std)``.

    ``raw_std_shift`` is added to the biases of the std half of the last
    layer, to test what happens when the raw std is very negative.
    """
    torch.manual_seed(0)
    actor = actor_cls(obs.shape[-1], low, high, (8,))
    with torch.no_grad():
        last = actor.net[-1]
        last.bias[len(low) :] += raw_std_shift
    return actor(obs)


def _actor_case(obs, low, high, raw_std_shift=0.0):
    def inputs():
        return dict(
            obs=torch.tensor(obs, dtype=torch.float32, requires_grad=True),
            low=list(low),
            high=list(high),
            raw_std_shift=raw_std_shift,
        )

    return inputs


_ACTOR_HINTS = {
    "shape": "split the network's 2 * act_dim outputs on the last axis: "
    "raw[..., :self.act_dim] and raw[..., self.act_dim:]; mean and std "
    "then both have shape (..., act_dim).",
}

_ACTOR_CASES = [
    Case(
        "one observation (3,), one action in [-2, 2]: outputs of shape (1,)",
        _actor_case([0.6, 0.8, -1.0], [-2.0], [2.0]),
        {
            **_ACTOR_HINTS,
            "value": "mean = center + half * tanh(raw_mean) with "
            "center = (high + low) / 2 and half = (high - low) / 2; "
            "std = softplus(raw_std) + self.min_std.",
        },
    ),
    Case(
        "a batch of four observations (4, 3): outputs of shape (4, 1)",
        _actor_case(
            [
                [1.0, 0.0, 0.5],
                [0.0, 1.0, -2.0],
                [-1.0, 0.0, 8.0],
                [0.7, -0.7, 0.0],
            ],
            [-2.0],
            [2.0],
        ),
        _ACTOR_HINTS,
    ),
    Case(
        "two actions with uneven bounds low = [-1, 0], high = [3, 1]",
        _actor_case(
            [[0.3, -0.4, 2.0], [-0.9, 0.1, -3.0]], [-1.0, 0.0], [3.0, 1.0]
        ),
        {
            **_ACTOR_HINTS,
            "value": "the bounds differ per action: center and half are "
            "vectors, (high + low) / 2 and (high - low) / 2.",
        },
    ),
    Case(
        "huge observations saturate the network: the mean must stay "
        "inside [-2, 2]",
        _actor_case(
            [[500.0, -800.0, 900.0], [-700.0, 600.0, -900.0]], [-2.0], [2.0]
        ),
        {
            "value": "squash the raw mean with tanh before scaling it, so "
            "that no observation can put the mean outside the bounds.",
        },
    ),
    Case(
        "a very negative raw std (-30): std must stay positive, at least "
        "min_std",
        _actor_case([[0.6, 0.8, -1.0]], [-2.0], [2.0], raw_std_shift=-30.0),
        {
            "value": "std = softplus(raw_std) + self.min_std: softplus "
            "alone (or exp) gets so close to 0 that log-probabilities "
            "blow up.",
        },
    ),
]


def _class_checker(
    candidate_cls, reference_cls, run, cases, title, names, report
):
    """Check a reader's network class through ``run(cls, **inputs)``;
    return the class the chapter should use."""

    def candidate(**inputs):
        return run(candidate_cls, **inputs)

    def reference(**inputs):
        return run(reference_cls, **inputs)

    chosen = check_function(
        candidate, reference, cases, title, output_names=names, report=report
    )
    return candidate_cls if chosen is candidate else reference_cls


def check_actor(actor_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyActor.forward``: a subclass of
    :class:`~actorcritic.networks.GaussianPolicy` whose ``forward(obs)``
    returns ``(mean, std)``. Returns the class the chapter should use."""
    return _class_checker(
        actor_cls,
        networks.GaussianPolicy,
        _actor_outputs,
        _ACTOR_CASES,
        "actor forward",
        ("mean", "std"),
        report,
    )


def _critic_outputs(critic_cls, obs):
    torch.manual_seed(0)
    return critic_cls(obs.shape[-1], (8,))(obs)


def _critic_case(shape):
    def inputs():
        torch.manual_seed(1)
        return dict(obs=torch.randn(*shape, 3).requires_grad_())

    return inputs


_CRITIC_SHAPE_HINT = {
    "shape": "V(s) is one number per observation: drop the network's last "
    "axis of size 1 with .squeeze(-1). A (B, 1) value minus (B,) rewards "
    "silently broadcasts to (B, B). Plain .squeeze() also drops a batch "
    "axis of size 1.",
    "value": "return the network's output for obs, without its last axis: "
    "self.net(obs).squeeze(-1).",
}

_CRITIC_CASES = [
    Case(
        "one observation (3,): V is a scalar, shape ()",
        _critic_case(()),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "a batch (16, 3): V has shape (16,)",
        _critic_case((16,)),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "a batch of one (1, 3): V has shape (1,)",
        _critic_case((1,)),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "time-first (5, 2, 3): V has shape (5, 2)",
        _critic_case((5, 2)),
        _CRITIC_SHAPE_HINT,
    ),
]


def check_critic(critic_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyCritic.forward``: a subclass of
    :class:`~actorcritic.networks.ValueNetwork` whose ``forward(obs)``
    maps ``(..., obs_dim)`` to ``(...)``. Returns the class to use."""
    return _class_checker(
        critic_cls,
        networks.ValueNetwork,
        _critic_outputs,
        _CRITIC_CASES,
        "critic forward",
        ("value",),
        report,
    )


def _a2c_inputs(terminated=(0.0, 0.0, 0.0), gamma=0.9, entropy_coef=0.01):
    return lambda: dict(
        log_prob=_t(-0.9, -1.4, -0.3, grad=True),
        entropy=_t(1.1, 1.3, 0.8, grad=True),
        value=_t(-2.0, -0.5, -1.0, grad=True),
        next_value=_t(-1.5, -1.0, -3.0, grad=True),
        reward=_t(-0.4, 0.0, -1.2),
        terminated=_t(*terminated),
        gamma=gamma,
        entropy_coef=entropy_coef,
    )


_A2C_HINTS = {
    ("actor_loss", "value"): "the actor treats the advantage as a fixed "
    "weight: use advantage.detach() in the actor's loss, so that no "
    "gradient reaches the critic through it.",
    ("actor_loss", "next_value"): "detach the advantage in the actor's loss.",
    ("critic_loss", "next_value"): "the TD target r + gamma V(s') is a "
    "constant for the critic: detach next_value.",
    ("critic_loss", "value"): "critic_loss = 0.5 * mean((target - V)**2).",
    ("actor_loss", "log_prob"): "actor_loss = -mean(advantage * log_prob) "
    "- entropy_coef * mean(entropy): check the sign and the mean.",
    ("actor_loss", "entropy"): "the bonus is subtracted from the loss: "
    "- entropy_coef * entropy.mean(), so that minimising the loss "
    "raises the entropy.",
}

_A2C_CASES = [
    Case(
        "three ordinary transitions (B = 3)",
        _a2c_inputs(),
        {
            **_A2C_HINTS,
            "shape": "return two scalars: average over the batch with "
            ".mean().",
            "value": "actor_loss = -mean(advantage.detach() * log_prob) "
            "- entropy_coef * mean(entropy) (subtract the bonus); "
            "critic_loss = 0.5 * mean((target - value)**2).",
        },
    ),
    Case(
        "the second transition is terminal: no bootstrap from its V(s')",
        _a2c_inputs(terminated=(0.0, 1.0, 0.0)),
        {
            **_A2C_HINTS,
            "value": "the target is r + gamma * (1 - terminated) * V(s'): "
            "a terminal state is worth 0.",
        },
    ),
    Case(
        "a larger entropy bonus (entropy_coef = 0.5)",
        _a2c_inputs(entropy_coef=0.5),
        {
            **_A2C_HINTS,
            "value": "use the entropy_coef argument, and subtract "
            "entropy_coef * entropy.mean() from the actor's loss.",
        },
    ),
    Case(
        "another discount (gamma = 0.5)",
        _a2c_inputs(terminated=(1.0, 0.0, 0.0), gamma=0.5),
        {**_A2C_HINTS, "value": "use the gamma argument, not a constant."},
    ),
]


def check_a2c_losses(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_losses(log_prob, entropy, value,
    next_value, reward, terminated, gamma, entropy_coef)``."""
    return check_function(
        fn,
        losses.a2c_losses,
        _A2C_CASES,
        "a2c_losses",
        output_names=("actor_loss", "critic_loss"),
        report=report,
    )


# --- Chapter 4: parallel A2C ------------------------------------------------


def _returns_inputs(reward, next_value, terminated, truncated, gamma):
    def tensor(rows):
        return torch.tensor(rows, dtype=torch.float32)

    return lambda: dict(
        reward=tensor(reward),
        next_value=tensor(next_value),
        terminated=tensor(terminated),
        truncated=tensor(truncated),
        gamma=gamma,
    )


_RETURNS_HINTS = {
    "shape": "return one G per step and env: shape (T, N), like reward.",
}

_RETURNS_CASES = [
    Case(
        "one env, three steps, no episode ends: the cut bootstraps from "
        "V(s'_2)",
        _returns_inputs(
            [[1.0], [1.0], [1.0]],
            [[0.0], [0.0], [10.0]],
            [[0.0]] * 3,
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "go backwards from the last step: G_{T-1} = r + "
            "gamma * V(s'_{T-1}), then G_t = r_t + gamma * G_{t+1}.",
        },
    ),
    Case(
        "a termination at t = 1: nothing after it counts, no bootstrap",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [50.0], [4.0]],
            [[0.0], [1.0], [0.0]],
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "multiply what follows step t by (1 - terminated_t): "
            "a terminal state is worth 0, and the next row belongs to a "
            "new episode.",
        },
    ),
    Case(
        "a truncation at t = 0: bootstrap from V(final obs), not from the "
        "next episode",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[6.0], [0.0], [4.0]],
            [[0.0]] * 3,
            [[1.0], [0.0], [0.0]],
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "where truncated_t is 1, use next_value[t] instead "
            "of G_{t+1}: the episode was cut, not finished, and the next "
            "row is another episode.",
        },
    ),
    Case(
        "two envs side by side (T = 2, N = 2)",
        _returns_inputs(
            [[1.0, 0.0], [1.0, 2.0]],
            [[3.0, 9.0], [5.0, 7.0]],
            [[0.0, 1.0], [0.0, 0.0]],
            [[0.0, 0.0], [1.0, 0.0]],
            0.9,
        ),
        {
            **_RETURNS_HINTS,
            "value": "treat each column (env) separately; "
            "time runs down the rows.",
        },
    ),
    Case(
        "another discount (gamma = 0.99)",
        _returns_inputs(
            [[1.0], [1.0]], [[0.0], [2.0]], [[0.0]] * 2, [[0.0]] * 2, 0.99
        ),
        {"value": "use the `gamma` argument, not a constant."},
    ),
]


def check_n_step_returns(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``n_step_returns(reward, next_value,
    terminated, truncated, gamma)`` on ``(T, N)`` tensors."""
    return check_function(
        fn,
        returns.n_step_returns,
        _RETURNS_CASES,
        "n_step_returns",
        report=report,
    )


def _loss_inputs(value_coef=0.5, entropy_coef=0.01):
    return lambda: dict(
        log_prob=_t2([[-0.7, -1.2], [-0.1, -2.0]], grad=True),
        entropy=_t2([[0.6, 0.5], [0.69, 0.3]], grad=True),
        value=_t2([[1.0, 2.0], [0.5, -1.0]], grad=True),
        returns=_t2([[3.0, 1.0], [0.5, 2.0]], grad=True),
        value_coef=value_coef,
        entropy_coef=entropy_coef,
    )


def _t2(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float32, requires_grad=grad)


_LOSS_HINTS = {
    "value": "loss = -mean(A * log_prob) + value_coef * mean((G - V)**2) "
    "- entropy_coef * mean(entropy), with A = G - V.",
    ("output", "value"): "the policy term must treat A as a constant "
    "(A.detach()); only the value loss moves V.",
    ("output", "returns"): "the returns are targets: detach them.",
    ("output", "entropy"): "the entropy bonus is subtracted: "
    "- entropy_coef * entropy.mean().",
    ("output", "log_prob"): "d loss / d log_prob = -A / (T * N): check the "
    "sign and use the mean.",
}

_LOSS_CASES = [
    Case(
        "a 2 x 2 rollout with the usual coefficients",
        _loss_inputs(),
        _LOSS_HINTS,
    ),
    Case(
        "value_coef = 1 and entropy_coef = 0.5",
        _loss_inputs(1.0, 0.5),
        {
            **_LOSS_HINTS,
            "value": "use the value_coef and entropy_coef arguments.",
        },
    ),
]


def check_a2c_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_loss(log_prob, entropy, value,
    returns, value_coef, entropy_coef)`` returning one scalar."""
    return check_function(
        fn, losses.a2c_loss, _LOSS_CASES, "a2c_loss", report=report
    )


# --- Chapter 5: LunarLander, policy-gradient variants -----------------------


def reference_q_values(reward, gamma, episode_end):
    """Discounted q-value estimates of episodes laid end to end."""
    return returns.reward_to_go(reward, gamma, episode_end)


def _q_inputs(reward, episode_end, gamma, bool_ends=False):
    dtype = torch.bool if bool_ends else torch.float32
    return lambda: dict(
        reward=torch.tensor(reward, dtype=torch.float32),
        gamma=gamma,
        episode_end=torch.tensor(episode_end, dtype=dtype),
    )


_Q_HINTS = {
    "value": "q_t = r_t + gamma * q_{t+1}, computed backwards, and the sum "
    "restarts after every step where episode_end is set: no reward of the "
    "next episode may flow into this one.",
    "shape": "return one q-value per step, shape (B,).",
}

_Q_CASES = [
    Case(
        "one episode of three steps, gamma = 0.5: q = [1.75, 1.5, 1]",
        _q_inputs([1.0, 1.0, 1.0], [0.0, 0.0, 1.0], 0.5),
        _Q_HINTS,
    ),
    Case(
        "two episodes end to end: the second one's rewards must not leak "
        "into the first",
        _q_inputs([1.0, 2.0, 10.0, 20.0, 30.0], [0, 1, 0, 0, 1], 0.9),
        _Q_HINTS,
    ),
    Case(
        "episodes of one step each: q = r",
        _q_inputs([3.0, -1.0, 2.0], [1.0, 1.0, 1.0], 0.99),
        _Q_HINTS,
    ),
    Case(
        "another discount (gamma = 0.99) and negative rewards",
        _q_inputs([-1.0, 0.5, -2.0, 4.0], [0, 0, 1, 1], 0.99),
        {**_Q_HINTS, "value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "episode_end given as booleans",
        _q_inputs([1.0, 1.0, 1.0, 1.0], [0, 1, 0, 1], 0.9, bool_ends=True),
        {
            **_Q_HINTS,
            "value": "convert the flags before arithmetic, e.g. "
            "1.0 - episode_end.float().",
        },
    ),
]


def check_q_values(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``q_values(reward, gamma, episode_end)`` on
    ``(B,)`` tensors of whole episodes laid end to end."""
    return check_function(
        fn, reference_q_values, _Q_CASES, "q_values", report=report
    )


def _entropy_inputs(*rows: tuple[float, ...]):
    return lambda: dict(
        logits=torch.tensor(rows, dtype=torch.float32, requires_grad=True)
    )


_ENTROPY_HINTS = {
    "value": "loss = -mean over states of H(pi(.|s)) / log(n_actions), "
    "with H = -sum_a pi(a|s) log pi(a|s).",
    "shape": "return one scalar: the mean over the batch.",
    ("output", "logits"): "the loss must raise the entropy when minimised: "
    "check the minus sign, and average (mean) over states.",
}

_ENTROPY_CASES = [
    Case(
        "uniform policy over 4 actions: the loss is -1",
        _entropy_inputs((0.0, 0.0, 0.0, 0.0), (2.0, 2.0, 2.0, 2.0)),
        {
            **_ENTROPY_HINTS,
            "value": "divide by the largest entropy, log(n_actions) = "
            "log(4), which a uniform policy reaches.",
        },
    ),
    Case(
        "three states, four actions",
        _entropy_inputs(
            (1.0, 0.0, -1.0, 0.5), (0.2, 0.3, 0.1, -2.0), (3.0, 0.0, 0.0, 1.0)
        ),
        _ENTROPY_HINTS,
    ),
    Case(
        "two actions: the normaliser is log(2), read from the logits",
        _entropy_inputs((0.5, -0.5), (2.0, 0.0)),
        {
            **_ENTROPY_HINTS,
            "value": "take the number of actions from logits.shape[-1], "
            "not a constant 4.",
        },
    ),
    Case(
        "a nearly deterministic policy (logit gap of 200): no nan",
        _entropy_inputs((200.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0)),
        {
            **_ENTROPY_HINTS,
            "value": "softmax underflows to exactly 0 and log(0) = -inf, "
            "so 0 * log(0) gives nan: use log_p = log_softmax(logits) and "
            "p = log_p.exp().",
        },
    ),
]


def check_entropy_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``entropy_loss(logits)`` with logits
    ``(B, n_actions)``, returning a scalar in [-1, 0]."""
    return check_function(
        fn,
        losses.entropy_loss,
        _ENTROPY_CASES,
        "entropy_loss",
        report=report,
    )
