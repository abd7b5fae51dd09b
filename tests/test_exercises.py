"""Each checker accepts the reference, flags deliberately wrong versions
with a message naming the failing case, and survives stubs and crashes."""

import pytest
import torch
from torch import nn

from actorcritic import exercises
from actorcritic.exercises import check_one_step_losses, check_td_error
from actorcritic.losses import a2c_losses
from actorcritic.networks import GaussianPolicy, ValueNetwork


def run(checker, fn):
    messages = []
    returned = checker(fn, report=messages.append)
    assert len(messages) == 1
    return returned, messages[0]


# --- td_error ----------------------------------------------------------------


def td_right(reward, value, next_value, terminated, truncated, gamma):
    return reward + gamma * next_value * (1 - terminated) - value


def td_ignores_terminated(
    reward, value, next_value, terminated, truncated, gamma
):
    return reward + gamma * next_value - value


def td_stops_on_truncation(
    reward, value, next_value, terminated, truncated, gamma
):
    done = torch.clamp(terminated + truncated, max=1.0)
    return reward + gamma * next_value * (1 - done) - value


def td_fixed_gamma(reward, value, next_value, terminated, truncated, gamma):
    return reward + 0.9 * next_value * (1 - terminated) - value


def td_sign_flipped(reward, value, next_value, terminated, truncated, gamma):
    return value - (reward + gamma * next_value * (1 - terminated))


def td_target_only(reward, value, next_value, terminated, truncated, gamma):
    return reward + gamma * next_value * (1 - terminated)


def test_td_reference_and_right_answer_pass():
    for fn in (exercises.reference_td_error, td_right):
        returned, msg = run(check_td_error, fn)
        assert returned is fn
        assert "all 5 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (td_ignores_terminated, "a terminated step"),
        (td_stops_on_truncation, "a truncated step"),
        (td_fixed_gamma, "another discount"),
        (td_sign_flipped, "an ordinary step"),
        (td_target_only, "an ordinary step"),
    ],
)
def test_td_wrong_answers_name_the_case(wrong, case):
    returned, msg = run(check_td_error, wrong)
    assert returned is exercises.reference_td_error
    assert f"case '{case}" in msg
    assert "inputs:" in msg and "expected" in msg and "got" in msg


def test_td_stub_reports_not_implemented():
    def stub(reward, value, next_value, terminated, truncated, gamma):
        raise NotImplementedError

    returned, msg = run(check_td_error, stub)
    assert returned is exercises.reference_td_error
    assert "not implemented yet" in msg


def test_a_crashing_answer_does_not_crash_the_checker():
    def crashes(reward, value, next_value, terminated, truncated, gamma):
        return reward + next_value[5]

    returned, msg = run(check_td_error, crashes)
    assert returned is exercises.reference_td_error
    assert "raised IndexError" in msg


def test_wrong_signature_is_reported_not_raised():
    returned, msg = run(check_td_error, lambda reward: reward)
    assert returned is exercises.reference_td_error
    assert "raised TypeError" in msg


# --- one_step_losses ---------------------------------------------------------


def _delta(value, next_value, reward, terminated, gamma):
    return reward + gamma * next_value.detach() * (1 - terminated) - value


def losses_right(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return (-discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2))


