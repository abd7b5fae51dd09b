import pytest
import torch

from actorcritic.returns import (
    gae,
    n_step_returns,
    reward_to_go,
    td_error,
    td_target,
)


def t(*xs):
    return torch.tensor(xs, dtype=torch.float32)


def test_td_target_by_hand():
    # step 0 ordinary, step 1 terminated, step 2 truncated (time limit).
    reward = t(1.0, 1.0, 1.0)
    next_value = t(10.0, 10.0, 10.0)  # step 2: V(final obs) = 10
    terminated = t(0.0, 1.0, 0.0)
    target = td_target(reward, next_value, terminated, gamma=0.9)
    # 1 + 0.9 * 10 = 10;  terminal: 1;  truncated bootstraps: 10
    assert torch.allclose(target, t(10.0, 1.0, 10.0))


def test_td_target_accepts_bool_terminated_and_time_first_batches():
    reward = torch.ones(3, 2)  # (T, N)
    terminated = torch.tensor([[False, True], [False, False], [True, False]])
    target = td_target(reward, torch.full((3, 2), 2.0), terminated, 0.5)
    assert torch.allclose(
        target, torch.tensor([[2.0, 1.0], [2.0, 2.0], [1.0, 2.0]])
    )


def test_td_error_subtracts_value():
    delta = td_error(t(1.0), t(4.0), t(10.0), t(0.0), gamma=0.9)
    assert torch.allclose(delta, t(6.0))


def test_td_target_is_differentiable_only_through_next_value():
    next_value = torch.tensor([3.0], requires_grad=True)
    td_target(t(1.0), next_value, t(0.0), 0.9).sum().backward()
    assert torch.allclose(next_value.grad, t(0.9))


def test_reward_to_go_by_hand():
    g = reward_to_go(t(1.0, 2.0, 3.0), gamma=0.5)
    # G2 = 3, G1 = 2 + 0.5*3 = 3.5, G0 = 1 + 0.5*3.5 = 2.75
    assert torch.allclose(g, t(2.75, 3.5, 3.0))


def test_return_at_zero_is_the_discounted_sum():
    torch.manual_seed(0)
    reward, gamma = torch.randn(50), 0.97
    g0 = (reward * gamma ** torch.arange(50)).sum()
    assert torch.allclose(reward_to_go(reward, gamma)[0], g0, atol=1e-5)


def test_gamma_one_is_the_reversed_cumsum():
    reward = t(1.0, 2.0, 3.0, 4.0)
    expected = reward.flip(0).cumsum(0).flip(0)
    assert torch.allclose(reward_to_go(reward, 1.0), expected)


def test_bad_inputs_are_clear_errors():
    with pytest.raises(ValueError, match="gamma must be in"):
        td_target(t(1.0), t(1.0), t(0.0), gamma=1.5)
    with pytest.raises(ValueError, match="one shape"):
        td_target(t(1.0, 1.0), t(1.0), t(0.0), gamma=0.9)
    with pytest.raises(ValueError, match=r"shape \(T,\)"):
        reward_to_go(torch.ones(2, 2), 0.9)


def test_reward_to_go_restarts_at_episode_boundaries():
    # two episodes laid end to end: [1, 2 | 3, 4, 5]
    reward = t(1.0, 2.0, 3.0, 4.0, 5.0)
    end = t(0.0, 1.0, 0.0, 0.0, 1.0)
    g = reward_to_go(reward, 0.5, episode_end=end)
    # first: G1 = 2, G0 = 1 + 1 = 2; second: 5, 4 + 2.5, 3 + 3.25
    assert torch.allclose(g, t(2.0, 2.0, 6.25, 6.5, 5.0))


def test_reward_to_go_per_episode_equals_concatenated():
    torch.manual_seed(1)
    a, b = torch.randn(7), torch.randn(4)
    end = torch.zeros(11)
    end[6] = end[10] = 1.0
    joined = reward_to_go(torch.cat([a, b]), 0.9, episode_end=end)
    separate = torch.cat([reward_to_go(a, 0.9), reward_to_go(b, 0.9)])
    assert torch.allclose(joined, separate)


