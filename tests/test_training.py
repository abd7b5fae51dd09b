import copy
import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch
from torch import nn

from actorcritic.losses import (
    a2c_loss,
    a2c_losses,
    entropy_loss,
    one_step_losses,
)
from actorcritic.networks import GaussianPolicy, ValueNetwork
from actorcritic.returns import n_step_returns, reward_to_go
from actorcritic.training import (
    PG_VARIANTS,
    A2CConfig,
    EpisodicPGConfig,
    History,
    OneStepACConfig,
    ParallelA2CConfig,
    ReinforceConfig,
    Trained,
    clip_flat_grad_,
    fit_critic_td,
    flat_parameters,
    train_a2c,
    train_episodic_pg,
    train_one_step_actor_critic,
    train_parallel_a2c,
    train_reinforce,
    train_until_solved,
)

QUICK_AC = OneStepACConfig(total_steps=600, eval_every=300, eval_episodes=2)
QUICK_PG = ReinforceConfig(total_steps=600, eval_every=300, eval_episodes=2)


def test_one_step_history_is_consistent():
    h = train_one_step_actor_critic(QUICK_AC, seed=0).history
    assert len(h.env_steps) == len(h.episode_return) == len(h.wall_time) > 0
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 600
    # CartPole pays 1 per step, so a return is the episode's length
    starts = [0] + h.env_steps[:-1]
    lengths = [b - a for a, b in zip(starts, h.env_steps, strict=True)]
    assert h.episode_return == lengths
    assert h.eval_steps == [300, 600]


@pytest.mark.parametrize(
    "train, config",
    [
        (train_one_step_actor_critic, QUICK_AC),
        (train_reinforce, QUICK_PG),
        (train_reinforce, dataclasses.replace(QUICK_PG, baseline=True)),
    ],
)
def test_same_seed_same_history(train, config):
    a, b = train(config, seed=1), train(config, seed=1)
    assert a.history.episode_return == b.history.episode_return
    assert a.history.eval_return == b.history.eval_return
    for p, q in zip(a.actor.parameters(), b.actor.parameters(), strict=False):
        assert torch.equal(p, q)
    c = train(config, seed=2)
    assert c.history.episode_return != a.history.episode_return


def test_the_readers_loss_function_drives_training():
    calls = []

    def counting_losses(*args):
        calls.append(1)
        return one_step_losses(*args)

    train_one_step_actor_critic(
        dataclasses.replace(QUICK_AC, total_steps=50, eval_every=50),
        seed=0,
        loss_fn=counting_losses,
    )
    assert len(calls) == 50


def test_the_readers_reinforce_loss_drives_training():
    from actorcritic.losses import policy_gradient_loss

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


def test_stop_at_return_stops_early():
    config = dataclasses.replace(QUICK_AC, stop_at_return=0.0)
    h = train_one_step_actor_critic(config, seed=0).history
    assert h.eval_steps == [300]


def test_keep_best_restores_the_best_evaluated_actor():
    from actorcritic.evaluation import evaluate

    config = dataclasses.replace(QUICK_AC, total_steps=3000, eval_every=500)
    result = train_one_step_actor_critic(config, seed=0)
    h = result.history
    best = max(h.eval_return)
    # the evaluation used by the tracker is seeded, so it repeats exactly
    again = evaluate(
        result.actor, "CartPole-v1", config.eval_episodes, seed=1_000_000
    ).mean()
    assert again == pytest.approx(best)


def test_no_baseline_means_no_critic():
    assert train_reinforce(QUICK_PG, seed=0).critic is None


@pytest.mark.parametrize(
    "bad",
    [
        dict(total_steps=0),
        dict(gamma=1.5),
        dict(actor_lr=-1.0),
        dict(eval_every=0),
    ],
)
def test_configs_reject_bad_values(bad):
    with pytest.raises(ValueError, match="must be"):
        OneStepACConfig(**bad)
    with pytest.raises(ValueError, match="must be"):
        ReinforceConfig(**bad)


def test_configs_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        QUICK_AC.gamma = 0.5


# --- A2C with entropy (chapter 3) --------------------------------------------


QUICK_A2C = A2CConfig(
    total_steps=1_600, n_envs=8, eval_every=800, eval_episodes=2, log_every=400
)