def losses_actor_not_detached(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return -discount_weight * delta * log_prob, 0.5 * delta.pow(2)


def losses_target_not_detached(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = reward + gamma * next_value * (1 - terminated) - value
    return (-discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2))


def losses_no_discount_weight(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return -delta.detach() * log_prob, 0.5 * delta.pow(2)


def losses_actor_sign(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return (discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2))


def losses_bootstrap_terminal(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = reward + gamma * next_value.detach() - value
    return (-discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2))


def losses_critic_without_half(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return -discount_weight * delta.detach() * log_prob, delta.pow(2)


def test_one_step_reference_and_right_answer_pass():
    from actorcritic.losses import one_step_losses

    for fn in (one_step_losses, losses_right):
        returned, msg = run(check_one_step_losses, fn)
        assert returned is fn
        assert "all 3 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, needle",
    [
        (
            losses_actor_not_detached,
            "gradient of actor_loss with respect to value",
        ),
        (
            losses_target_not_detached,
            "gradient of critic_loss with respect to next_value",
        ),
        (losses_no_discount_weight, "case 'a later step"),
        (losses_actor_sign, "actor_loss: expected"),
        (losses_bootstrap_terminal, "case 'a terminated step"),
        (losses_critic_without_half, "critic_loss: expected"),
    ],
)
def test_one_step_wrong_answers_name_the_case(wrong, needle):
    from actorcritic.losses import one_step_losses

    returned, msg = run(check_one_step_losses, wrong)
    assert returned is one_step_losses
    assert needle in msg
    assert "case '" in msg and "inputs:" in msg


def test_detach_mistakes_get_a_hint():
    _, msg = run(check_one_step_losses, losses_actor_not_detached)
    assert "hint:" in msg and "detach" in msg


def test_one_step_stub_reports_not_implemented():
    from actorcritic.losses import one_step_losses

    def stub(*args, **kwargs):
        raise NotImplementedError("write me")

    returned, msg = run(check_one_step_losses, stub)
    assert returned is one_step_losses
    assert "not implemented yet" in msg


def test_one_output_instead_of_two_is_reported():
    def one_output(
        log_prob, value, next_value, reward, terminated, gamma, discount_weight
    ):
        return -log_prob

    _, msg = run(check_one_step_losses, one_output)
    assert "tuple of 2 outputs" in msg


# --- reward_to_go (chapter 1) ------------------------------------------------


def rtg_loop(reward, gamma):
    out, running = torch.zeros_like(reward), 0.0
    for t in reversed(range(len(reward))):
        running = reward[t] + gamma * running
        out[t] = running
    return out


def rtg_forward_cumsum(reward, gamma):
    return torch.cumsum(reward, 0)


def rtg_undiscounted(reward, gamma):
    return torch.flip(torch.cumsum(torch.flip(reward, [0]), 0), [0])


def rtg_whole_return(reward, gamma):
    return rtg_loop(reward, gamma)[0].repeat(len(reward))


def rtg_excludes_current_reward(reward, gamma):
    return rtg_loop(reward, gamma) - reward


def rtg_fixed_gamma(reward, gamma):
    return rtg_loop(reward, 0.99)


def rtg_discounted_from_the_start(reward, gamma):
    """gamma^t' instead of gamma^(t' - t): the discount counted from t=0."""
    weighted = reward * gamma ** torch.arange(len(reward))
    return rtg_undiscounted(weighted, 1.0)


def rtg_as_list(reward, gamma):
    return rtg_loop(reward, gamma).tolist()


def test_rtg_reference_and_right_answers_pass():
    for fn in (exercises.reference_reward_to_go, rtg_loop, rtg_as_list):
        returned, msg = run(exercises.check_reward_to_go, fn)
        assert returned is fn
        assert "all 5 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (rtg_forward_cumsum, "three rewards of 1"),
        (rtg_undiscounted, "three rewards of 1"),
        (rtg_whole_return, "three rewards of 1"),
        (rtg_excludes_current_reward, "three rewards of 1"),
        (rtg_fixed_gamma, "three rewards of 1"),
        (rtg_discounted_from_the_start, "three rewards of 1"),
    ],
)
def test_rtg_wrong_answers_name_the_case(wrong, case):
    returned, msg = run(exercises.check_reward_to_go, wrong)
    assert returned is exercises.reference_reward_to_go
    assert f"case '{case}" in msg
    assert "expected" in msg and "got" in msg


def test_rtg_stub_and_wrong_shape():
    def stub(reward, gamma):
        raise NotImplementedError

    _, msg = run(exercises.check_reward_to_go, stub)
    assert "not implemented yet" in msg
    _, msg = run(exercises.check_reward_to_go, lambda reward, gamma: 1.0)
    assert "expected shape (3,), got shape ()" in msg


# --- reinforce_loss (chapter 1) ----------------------------------------------


def pg_right(log_prob, weight):
    return -(log_prob * weight.detach()).mean()


def pg_no_minus(log_prob, weight):
    return (log_prob * weight.detach()).mean()


def pg_sum(log_prob, weight):
    return -(log_prob * weight.detach()).sum()


