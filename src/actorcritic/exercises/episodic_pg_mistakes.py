"""Chapter 5's catalogues of common mistakes: wrong ``q_values`` and
``entropy_loss`` that the checkers of
:mod:`actorcritic.exercises.episodic_pg` name when a reader's answer
gives what one of them gives (see :mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch

from actorcritic import returns
from actorcritic.exercises.mistakes import Mistake


def _q_forward(reward, gamma, episode_end):
    out, running, start = torch.zeros_like(reward), 0.0, True
    for t in range(reward.shape[0]):
        running = reward[t] + (0.0 if start else gamma * running)
        out[t] = running
        start = bool(episode_end[t])
    return out


def _q_bool_arithmetic(reward, gamma, episode_end):
    keep = 1 - episode_end  # raises for a bool tensor
    return returns.reward_to_go(reward, gamma, 1 - keep)


def _q_by_powers(reward, gamma, episode_end):
    """Discounts counted from the start of the batch, divided out."""
    t = torch.arange(reward.shape[0], dtype=reward.dtype)
    discount = gamma**t
    suffix = (discount * reward).flip(0).cumsum(0).flip(0)
    ends = torch.nonzero(episode_end).flatten()
    episode = torch.cumsum(episode_end.float(), 0) - episode_end.float()
    after = torch.cat([suffix, torch.zeros(1)])[ends[episode.long()] + 1]
    return (suffix - after) / discount


Q_MISTAKES = [
    Mistake(
        "letting the rewards of the next episode flow into this one",
        lambda reward, gamma, episode_end: returns.reward_to_go(reward, gamma),
        "Restart the sum after every step where episode_end is set.",
    ),
    Mistake(
        "a fixed discount of 0.99 instead of the gamma argument",
        lambda reward, gamma, episode_end: returns.reward_to_go(
            reward, 0.99, episode_end
        ),
        "Use the `gamma` argument.",
    ),
    Mistake(
        "summing the rewards before t (the return so far)",
        _q_forward,
        "q_t sums the rewards from t to the end of its episode: go backwards.",
    ),
    Mistake(
        "arithmetic on a bool tensor (1 - episode_end)",
        _q_bool_arithmetic,
        "Convert the flags first: 1.0 - episode_end.float().",
    ),
    Mistake(
        "discounts counted from the start of the batch and divided out "
        "(gamma ** t underflows on a long batch)",
        _q_by_powers,
        "Accumulate backwards instead: q_t = reward[t] + gamma * q_{t+1}.",
    ),
]


def _entropy_of(logits, log):
    p = torch.softmax(logits, -1)
    return -(p * log(logits, p)).sum(-1)  # (B,)


def _n(logits):
    return torch.log(torch.tensor(float(logits.shape[-1])))


def _entropy_mistake(
    log=lambda z, p: torch.log_softmax(z, -1),
    reduce=torch.mean,
    scale=1.0,
    normaliser=_n,
):
    def answer(logits):
        h = _entropy_of(logits, log)
        return -scale * reduce(h) / normaliser(logits)

    return answer


def _entropy_batch_axis(logits):
    p, log_p = torch.softmax(logits, 0), torch.log_softmax(logits, 0)
    return (p * log_p).sum(-1).mean() / _n(logits)


def _entropy_logits_as_probabilities(log):
    def answer(logits):
        return (logits * log(logits)).sum(-1).mean() / _n(logits)

    return answer


ENTROPY_MISTAKES = [
    Mistake(
        "a softmax over the batch axis (dim=0) instead of the actions",
        _entropy_batch_axis,
        "Normalise over the actions: softmax(logits, dim=-1).",
    ),
    Mistake(
        "the logits used as probabilities",
        _entropy_logits_as_probabilities(lambda z: torch.log_softmax(z, -1)),
        "Turn the logits into probabilities first: p = softmax(logits, -1).",
    ),
    Mistake(
        "the logits used as probabilities",
        _entropy_logits_as_probabilities(torch.log),
        "Turn the logits into probabilities first: p = softmax(logits, -1).",
    ),
    Mistake(
        "log(softmax(logits)), whose log of 0 gives 0 * -inf = nan",
        _entropy_mistake(log=lambda z, p: torch.log(p)),
        "Use torch.log_softmax(logits, -1), finite for every logit.",
    ),
    Mistake(
        "not dividing by log(n_actions)",
        _entropy_mistake(normaliser=lambda logits: torch.tensor(1.0)),
        "Normalise: divide the mean entropy by log(n_actions), the "
        "largest entropy.",
    ),
    Mistake(
        "dividing by log(4) whatever the number of actions",
        _entropy_mistake(
            normaliser=lambda logits: torch.log(torch.tensor(4.0))
        ),
        "Use the number of actions of these logits: logits.shape[-1].",
    ),
    Mistake(
        "the entropy itself instead of minus the entropy",
        _entropy_mistake(scale=-1.0),
        "The loss is minus the normalised entropy: minimising it raises "
        "the entropy.",
    ),
    Mistake(
        "summing over the states instead of averaging",
        _entropy_mistake(reduce=torch.sum),
        "Average over the batch of states (.mean()).",
    ),
]
