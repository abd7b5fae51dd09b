"""Chapter 6's cases of ``ppo_loss``, named and drawn at random, for
:func:`actorcritic.exercises.ppo.check_ppo_loss`: ratios of 1, ratios
outside the clip range on either side (clipped or not, by the sign of
the advantage), other coefficients, data that carry a gradient (none
may flow into them), and random minibatches."""

from __future__ import annotations

import torch

from actorcritic.exercises.cases import Case, drawn


def _ppo_inputs(ratio, advantage, clip=0.2, value_coef=0.5, entropy_coef=0.01):
    """A minibatch whose probability ratios are ``ratio``."""

    def inputs():
        old = torch.tensor([-1.0, -0.5, -2.0, -1.5][: len(ratio)])
        log_prob = old + torch.log(torch.tensor(ratio))
        n = len(ratio)
        return dict(
            log_prob=log_prob.requires_grad_(),
            old_log_prob=old,
            advantage=torch.tensor(advantage),
            entropy=torch.tensor([0.9, 1.1, 0.7, 1.3][:n], requires_grad=True),
            value=torch.tensor([1.0, -0.5, 2.0, 0.0][:n], requires_grad=True),
            returns=torch.tensor([1.5, 0.5, 1.0, 0.2][:n]),
            clip=clip,
            value_coef=value_coef,
            entropy_coef=entropy_coef,
        )

    return inputs


_PPO_HINTS = {
    "value": "ratio = exp(log_prob - old_log_prob); policy_loss = "
    "-mean(min(ratio * A, clamp(ratio, 1 - clip, 1 + clip) * A)); loss = "
    "policy_loss + value_coef * mean((returns - value)**2) - entropy_coef "
    "* mean(entropy).",
    ("output", "log_prob"): "the clipped side gives no gradient: take the "
    "min of the unclipped and the clipped term, per sample, before the "
    "mean.",
    ("output", "value"): "d loss / d V = -2 * value_coef * (returns - V) "
    "/ B: the value loss has no 1/2 here.",
    ("output", "entropy"): "the entropy bonus is subtracted: "
    "- entropy_coef * entropy.mean().",
}


PPO_CASES = [
    Case(
        "ratios of 1 (the first minibatch): the gradient of the "
        "policy-gradient loss",
        _ppo_inputs([1.0, 1.0, 1.0], [2.0, -1.0, 0.5]),
        _PPO_HINTS,
    ),
    Case(
        "ratios above 1 + clip with positive advantages: clipped, no "
        "policy gradient",
        _ppo_inputs([1.5, 1.3], [1.0, 2.0]),
        _PPO_HINTS,
    ),
    Case(
        "ratios below 1 - clip with negative advantages: clipped, no "
        "policy gradient",
        _ppo_inputs([0.5, 0.7], [-1.0, -2.0]),
        _PPO_HINTS,
    ),
    Case(
        "ratios outside the range on the other side: not clipped",
        _ppo_inputs([1.5, 0.6, 1.1, 0.9], [-1.0, 2.0, 1.0, -1.0]),
        {
            **_PPO_HINTS,
            "value": "clip only where it makes the objective smaller: "
            "min(ratio * A, clipped * A), not clipped * A alone.",
        },
    ),
    Case(
        "another clip (0.1) and coefficients",
        _ppo_inputs(
            [1.15, 0.95, 1.05],
            [1.0, -1.0, 0.5],
            0.1,
            value_coef=1.0,
            entropy_coef=0.05,
        ),
        {
            **_PPO_HINTS,
            "value": "use the clip, value_coef and entropy_coef arguments.",
        },
    ),
]


def _with_data_gradients(inputs):
    """``inputs`` whose data (old_log_prob, advantage, returns) carry a
    gradient, as they would if the caller forgot to detach them."""

    def with_gradients():
        values = inputs()
        for name in ("old_log_prob", "advantage", "returns"):
            values[name] = values[name].clone().requires_grad_()
        return values

    return with_gradients


PPO_CASES.append(
    Case(
        "data that carry a gradient (old_log_prob, advantage, returns): "
        "none may flow into them",
        _with_data_gradients(
            _ppo_inputs([1.5, 0.6, 1.1, 0.9], [-1.0, 2.0, 1.0, -1.0])
        ),
        {
            **_PPO_HINTS,
            ("output", "old_log_prob"): "old_log_prob is data from the "
            "rollout: detach it (ratio = exp(log_prob - "
            "old_log_prob.detach())).",
            ("output", "advantage"): "the advantage is data: detach it.",
            ("output", "returns"): "the returns are the critic's targets: "
            "detach them.",
        },
    )
)


def _random_minibatch(B: int, clip: float):
    def build(gen):
        old = -3 * torch.rand(B, generator=gen)
        log_prob = old + 0.3 * torch.randn(B, generator=gen)
        return dict(
            log_prob=log_prob.requires_grad_(),
            old_log_prob=old,
            advantage=torch.randn(B, generator=gen),
            entropy=torch.rand(B, generator=gen).requires_grad_(),
            value=(5 * torch.randn(B, generator=gen)).requires_grad_(),
            returns=5 * torch.randn(B, generator=gen),
            clip=clip,
            value_coef=0.5,
            entropy_coef=0.01,
        )

    return build


PPO_CASES += [
    drawn(
        f"a minibatch of {B} with ratios around 1, clip = {clip}",
        seed,
        _random_minibatch(B, clip),
        _PPO_HINTS,
    )
    for seed, (B, clip) in enumerate([(64, 0.2), (1024, 0.1)])
]