def pg_not_detached(log_prob, weight):
    return -(log_prob * weight).mean()


def pg_probabilities(log_prob, weight):
    return -(log_prob.exp() * weight.detach()).mean()


def pg_per_step(log_prob, weight):
    return -(log_prob * weight.detach())


def test_pg_reference_and_right_answer_pass():
    from actorcritic.losses import policy_gradient_loss

    for fn in (policy_gradient_loss, pg_right):
        returned, msg = run(exercises.check_reinforce_loss, fn)
        assert returned is fn
        assert "all 3 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, needle",
    [
        (pg_no_minus, "case 'three steps"),
        (pg_sum, "case 'three steps"),
        (pg_not_detached, "gradient of output with respect to weight"),
        (pg_probabilities, "case 'three steps"),
        (pg_per_step, "expected shape ()"),
    ],
)
def test_pg_wrong_answers_name_the_case(wrong, needle):
    from actorcritic.losses import policy_gradient_loss

    returned, msg = run(exercises.check_reinforce_loss, wrong)
    assert returned is policy_gradient_loss
    assert needle in msg
    assert "case '" in msg and "inputs:" in msg


def test_pg_missing_detach_gets_the_detach_hint():
    _, msg = run(exercises.check_reinforce_loss, pg_not_detached)
    assert "weights that carry a gradient" in msg
    assert "weight.detach()" in msg


# --- chapter 3: actor and critic forward passes, a2c_losses ------------------


def _split(actor, obs):
    raw = actor.net(obs)
    return raw[..., : actor.act_dim], raw[..., actor.act_dim :]


def _bounds(actor):
    return (actor.high + actor.low) / 2, (actor.high - actor.low) / 2


class ActorRight(GaussianPolicy):
    def forward(self, obs):
        raw_mean, raw_std = _split(self, obs)
        center, half = _bounds(self)
        return (
            center + half * torch.tanh(raw_mean),
            nn.functional.softplus(raw_std) + self.min_std,
        )


class ActorNoTanh(GaussianPolicy):
    def forward(self, obs):
        raw_mean, raw_std = _split(self, obs)
        center, half = _bounds(self)
        mean = torch.clamp(center + half * raw_mean, self.low, self.high)
        return mean, nn.functional.softplus(raw_std) + self.min_std


class ActorFixedBounds(GaussianPolicy):
    def forward(self, obs):
        raw_mean, raw_std = _split(self, obs)
        std = nn.functional.softplus(raw_std) + self.min_std
        return 2.0 * torch.tanh(raw_mean), std


class ActorNoFloor(GaussianPolicy):
    def forward(self, obs):
        raw_mean, raw_std = _split(self, obs)
        center, half = _bounds(self)
        mean = center + half * torch.tanh(raw_mean)
        return mean, nn.functional.softplus(raw_std)


class ActorSwappedHalves(GaussianPolicy):
    def forward(self, obs):
        raw_std, raw_mean = _split(self, obs)
        center, half = _bounds(self)
        mean = center + half * torch.tanh(raw_mean)
        return mean, nn.functional.softplus(raw_std) + self.min_std


class ActorWholeOutput(GaussianPolicy):
    def forward(self, obs):
        raw = self.net(obs)
        center, half = _bounds(self)
        return center + half * torch.tanh(raw), nn.functional.softplus(raw)


class ActorStub(GaussianPolicy):
    def forward(self, obs):
        raise NotImplementedError


def test_actor_reference_and_right_answer_pass():
    for cls in (GaussianPolicy, ActorRight):
        returned, msg = run(exercises.check_actor, cls)
        assert returned is cls
        assert "all 5 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (ActorNoTanh, "one observation"),
        (ActorFixedBounds, "two actions with uneven bounds"),
        (ActorNoFloor, "one observation"),
        (ActorSwappedHalves, "one observation"),
        (ActorWholeOutput, "one observation"),
    ],
)
def test_actor_wrong_answers_name_the_case(wrong, case):
    returned, msg = run(exercises.check_actor, wrong)
    assert returned is GaussianPolicy
    assert f"case '{case}" in msg and "inputs:" in msg