def test_reward_to_go_episode_end_must_match():
    with pytest.raises(ValueError, match="one shape"):
        reward_to_go(t(1.0, 2.0), 0.9, episode_end=t(1.0))


# --- n_step_returns ----------------------------------------------------------


def test_n_step_returns_by_hand():
    """Three envs, T = 3, gamma = 0.5:
    env 0 runs on: the rollout's cut bootstraps from V(s'_2) = 8;
    env 1 terminates at t = 1: no bootstrap, and t = 2 starts afresh;
    env 2 is truncated at t = 0: bootstrap from V(final obs) = 4, and the
    next episode's rewards do not leak into G_0."""
    reward = torch.tensor([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0], [3.0, 3.0, 3.0]])
    next_value = torch.tensor(
        [[9.0, 9.0, 4.0], [9.0, 100.0, 9.0], [8.0, 6.0, 2.0]]
    )
    terminated = torch.tensor([[0.0, 0, 0], [0, 1, 0], [0, 0, 0]])
    truncated = torch.tensor([[0.0, 0, 1], [0, 0, 0], [0, 0, 0]])
    g = n_step_returns(reward, next_value, terminated, truncated, 0.5)
    expected = torch.tensor(
        [
            # env 0: 3 + .5*8 = 7; 2 + .5*7 = 5.5; 1 + .5*5.5 = 3.75
            # env 1: t2: 3 + .5*6 = 6; t1: 2 (terminal); t0: 1 + .5*2 = 2
            # env 2: t2: 3 + .5*2 = 4; t1: 2 + .5*4 = 4; t0: 1 + .5*4 = 3
            [3.75, 2.0, 3.0],
            [5.5, 2.0, 4.0],
            [7.0, 6.0, 4.0],
        ]
    )
    torch.testing.assert_close(g, expected)


def test_n_step_returns_equal_monte_carlo_over_a_whole_episode():
    torch.manual_seed(0)
    reward = torch.randn(7, 1)
    terminated = torch.zeros(7, 1)
    terminated[-1] = 1.0  # the rollout is exactly one episode
    g = n_step_returns(
        reward, torch.randn(7, 1), terminated, torch.zeros(7, 1), 0.9
    )
    torch.testing.assert_close(g[:, 0], reward_to_go(reward[:, 0], 0.9))


def test_n_step_returns_with_one_step_are_td_targets():
    torch.manual_seed(1)
    reward, next_value = torch.randn(1, 5), torch.randn(1, 5)
    terminated = torch.tensor([[0.0, 1.0, 0.0, 0.0, 1.0]])
    truncated = torch.tensor([[0.0, 0.0, 1.0, 0.0, 0.0]])
    g = n_step_returns(reward, next_value, terminated, truncated, 0.99)
    torch.testing.assert_close(
        g, td_target(reward, next_value, terminated, 0.99)
    )


def test_n_step_returns_reject_bad_shapes():
    x = torch.zeros(3, 2)
    with pytest.raises(ValueError, match="one shape"):
        n_step_returns(x, torch.zeros(3, 1), x, x, 0.9)
    with pytest.raises(ValueError, match=r"\(T, N\)"):
        n_step_returns(*(torch.zeros(3),) * 4, 0.9)


# --- gae -----------------------------------------------------------------


def rollout(T: int, N: int, seed: int, ends: bool = True):
    """A consistent (T, N) rollout: next_value[t] = value[t + 1] wherever
    the episode goes on, the final observation's value where it ended."""
    gen = torch.Generator().manual_seed(seed)
    value = torch.randn(T + 1, N, generator=gen)  # V(s_0), ..., V(s_T)
    terminated = (torch.rand(T, N, generator=gen) < 0.2).float() * ends
    truncated = (torch.rand(T, N, generator=gen) < 0.1).float() * ends
    next_value = value[1:].clone()
    final = torch.randn(T, N, generator=gen)  # V(final obs) after an end
    ended = (terminated + truncated) > 0
    next_value[ended] = final[ended]
    return dict(
        reward=torch.randn(T, N, generator=gen),
        value=value[:-1],
        next_value=next_value,
        terminated=terminated,
        truncated=truncated,
    )


