"""REINFORCE, with and without a learned baseline (chapters 1 and 2)."""

from actorcritic.algorithms.reinforce import ReinforceConfig, train_reinforce
from actorcritic.losses import policy_gradient_loss
from tests.algorithms.quick import QUICK_PG


def test_the_readers_reinforce_loss_drives_training():
    lengths = []

    def recording_loss(log_prob, weight):
        lengths.append(len(weight))
        return policy_gradient_loss(log_prob, weight)

    result = train_reinforce(
        ReinforceConfig(total_steps=200, eval_every=200),
        seed=0,
        loss_fn=recording_loss,
    )
    assert sum(lengths) == 200  # one call per episode, every step seen
    assert len(lengths) >= len(result.history.episode_return)


def test_no_baseline_means_no_critic():
    assert train_reinforce(QUICK_PG, seed=0).critic is None