def test_actor_stub_and_shape_hint():
    returned, msg = run(exercises.check_actor, ActorStub)
    assert returned is GaussianPolicy and "not implemented yet" in msg
    _, msg = run(exercises.check_actor, ActorWholeOutput)
    assert "expected shape (1,), got shape (2,)" in msg
    assert "hint: split" in msg


class CriticKeepsAxis(ValueNetwork):
    def forward(self, obs):
        return self.net(obs)


class CriticSqueezesAll(ValueNetwork):
    def forward(self, obs):
        return self.net(obs).squeeze()


class CriticRight(ValueNetwork):
    def forward(self, obs):
        return self.net(obs)[..., 0]


def test_critic_reference_and_right_answer_pass():
    for cls in (ValueNetwork, CriticRight):
        returned, msg = run(exercises.check_critic, cls)
        assert returned is cls and "all 4 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (CriticKeepsAxis, "one observation"),
        (CriticSqueezesAll, "a batch of one"),
    ],
)
def test_critic_shape_mistakes_name_the_case(wrong, case):
    returned, msg = run(exercises.check_critic, wrong)
    assert returned is ValueNetwork
    assert f"case '{case}" in msg and "squeeze(-1)" in msg


def _a2c_target(next_value, reward, terminated, gamma):
    return reward + gamma * (1 - terminated) * next_value.detach()