def test_gae_with_lambda_0_is_the_td_error():
    r = rollout(6, 3, seed=0)
    delta = td_error(
        r["reward"], r["value"], r["next_value"], r["terminated"], 0.9
    )
    assert torch.allclose(gae(**r, gamma=0.9, lam=0.0), delta)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gae_with_lambda_1_is_the_n_step_return_minus_v(seed):
    """Monte-Carlo within the rollout, bootstrapped where chapter 4's
    n-step returns bootstrap."""
    r = rollout(7, 4, seed)
    returns = n_step_returns(
        r["reward"], r["next_value"], r["terminated"], r["truncated"], 0.95
    )
    advantage = gae(**r, gamma=0.95, lam=1.0)
    assert torch.allclose(advantage, returns - r["value"], atol=1e-5)


def test_gae_with_lambda_1_on_a_whole_episode_is_the_monte_carlo_advantage():
    reward = t(1.0, 2.0, 3.0)[:, None]  # one episode that terminates
    value = t(0.5, -1.0, 2.0)[:, None]
    next_value = t(-1.0, 2.0, 99.0)[:, None]  # 99: after the terminal step
    terminated = t(0.0, 0.0, 1.0)[:, None]
    advantage = gae(
        reward,
        value,
        next_value,
        terminated,
        torch.zeros_like(reward),
        gamma=0.5,
        lam=1.0,
    )
    mc = reward_to_go(reward[:, 0], 0.5)[:, None]
    assert torch.allclose(advantage, mc - value)


def test_gae_by_hand_with_a_termination_a_truncation_and_the_cut():
    """gamma = 0.5, lam = 0.5 (trace 0.25), T = 3, N = 2.

    env 0: terminated at t = 0, then a new episode cut by the rollout.
    env 1: truncated at t = 1 (bootstraps from its final obs, 4.0)."""
    reward = torch.tensor([[1.0, 0.0], [2.0, 1.0], [3.0, 1.0]])
    value = torch.tensor([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]])
    next_value = torch.tensor([[7.0, 1.0], [1.0, 4.0], [2.0, 2.0]])
    terminated = torch.tensor([[1.0, 0.0], [0.0, 0.0], [0.0, 0.0]])
    truncated = torch.tensor([[0.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    # deltas: env 0: [1 - 1, 2 + 0.5 - 1, 3 + 1 - 1] = [0, 1.5, 3]
    #         env 1: [0 + 0.5 - 1, 1 + 2 - 1, 1 + 1 - 1] = [-0.5, 2, 1]
    # env 0: A2 = 3, A1 = 1.5 + 0.25 * 3 = 2.25, A0 = 0 (terminated)
    # env 1: A2 = 1, A1 = 2 (truncated: no trace), A0 = -0.5 + 0.25 * 2
    expected = torch.tensor([[0.0, 0.0], [2.25, 2.0], [3.0, 1.0]])
    got = gae(
        reward, value, next_value, terminated, truncated, gamma=0.5, lam=0.5
    )
    assert torch.allclose(got, expected)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lam=1.5), "lam must be in"),
        (dict(gamma=-0.1), "gamma"),
    ],
)
def test_gae_rejects_bad_parameters(kwargs, message):
    r = rollout(3, 2, seed=0)
    with pytest.raises(ValueError, match=message):
        gae(**r, **{"gamma": 0.9, "lam": 0.9, **kwargs})


def test_gae_rejects_other_shapes():
    r = rollout(3, 2, seed=0)
    r["value"] = r["value"][:, :1]
    with pytest.raises(ValueError, match="one shape|shape"):
        gae(**r, gamma=0.9, lam=0.9)