class ConstantReward(gym.Env):
    """Reward 1 at every step, one constant observation, never terminal:
    V = 1 / (1 - gamma) exactly, whatever the policy does."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def __init__(self, render_mode=None):
        self.render_mode = render_mode

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action):
        return np.zeros(1, np.float32), 1.0, False, False, {}


gym.register(
    "ConstantReward-v0", entry_point=ConstantReward, max_episode_steps=20
)


def test_a2c_history_and_logs():
    h = train_a2c(QUICK_A2C, seed=0).history
    assert h.eval_steps == [800, 1600]
    # Pendulum episodes last 200 steps: 8 envs x 200 steps = 1600
    assert h.env_steps == [1600] * 8 and len(h.episode_return) == 8
    assert h.log_steps == [400, 800, 1200, 1600]
    assert set(h.logs) == {"actor_loss", "critic_loss", "entropy"}
    assert all(len(v) == 4 for v in h.logs.values())


def test_a2c_same_seed_same_history():
    a, b = train_a2c(QUICK_A2C, seed=1), train_a2c(QUICK_A2C, seed=1)
    assert a.history.episode_return == b.history.episode_return
    assert a.history.logs == b.history.logs
    c = train_a2c(QUICK_A2C, seed=2)
    assert c.history.episode_return != a.history.episode_return


def test_a2c_uses_the_readers_loss_and_classes():
    calls = []

    def counting(*args):
        calls.append(args[0].shape)
        return a2c_losses(*args)

    class MyActor(GaussianPolicy):
        pass

    class MyCritic(ValueNetwork):
        pass

    result = train_a2c(
        dataclasses.replace(QUICK_A2C, total_steps=80, eval_every=80),
        seed=0,
        loss_fn=counting,
        actor_cls=MyActor,
        critic_cls=MyCritic,
    )
    assert calls == [(8,)] * 10  # one update per step of the 8 envs
    assert type(result.actor) is MyActor
    assert type(result.critic) is MyCritic


@pytest.mark.parametrize("train", ["train_a2c", "fit_critic_td"])
def test_truncation_bootstraps_infinite_horizon(train):
    """In the spirit of Stable-Baselines3's infinite-horizon test: under a
    20-step time limit, the constant-reward task still has
    V = 1 / (1 - 0.9) = 10. Treating the limit as terminal biases V
    towards 1 / (1 - 0.9 * 19 / 20) = 6.9."""
    config = A2CConfig(
        env_id="ConstantReward-v0",
        n_envs=4,
        total_steps=6_000,
        gamma=0.9,
        critic_lr=1e-2,
        reward_scale=1.0,
        max_grad_norm=None,
        eval_every=6_000,
        eval_episodes=1,
    )
    obs = torch.zeros(1)
    values = {}
    for bootstrap in (True, False):
        c = dataclasses.replace(config, bootstrap_truncated=bootstrap)
        if train == "train_a2c":
            critic = train_a2c(c, seed=0).critic
        else:
            torch.manual_seed(0)
            policy = GaussianPolicy(1, [-1.0], [1.0])
            critic = fit_critic_td(policy, c, seed=0)
        values[bootstrap] = critic(obs).item()
    assert values[True] == pytest.approx(10.0, abs=0.3)
    assert values[False] == pytest.approx(1 / (1 - 0.9 * 19 / 20), abs=0.5)


@pytest.mark.parametrize(
    "bad",
    [
        dict(n_envs=0),
        dict(entropy_coef=-0.1),
        dict(max_grad_norm=0.0),
        dict(reward_scale=0.0),
        dict(total_steps=0),
    ],
)
def test_a2c_config_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="must be"):
        A2CConfig(**bad)


def test_a2c_logs_a_short_run_too():
    config = dataclasses.replace(
        QUICK_A2C, total_steps=400, eval_every=400, log_every=2_000
    )
    h = train_a2c(config, seed=0).history
    assert h.log_steps == [400] and len(h.logs["entropy"]) == 1


# --- parallel A2C (chapter 4) ------------------------------------------------

QUICK_PAR = ParallelA2CConfig(
    total_steps=800,
    n_envs=4,
    n_steps=5,
    eval_every=400,
    eval_episodes=2,
    log_every=200,
)


def test_parallel_a2c_history_and_logs():
    h = train_parallel_a2c(QUICK_PAR, seed=0).history
    assert h.eval_steps == [400, 800]
    assert h.log_steps == [200, 400, 600, 800]
    assert set(h.logs) == {"loss", "entropy", "value_error"}
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 800
    assert all(w >= 0 for w in h.wall_time)
    assert sum(h.episode_return) <= 800  # CartPole pays 1 per step


def test_parallel_a2c_same_seed_same_history_in_both_modes():
    a = train_parallel_a2c(QUICK_PAR, seed=3)
    b = train_parallel_a2c(
        dataclasses.replace(QUICK_PAR, vectorization="async"), seed=3
    )
    assert a.history.episode_return == b.history.episode_return
    assert a.history.logs == b.history.logs


def test_parallel_a2c_uses_the_readers_functions():
    shapes = []

    def recording_returns(reward, next_value, terminated, truncated, gamma):
        shapes.append(tuple(reward.shape))
        return n_step_returns(reward, next_value, terminated, truncated, gamma)

    def recording_loss(*args):
        shapes.append(tuple(args[0].shape))
        return a2c_loss(*args)

    train_parallel_a2c(
        dataclasses.replace(QUICK_PAR, total_steps=40, eval_every=40),
        seed=0,
        loss_fn=recording_loss,
        returns_fn=recording_returns,
    )
    assert shapes == [(5, 4)] * 4  # two updates of T x N = 5 x 4


def test_parallel_a2c_scales_rewards_for_the_learner_only():
    seen = []

    def recording_returns(reward, next_value, terminated, truncated, gamma):
        seen.append(reward.clone())
        return n_step_returns(reward, next_value, terminated, truncated, gamma)

    config = dataclasses.replace(
        QUICK_PAR, total_steps=40, eval_every=40, reward_scale=0.1
    )
    h = train_parallel_a2c(config, 0, returns_fn=recording_returns).history
    assert all(torch.allclose(r, torch.full_like(r, 0.1)) for r in seen)
    # the history keeps the environment's own returns: 1 per CartPole step
    assert all(r == int(r) and r >= 1 for r in h.episode_return)


def test_parallel_a2c_orthogonal_init_starts_near_uniform():
    config = dataclasses.replace(
        QUICK_PAR, total_steps=20, eval_every=20, orthogonal_init=True
    )
    actor = train_parallel_a2c(config, seed=0).actor
    probs = torch.softmax(actor(torch.randn(64, 4)), dim=-1)
    assert (probs - 0.5).abs().max() < 0.05  # output gain 0.01


def test_parallel_a2c_step_size_decays_linearly_to_lr_end():
    from actorcritic import training

    seen = []
    original = torch.optim.Adam.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = spy
    try:
        training.train_parallel_a2c(
            dataclasses.replace(QUICK_PAR, lr=1e-3, lr_end=2e-4), seed=0
        )
    finally:
        torch.optim.Adam.step = original
    assert len(seen) == 40  # 800 steps / (5 x 4)
    assert seen[0] == pytest.approx(1e-3)
    assert seen[-1] == pytest.approx(2e-4 + 0.8e-3 / 40)
    steps = np.diff(seen)
    assert np.allclose(steps, steps[0])  # linear


@pytest.mark.parametrize(
    "bad",
    [
        dict(n_steps=0),
        dict(lr_end=1.0),
        dict(vectorization="threads"),
        dict(value_coef=-1.0),
    ],
)
def test_parallel_a2c_config_rejects_bad_values(bad):
    with pytest.raises(ValueError, match="must be"):
        ParallelA2CConfig(**bad)


def test_train_seconds_exclude_evaluations():
    import time

    start = time.perf_counter()
    h = train_parallel_a2c(QUICK_PAR, seed=0).history
    total = time.perf_counter() - start
    assert 0 < h.train_seconds < total
    assert h.wall_time[-1] <= h.train_seconds


def test_parallel_a2c_rejects_a_non_positive_step_size():
    with pytest.raises(ValueError, match="lr must be positive"):
        ParallelA2CConfig(lr=0.0)


# --- flat parameters ---------------------------------------------------------


def test_flat_parameters_keep_modules_and_gradients_unchanged():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 4), nn.Sequential(nn.Linear(4, 2), nn.Tanh())
    a_ref, b_ref = copy.deepcopy(a), copy.deepcopy(b)
    flat = flat_parameters(a, b)
    assert flat.numel() == sum(
        p.numel() for p in [*a_ref.parameters(), *b_ref.parameters()]
    )
    x = torch.randn(5, 3)
    for model_a, model_b in ((a, b), (a_ref, b_ref)):
        model_b(model_a(x)).pow(2).sum().backward()
    for p, ref in zip(
        [*a.parameters(), *b.parameters()],
        [*a_ref.parameters(), *b_ref.parameters()],
        strict=True,
    ):
        assert torch.equal(p, ref) and torch.allclose(p.grad, ref.grad)
    # the gradients landed in flat.grad, and a step on flat moves the modules
    assert flat.grad.abs().sum() > 0
    before = a.weight.detach().clone()
    torch.optim.SGD([flat], lr=0.1).step()
    assert torch.allclose(a.weight, before - 0.1 * a_ref.weight.grad)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_clip_flat_grad_matches_the_library_to_the_bit(scale):
    torch.manual_seed(0)
    flat = flat_parameters(nn.Linear(30, 20))
    gradient = torch.randn_like(flat) * scale
    flat.grad.copy_(gradient)
    expected_norm = nn.utils.clip_grad_norm_(flat, 0.5)
    expected = flat.grad.clone()
    flat.grad.copy_(gradient)
    norm = clip_flat_grad_(flat, 0.5)
    assert torch.equal(flat.grad, expected) and torch.equal(
        norm, expected_norm
    )
    assert float(flat.grad.norm()) <= 0.5 + 1e-6


def test_flat_parameters_needs_parameters():
    with pytest.raises(ValueError, match="modules with parameters"):
        flat_parameters(nn.Tanh())


# --- chapter 5: episodic policy-gradient variants ---------------------------

QUICK_EPG = EpisodicPGConfig(
    env_id="CartPole-v1",
    episodes_per_batch=4,
    total_steps=600,
    hidden=(16,),
    log_every=100,
)


@pytest.mark.parametrize("variant", sorted(PG_VARIANTS))
def test_every_variant_trains_and_logs(variant):
    baseline, uses_entropy = PG_VARIANTS[variant]
    config = dataclasses.replace(
        QUICK_EPG, baseline=baseline, entropy_coef=0.01 if uses_entropy else 0
    )
    trained = train_episodic_pg(config, seed=0)
    h = trained.history
    assert set(h.logs) == {"policy_loss", "baseline", "entropy"}
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] >= 600
    assert h.episode_return == pytest.approx(
        np.diff([0, *h.env_steps]).tolist()
    )  # CartPole pays 1 per step
    assert all(0.0 <= e <= 1.0 for e in h.logs["entropy"])
    assert (trained.critic is not None) == (baseline == "value")
    if baseline == "none":
        assert all(b == 0.0 for b in h.logs["baseline"])


def test_episodic_pg_same_seed_same_history():
    a = train_episodic_pg(QUICK_EPG, seed=2).history
    b = train_episodic_pg(QUICK_EPG, seed=2).history
    assert a.episode_return == b.episode_return and a.logs == b.logs


def test_episodic_pg_uses_the_readers_functions():
    calls = []

    def my_q(reward, gamma, episode_end):
        calls.append("q")
        return reward_to_go(reward, gamma, episode_end)

    def my_entropy(logits):
        calls.append("entropy")
        return entropy_loss(logits)

    train_episodic_pg(QUICK_EPG, seed=0, q_fn=my_q, entropy_fn=my_entropy)
    assert calls and set(calls) == {"q", "entropy"}


@pytest.mark.parametrize(
    "bad",
    [
        dict(baseline="critic"),
        dict(episodes_per_batch=0),
        dict(entropy_coef=-0.1),
        dict(lr=0.0),
    ],
)
def test_episodic_pg_config_rejects_bad_values(bad):
    with pytest.raises(ValueError, match=next(iter(bad))):
        EpisodicPGConfig(**bad)


def test_train_until_solved_stops_at_the_first_solved_run():
    calls = []

    def fake_train(config, seed):
        calls.append(seed)
        h = History(eval_steps=[10], eval_return=[100.0 * seed])
        return Trained(actor=None, critic=None, history=h)

    config = dataclasses.replace(QUICK_PAR, stop_at_return=150.0)
    chosen, attempts = train_until_solved(config, [0, 1, 2, 3], fake_train)
    assert calls == [0, 1, 2] and len(attempts) == 3
    assert chosen is attempts[-1]
    # nobody solves: the best run is returned, after trying every seed
    config = dataclasses.replace(QUICK_PAR, stop_at_return=1_000.0)
    chosen, attempts = train_until_solved(config, [2, 0, 1], fake_train)
    assert len(attempts) == 3 and chosen is attempts[0]


def test_train_until_solved_needs_a_target_and_seeds():
    with pytest.raises(ValueError, match="stop_at_return"):
        train_until_solved(QUICK_PAR, [0])
    config = dataclasses.replace(QUICK_PAR, stop_at_return=1.0)
    with pytest.raises(ValueError, match="at least one seed"):
        train_until_solved(config, [])
