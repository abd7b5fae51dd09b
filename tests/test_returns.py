import pytest
import torch

from actorcritic.returns import (
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
