import math

import numpy as np
import pytest
import torch

from actorcritic.networks import (
    CategoricalPolicy,
    GaussianPolicy,
    ValueNetwork,
    load_weights,
    mlp,
    orthogonal_init,
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


# --- GaussianPolicy ----------------------------------------------------------


def test_gaussian_shapes_time_first():
    torch.manual_seed(0)
    actor = GaussianPolicy(3, [-1.0, 0.0], [3.0, 1.0])
    obs = torch.randn(5, 4, 3)  # (T, N, obs_dim)
    mean, std = actor(obs)
    assert mean.shape == std.shape == (5, 4, 2)
    action, log_prob, entropy = actor.sample(obs)
    assert action.shape == (5, 4, 2)
    assert log_prob.shape == entropy.shape == (5, 4)
    assert actor.act_batch(obs[0].numpy()).shape == (4, 2)
    assert actor.act(obs[0, 0].numpy()).shape == (2,)


def test_gaussian_log_prob_and_entropy_match_closed_forms():
    torch.manual_seed(0)
    actor = GaussianPolicy(3, [-2.0, -1.0], [2.0, 1.0])
    obs = torch.randn(7, 3)
    mean, std = actor(obs)
    action = torch.randn(7, 2)
    z = (action - mean) / std
    log_prob = (
        -0.5 * z**2 - torch.log(std) - 0.5 * math.log(2 * math.pi)
    ).sum(-1)
    entropy = (0.5 * torch.log(2 * math.pi * math.e * std**2)).sum(-1)
    dist = actor.dist(obs)
    assert torch.allclose(dist.log_prob(action), log_prob, atol=1e-5)
    assert torch.allclose(dist.entropy(), entropy, atol=1e-5)


def test_gaussian_mean_within_bounds_and_std_positive():
    torch.manual_seed(0)
    actor = GaussianPolicy(3, [-1.0, 0.0], [3.0, 1.0], min_std=1e-3)
    with torch.no_grad():
        actor.net[-1].bias[2:] -= 100.0  # raw std far below 0
    mean, std = actor(1e4 * torch.randn(1000, 3))  # saturates the tanh
    assert bool((mean >= actor.low).all() and (mean <= actor.high).all())
    assert bool((std >= 1e-3).all()) and torch.isfinite(std).all()
    # gradients reach the weights through both heads
    (mean.sum() + std.sum()).backward()
    assert actor.net[0].weight.grad is not None


def test_gaussian_act_clips_and_greedy_is_the_mean():
    torch.manual_seed(0)
    actor = GaussianPolicy(3, [-2.0], [2.0])
    with torch.no_grad():
        actor.net[-1].bias[1:] += 20.0  # std of about 20
    obs = np.array([1.0, 0.0, 0.0], dtype=np.float32)
    samples = np.stack([actor.act(obs) for _ in range(200)])
    assert samples.min() == -2.0 and samples.max() == 2.0  # clipped
    mean, _ = actor(torch.as_tensor(obs))
    np.testing.assert_allclose(actor.act(obs, greedy=True), mean.detach())


def test_gaussian_rejects_bad_bounds():
    with pytest.raises(ValueError, match="low < high"):
        GaussianPolicy(3, [1.0], [-1.0])
    with pytest.raises(ValueError, match="one shape"):
        GaussianPolicy(3, [-1.0, -1.0], [1.0])
    with pytest.raises(ValueError, match="last dimension 3"):
        GaussianPolicy(3, [-1.0], [1.0])(torch.zeros(4))


def test_categorical_act_batch_matches_act():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 3)
    obs = torch.randn(6, 4)
    greedy = actor.act_batch(obs.numpy(), greedy=True)
    assert greedy.tolist() == [actor.act(o, greedy=True) for o in obs]


def test_categorical_fast_paths_match_the_distribution():
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 3)
    obs, action = torch.randn(5, 2, 4), torch.randint(0, 3, (5, 2))
    log_prob, entropy = actor.log_prob_entropy(obs, action)
    dist = actor.dist(obs)
    torch.testing.assert_close(log_prob, dist.log_prob(action))
    torch.testing.assert_close(entropy, dist.entropy())
    # Gumbel-max sampling follows pi(.|s)
    one = torch.randn(1, 4)
    samples = actor.act_batch(one.repeat(20_000, 1).numpy())
    freq = np.bincount(samples, minlength=3) / len(samples)
    probs = actor.dist(one[0]).probs.detach().numpy()
    np.testing.assert_allclose(freq, probs, atol=0.02)


def test_orthogonal_init_gains_and_zero_biases():
    torch.manual_seed(0)
    net = orthogonal_init(mlp(8, 4, (64, 64)), output_gain=0.01)
    linears = [m for m in net if isinstance(m, torch.nn.Linear)]
    for layer, gain in zip(linears, [math.sqrt(2)] * 2 + [0.01], strict=True):
        w = layer.weight.detach()  # (out, in), rows orthogonal if out <= in
        small = w @ w.T if w.shape[0] <= w.shape[1] else w.T @ w
        assert torch.allclose(
            small, gain**2 * torch.eye(len(small)), atol=1e-5
        )
        assert torch.equal(layer.bias, torch.zeros_like(layer.bias))


def test_orthogonal_init_needs_linear_layers():
    with pytest.raises(ValueError, match="nn.Linear"):
        orthogonal_init(torch.nn.Tanh(), output_gain=1.0)
