import pytest
import torch

from actorcritic.networks import (
    CategoricalPolicy,
    ValueNetwork,
    load_weights,
    mlp,
    save_weights,
)


def test_shapes_time_first():
    torch.manual_seed(0)
    actor, critic = CategoricalPolicy(4, 2), ValueNetwork(4)
    obs = torch.randn(5, 3, 4)  # (T, N, obs_dim)
    assert actor(obs).shape == (5, 3, 2)
    assert critic(obs).shape == (5, 3)
    action, log_prob = actor.sample(obs)
    assert action.shape == (5, 3) and log_prob.shape == (5, 3)
    assert torch.allclose(log_prob, actor.dist(obs).log_prob(action))


def test_sample_follows_the_policy():
    torch.manual_seed(0)
    actor = CategoricalPolicy(2, 3)
    obs = torch.zeros(20_000, 2)
    action, _ = actor.sample(obs)
    freq = torch.bincount(action, minlength=3).float() / len(action)
    probs = actor.dist(obs[0]).probs
    assert torch.allclose(freq, probs, atol=0.02)


def test_act_greedy_is_argmax():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2)
    obs = torch.randn(4)
    assert actor.act(obs, greedy=True) == int(actor(obs).argmax())


def test_wrong_observation_size_is_a_clear_error():
    with pytest.raises(ValueError, match="last dimension 4"):
        CategoricalPolicy(4, 2)(torch.zeros(3))
    with pytest.raises(ValueError, match="last dimension 4"):
        ValueNetwork(4)(torch.zeros(2, 5))
    with pytest.raises(ValueError, match="positive sizes"):
        mlp(4, 2, (0,))


def test_save_load_roundtrip(tmp_path):
    torch.manual_seed(0)
    a, b = ValueNetwork(4), ValueNetwork(4)
    path = save_weights(a, tmp_path / "sub" / "v.pt")
    load_weights(b, path)
    x = torch.randn(4)
    assert torch.equal(a(x), b(x))


def test_load_refuses_pickled_code(tmp_path):
    path = tmp_path / "evil.pt"
    torch.save({"x": object()}, path)  # not plain tensors
    with pytest.raises(Exception, match="[Ww]eights only"):
        load_weights(ValueNetwork(4), path)


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="no weights file"):
        load_weights(ValueNetwork(4), tmp_path / "none.pt")
