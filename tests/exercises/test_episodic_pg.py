"""Chapter 5's checkers: ``q_values`` and ``entropy_loss``."""

import torch

from actorcritic.exercises.episodic_pg import (
    check_entropy_loss,
    check_q_values,
    reference_q_values,
)
from actorcritic.losses import entropy_loss
from tests.exercises import rows, table_tests, with_args

# --- q_values ----------------------------------------------------------------


def q_loop(reward, gamma, episode_end):
    out, running = torch.zeros_like(reward), 0.0
    for t in reversed(range(reward.shape[0])):
        if episode_end[t]:
            running = 0.0
        running = reward[t] + gamma * running
        out[t] = running
    return out


def q_bool_arithmetic(reward, gamma, episode_end):
    """1 - episode_end, which raises in PyTorch for a bool tensor."""
    keep = 1 - episode_end
    out, running = torch.zeros_like(reward), 0.0
    for t in reversed(range(reward.shape[0])):
        running = reward[t] + gamma * keep[t] * running
        out[t] = running
    return out


def q_forward_sum(reward, gamma, episode_end):
    """Sums the rewards *before* t (the return so far)."""
    out, running, start = torch.zeros_like(reward), 0.0, True
    for t in range(reward.shape[0]):
        running = reward[t] + (0.0 if start else gamma * running)
        out[t] = running
        start = bool(episode_end[t])
    return out


def q_by_powers(reward, gamma, episode_end):
    """Vectorised with discounts counted from the start of the batch:
    q_t = (S_t - S_after) / gamma**t with S_t = sum_k>=t gamma**k r_k.
    Exact on a few steps; gamma**t underflows after about 10,000 steps
    of float32 at gamma = 0.99."""
    t = torch.arange(reward.shape[0], dtype=reward.dtype)
    discount = gamma**t
    suffix = (discount * reward).flip(0).cumsum(0).flip(0)  # S_t
    ends = torch.nonzero(episode_end).flatten()
    episode = torch.cumsum(episode_end.float(), 0) - episode_end.float()
    after = torch.cat([suffix, torch.zeros(1)])[ends[episode.long()] + 1]
    return (suffix - after) / discount


ONE_EPISODE = "case 'one episode of three steps"
TWO_EPISODES = "case 'two episodes end to end"
BOOLEANS = "case 'episode_end given as booleans"
leaks_across_episodes = with_args(q_loop, episode_end=torch.zeros_like)

Q_VALUES = rows(
    check_q_values,
    reference_q_values,
    n_cases=7,
    right={"loop": q_loop},
    wrong={
        "leaks-across-episodes": (leaks_across_episodes, TWO_EPISODES),
        "fixed-gamma": (with_args(q_loop, gamma=0.99), ONE_EPISODE),
        "bool-arithmetic": (q_bool_arithmetic, BOOLEANS),
        "forward-sum": (q_forward_sum, ONE_EPISODE),
        "powers-of-gamma-overflow": (
            q_by_powers,
            "case 'random: 16 episodes",
            "gamma ** t underflows",
        ),
    },
)

# --- entropy_loss ------------------------------------------------------------


def _log_n_actions(logits):
    return torch.log(torch.tensor(float(logits.shape[-1])))


def entropy_right(logits):
    p = torch.softmax(logits, -1)
    log_p = torch.log_softmax(logits, -1)
    h = -(p * log_p).sum(-1)
    return -h.mean() / _log_n_actions(logits)


def entropy_log_of_softmax(logits):
    """log(softmax(logits)), which gives 0 * log(0) = nan."""
    p = torch.softmax(logits, -1)
    h = -(p * torch.log(p)).sum(-1)
    return -h.mean() / _log_n_actions(logits)


def entropy_not_normalised(logits):
    """Does not divide by log(n_actions)."""
    return entropy_right(logits) * _log_n_actions(logits)


def entropy_fixed_four_actions(logits):
    """Divides by log(4) whatever the number of actions."""
    return entropy_not_normalised(logits) / torch.log(torch.tensor(4.0))


def entropy_sum_not_mean(logits):
    """Sums over states instead of averaging."""
    return entropy_right(logits) * logits.shape[0]


def entropy_batch_axis(logits):
    """A softmax over the batch axis instead of the actions."""
    p, log_p = torch.softmax(logits, 0), torch.log_softmax(logits, 0)
    return (p * log_p).sum(-1).mean() / _log_n_actions(logits)


def entropy_of_logits(logits):
    """The logits used as probabilities."""
    h = -(logits * torch.log_softmax(logits, -1)).sum(-1)
    return -h.mean() / _log_n_actions(logits)


UNIFORM = "case 'uniform policy over 4 actions"
NEARLY_DETERMINISTIC = "case 'a nearly deterministic policy"
TWO_ACTIONS = "case 'two actions"

ENTROPY_LOSS = rows(
    check_entropy_loss,
    entropy_loss,
    n_cases=7,
    right={"log-softmax": entropy_right},
    wrong={
        "log-of-softmax": (entropy_log_of_softmax, NEARLY_DETERMINISTIC),
        "not-normalised": (entropy_not_normalised, UNIFORM),
        "fixed-four-actions": (entropy_fixed_four_actions, TWO_ACTIONS),
        "wrong-sign": (lambda logits: -entropy_right(logits), UNIFORM),
        "sum-not-mean": (entropy_sum_not_mean, UNIFORM),
        "batch-axis": (entropy_batch_axis, "softmax over the batch axis"),
        "logits-as-probabilities": (
            entropy_of_logits,
            "the logits used as probabilities",
        ),
    },
    every_wrong_says=("hint:",),
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    Q_VALUES, ENTROPY_LOSS
)