def a2c_right(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    adv = _a2c_target(next_value, reward, terminated, gamma) - value
    actor = (-adv.detach() * log_prob).mean() - entropy_coef * entropy.mean()
    return actor, adv.pow(2).mean() / 2


def a2c_mask_ignored(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    zeros = torch.zeros_like(terminated)
    return a2c_right(
        log_prob,
        entropy,
        value,
        next_value,
        reward,
        zeros,
        gamma,
        entropy_coef,
    )


def a2c_advantage_not_detached(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    adv = _a2c_target(next_value, reward, terminated, gamma) - value
    actor = (-adv * log_prob).mean() - entropy_coef * entropy.mean()
    return actor, adv.pow(2).mean() / 2


def a2c_entropy_sign(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    actor, critic = a2c_right(
        log_prob, entropy, value, next_value, reward, terminated, gamma, 0.0
    )
    return actor + entropy_coef * entropy.mean(), critic


def a2c_target_not_detached(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    adv = reward + gamma * (1 - terminated) * next_value - value
    actor = (-adv.detach() * log_prob).mean() - entropy_coef * entropy.mean()
    return actor, adv.pow(2).mean() / 2


def a2c_fixed_gamma(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    return a2c_right(
        log_prob, entropy, value, next_value, reward, terminated, 0.9, 0.01
    )


def a2c_sum_not_mean(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    adv = _a2c_target(next_value, reward, terminated, gamma) - value
    actor = (-adv.detach() * log_prob).sum() - entropy_coef * entropy.sum()
    return actor, adv.pow(2).sum() / 2


def a2c_per_transition(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    adv = _a2c_target(next_value, reward, terminated, gamma) - value
    return -adv.detach() * log_prob - entropy_coef * entropy, adv.pow(2) / 2


def test_a2c_reference_and_right_answer_pass():
    for fn in (a2c_losses, a2c_right):
        returned, msg = run(exercises.check_a2c_losses, fn)
        assert returned is fn and "all 4 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, needle",
    [
        (a2c_mask_ignored, "case 'the second transition is terminal"),
        (
            a2c_advantage_not_detached,
            "gradient of actor_loss with respect to value",
        ),
        (a2c_entropy_sign, "actor_loss: expected"),
        (
            a2c_target_not_detached,
            "gradient of critic_loss with respect to next_value",
        ),
        (a2c_fixed_gamma, "case 'a larger entropy bonus"),
        (a2c_sum_not_mean, "case 'three ordinary transitions"),
        (a2c_per_transition, "expected shape ()"),
    ],
)
def test_a2c_wrong_answers_name_the_case(wrong, needle):
    returned, msg = run(exercises.check_a2c_losses, wrong)
    assert returned is a2c_losses
    assert needle in msg and "inputs:" in msg


def test_a2c_entropy_sign_gets_a_hint():
    _, msg = run(exercises.check_a2c_losses, a2c_entropy_sign)
    assert "hint:" in msg and "subtract" in msg


# --- chapter 4: n_step_returns and a2c_loss ---------------------------------


def returns_loop(reward, next_value, terminated, truncated, gamma):
    out = torch.zeros_like(reward)
    T = reward.shape[0]
    for i in range(reward.shape[1]):
        g = next_value[T - 1, i]
        for t in reversed(range(T)):
            if truncated[t, i]:
                g = next_value[t, i]
            g = reward[t, i] + gamma * (1 - terminated[t, i]) * g
            out[t, i] = g
    return out


def returns_ignore_terminated(
    reward, next_value, terminated, truncated, gamma
):
    zeros = torch.zeros_like(terminated)
    return returns_loop(reward, next_value, zeros, truncated, gamma)


def returns_truncation_as_termination(
    reward, next_value, terminated, truncated, gamma
):
    done = torch.clamp(terminated + truncated, max=1.0)
    return returns_loop(
        reward, next_value, done, torch.zeros_like(done), gamma
    )


def returns_no_final_bootstrap(
    reward, next_value, terminated, truncated, gamma
):
    next_value = next_value.clone()
    next_value[-1] = 0.0
    return returns_loop(reward, next_value, terminated, truncated, gamma)


def returns_truncation_ignored(
    reward, next_value, terminated, truncated, gamma
):
    return returns_loop(
        reward, next_value, terminated, torch.zeros_like(truncated), gamma
    )


def returns_fixed_gamma(reward, next_value, terminated, truncated, gamma):
    return returns_loop(reward, next_value, terminated, truncated, 0.9)


def returns_one_step(reward, next_value, terminated, truncated, gamma):
    return reward + gamma * (1 - terminated) * next_value


def test_n_step_reference_and_right_answer_pass():
    from actorcritic.returns import n_step_returns

    for fn in (n_step_returns, returns_loop):
        returned, msg = run(exercises.check_n_step_returns, fn)
        assert returned is fn and "all 5 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (returns_ignore_terminated, "a termination at t = 1"),
        (returns_truncation_as_termination, "a truncation at t = 0"),
        (returns_no_final_bootstrap, "one env, three steps"),
        (returns_truncation_ignored, "a truncation at t = 0"),
        (returns_fixed_gamma, "one env, three steps"),
        (returns_one_step, "one env, three steps"),
    ],
)
def test_n_step_wrong_answers_name_the_case(wrong, case):
    from actorcritic.returns import n_step_returns

    returned, msg = run(exercises.check_n_step_returns, wrong)
    assert returned is n_step_returns
    assert f"case '{case}" in msg and "inputs:" in msg and "hint:" in msg


def loss_right(log_prob, entropy, value, returns, value_coef, entropy_coef):
    adv = returns.detach() - value
    return (
        -(adv.detach() * log_prob).mean()
        + value_coef * adv.pow(2).mean()
        - entropy_coef * entropy.mean()
    )


def loss_advantage_not_detached(
    log_prob, entropy, value, returns, value_coef, entropy_coef
):
    adv = returns.detach() - value
    return (
        -(adv * log_prob).mean()
        + value_coef * adv.pow(2).mean()
        - entropy_coef * entropy.mean()
    )


def loss_entropy_sign(
    log_prob, entropy, value, returns, value_coef, entropy_coef
):
    return loss_right(
        log_prob, -entropy, value, returns, value_coef, entropy_coef
    )


def loss_returns_not_detached(
    log_prob, entropy, value, returns, value_coef, entropy_coef
):
    adv = returns - value
    return (
        -(adv.detach() * log_prob).mean()
        + value_coef * adv.pow(2).mean()
        - entropy_coef * entropy.mean()
    )


def loss_fixed_coefficients(
    log_prob, entropy, value, returns, value_coef, entropy_coef
):
    return loss_right(log_prob, entropy, value, returns, 0.5, 0.01)


def loss_half_value(
    log_prob, entropy, value, returns, value_coef, entropy_coef
):
    return loss_right(
        log_prob, entropy, value, returns, value_coef / 2, entropy_coef
    )


def test_a2c_loss_reference_and_right_answer_pass():
    from actorcritic.losses import a2c_loss

    for fn in (a2c_loss, loss_right):
        returned, msg = run(exercises.check_a2c_loss, fn)
        assert returned is fn and "all 2 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, needle",
    [
        (
            loss_advantage_not_detached,
            "gradient of output with respect to value",
        ),
        (loss_entropy_sign, "output: expected"),
        (loss_returns_not_detached, "with respect to returns"),
        (loss_fixed_coefficients, "case 'value_coef = 1"),
        (loss_half_value, "output: expected"),
    ],
)
def test_a2c_loss_wrong_answers_name_the_case(wrong, needle):
    from actorcritic.losses import a2c_loss

    returned, msg = run(exercises.check_a2c_loss, wrong)
    assert returned is a2c_loss
    assert needle in msg and "inputs:" in msg


# --- chapter 5: q_values and entropy_loss -----------------------------------


def q_loop(reward, gamma, episode_end):
    out, running = torch.zeros_like(reward), 0.0
    for t in reversed(range(reward.shape[0])):
        if episode_end[t]:
            running = 0.0
        running = reward[t] + gamma * running
        out[t] = running
    return out


def q_leaks_across_episodes(reward, gamma, episode_end):
    return q_loop(reward, gamma, torch.zeros_like(episode_end))


def q_fixed_gamma(reward, gamma, episode_end):
    return q_loop(reward, 0.99, episode_end)


def q_bool_arithmetic(reward, gamma, episode_end):
    # 1 - bool tensor raises in PyTorch
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


def test_q_values_reference_and_right_answer_pass():
    for fn in (exercises.reference_q_values, q_loop):
        returned, msg = run(exercises.check_q_values, fn)
        assert returned is fn and "all 5 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (q_leaks_across_episodes, "two episodes end to end"),
        (q_fixed_gamma, "one episode of three steps"),
        (q_bool_arithmetic, "episode_end given as booleans"),
        (q_forward_sum, "one episode of three steps"),
    ],
)
def test_q_values_wrong_answers_name_the_case(wrong, case):
    returned, msg = run(exercises.check_q_values, wrong)
    assert returned is exercises.reference_q_values
    assert f"case '{case}" in msg and "inputs:" in msg


def entropy_right(logits):
    p = torch.softmax(logits, -1)
    log_p = torch.log_softmax(logits, -1)
    h = -(p * log_p).sum(-1)
    return -h.mean() / torch.log(torch.tensor(float(logits.shape[-1])))


def entropy_log_of_softmax(logits):
    p = torch.softmax(logits, -1)
    h = -(p * torch.log(p)).sum(-1)
    return -h.mean() / torch.log(torch.tensor(float(logits.shape[-1])))


def entropy_not_normalised(logits):
    return entropy_right(logits) * torch.log(
        torch.tensor(float(logits.shape[-1]))
    )


def entropy_fixed_four_actions(logits):
    return (
        entropy_right(logits)
        * torch.log(torch.tensor(float(logits.shape[-1])))
        / torch.log(torch.tensor(4.0))
    )


def entropy_wrong_sign(logits):
    return -entropy_right(logits)


def entropy_sum_not_mean(logits):
    return entropy_right(logits) * logits.shape[0]


def test_entropy_reference_and_right_answer_pass():
    from actorcritic.losses import entropy_loss

    for fn in (entropy_loss, entropy_right):
        returned, msg = run(exercises.check_entropy_loss, fn)
        assert returned is fn and "all 4 cases pass" in msg


@pytest.mark.parametrize(
    "wrong, case",
    [
        (entropy_log_of_softmax, "a nearly deterministic policy"),
        (entropy_not_normalised, "uniform policy over 4 actions"),
        (entropy_fixed_four_actions, "two actions"),
        (entropy_wrong_sign, "uniform policy over 4 actions"),
        (entropy_sum_not_mean, "uniform policy over 4 actions"),
    ],
)
def test_entropy_wrong_answers_name_the_case(wrong, case):
    from actorcritic.losses import entropy_loss

    returned, msg = run(exercises.check_entropy_loss, wrong)
    assert returned is entropy_loss
    assert f"case '{case}" in msg and "inputs:" in msg and "hint:" in msg
