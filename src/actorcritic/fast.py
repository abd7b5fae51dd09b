"""The fast path: the same maths as the teaching code, written out for
speed.

The chapters teach with modules and autograd (:mod:`actorcritic.networks`,
:mod:`actorcritic.losses`). With networks this small and batches this
small, a large share of each gradient step goes to the autograd engine's
bookkeeping and to module dispatch rather than to arithmetic (about a
quarter of an A2C update, a third to a half of a PPO minibatch step). So
``train_parallel_a2c`` (chapters 4 to 6) and ``train_ppo`` (chapter 6)
take their steps through the functions here when they are given the
package's own losses:

- :func:`run_mlp`, :func:`mlp_forward` and :func:`mlp_backward`: an
  :func:`~actorcritic.networks.mlp` as a function of its weights, and its
  backward pass, the operations autograd runs for ``F.linear`` and
  the hidden activation (``tanh``, or ``relu`` for chapter 7);
- :func:`a2c_gradients_by_hand`: the gradients of
  :func:`~actorcritic.losses.a2c_loss` through both networks, each
  operation the one autograd runs, in autograd's order;
- :func:`ppo_loss_and_grads` and :func:`ppo_gradients_by_hand`: one
  minibatch of :func:`~actorcritic.losses.ppo_loss` for a categorical
  policy, with the loss's gradient derived by hand.

Two more pieces of the same kind live beside what they speed up:
:class:`~actorcritic.rollouts.NumpyActor` samples actions in NumPy to
collect rollouts, and :class:`~actorcritic.optim.FlatAdam` is Adam on one
flat tensor with the gradient clipping folded in.
:mod:`actorcritic.fast_off_policy` does for chapter 7's SAC and TD3
what this module does for A2C and PPO.

Each is tested against autograd: the networks' backward pass and the A2C
gradients bit for bit, on torch 2.13 on a CPU (``tests/test_fast.py``:
single steps at the chapters' sizes and short runs; so a chapter's A2C
numbers are the same either way), the PPO loss's gradient in float64 to
1e-12 (its formula is not autograd's sequence of operations, so in
float32 it differs by rounding; and where a ratio sits exactly on a clip
bound the two take different subgradients) and :class:`FlatAdam` against
``torch.optim.Adam`` to rounding. ``benchmarks/bench_ppo.py`` and
``bench_parallel_a2c.py`` measure what each saves.

``torch.compile`` (inductor, CPU) of the autograd versions does not pay
for itself at the chapters' sizes (``benchmarks/bench_compile.py``,
compile time included, one run on the 2-core development machine):
compiling the forward pass and the loss, the teaching code as it is,
made chapter 6's 63,488 PPO steps 1.8 to 2.0 times as long as this
path, and chapter 4's and 5's A2C updates 6 to 8.5 times as long (the
compiler's start-up and compile, 25 to 35 s, dwarf runs of 5 s). Only
a rewrite of the whole step as one pure function (``torch.func`` for
the gradient, Adam as tensor operations) beat it per step, by a
quarter, for PPO; 1.4 times as long end to end, it would break even
only in a process that trains about two and a half chapter runs' worth
of steps (the compiler's start-up is paid once per process).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from actorcritic.losses import check_same_shape

Weights = list[tuple[torch.Tensor, torch.Tensor]]  # (weight, bias) per layer


def mlp_weights(net: nn.Sequential) -> Weights:
    """The ``(weight, bias)`` of each linear layer of an :func:`mlp`, in
    order: the parameters themselves, for :func:`run_mlp`."""
    return [(m.weight, m.bias) for m in net if isinstance(m, nn.Linear)]


def weights_and_grads(
    *modules: nn.Module,
) -> tuple[list[Weights], list[Weights]]:
    """For modules that hold an :func:`mlp` as ``.net`` (a policy, a
    critic): the :func:`mlp_weights` of each, and where
    :func:`mlp_backward` writes each one's gradients, its parameters'
    ``.grad`` (views of the flat gradient after
    :func:`~actorcritic.optim.flat_parameters`)."""
    weights = [mlp_weights(m.net) for m in modules]
    if any(w.grad is None for ws in weights for pair in ws for w in pair):
        raise ValueError("weights_and_grads needs parameters with a .grad")
    grads = [[(w.grad, b.grad) for w, b in ws] for ws in weights]
    return weights, grads


def run_mlp(weights: Weights, x: torch.Tensor) -> torch.Tensor:
    """``net(x)`` for the :func:`mlp` whose :func:`mlp_weights` are
    ``weights``, without ``nn.Module``'s dispatch: the same operations and
    the same numbers, about 10 µs less per network call on a minibatch of
    64, which PPO's 60,000 gradient steps feel."""
    for weight, bias in weights[:-1]:
        x = torch.tanh(F.linear(x, weight, bias))
    weight, bias = weights[-1]
    return F.linear(x, weight, bias)


def relu_backward(grad: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """What autograd runs for ``out = relu(x)``: ``grad`` where ``out >
    0``, else 0."""
    return torch.ops.aten.threshold_backward(grad, out, 0)


# each hidden activation, and the backward autograd runs for it (from
# the gradient and the activation's output)
ACTIVATIONS = {
    "tanh": (torch.tanh, torch.ops.aten.tanh_backward),
    "relu": (torch.relu, relu_backward),
}


def mlp_forward(
    weights: Weights, x: torch.Tensor, activation: str = "tanh"
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """:func:`run_mlp`'s output ``(B, out)`` for inputs ``(B, in)``, and
    the input of each layer (``x``, then each hidden layer's activation),
    which :func:`mlp_backward` needs. Call it under ``torch.no_grad()``.
    ``activation``: the hidden layers', ``"tanh"`` (chapters 1 to 6) or
    ``"relu"`` (chapter 7)."""
    act = ACTIVATIONS[activation][0]
    inputs = [x]
    for weight, bias in weights[:-1]:
        x = act(F.linear(x, weight, bias))
        inputs.append(x)
    weight, bias = weights[-1]
    return F.linear(x, weight, bias), inputs


def mlp_backward(
    weights: Weights,
    inputs: list[torch.Tensor],
    grad_out: torch.Tensor,
    grads: Weights,
    activation: str = "tanh",
) -> None:
    """Backpropagate ``grad_out`` ``(B, out)``, the gradient of a loss
    with respect to an :func:`mlp`'s output, through the network that
    :func:`mlp_forward` ran (with the same ``activation``), and write
    each layer's weight and bias gradients into ``grads`` (same shapes
    as ``weights``; for example the parameters' ``.grad``), overwriting
    them.

    The operations autograd runs for ``F.linear`` and the activation, so the
    same numbers bit for bit. Each product lands in a new tensor and is
    then copied: a matrix product written straight into a view of
    :func:`~actorcritic.optim.flat_parameters`' gradient can round
    differently, the view's address being aligned differently.
    """
    if len(inputs) != len(weights) or len(grads) != len(weights):
        raise ValueError(
            f"need one input and one (weight, bias) gradient per layer: "
            f"{len(weights)} layers, {len(inputs)} inputs, {len(grads)} "
            "gradients"
        )
    backward = ACTIVATIONS[activation][1]
    g = grad_out  # (B, width of layer i's output)
    for i in range(len(weights) - 1, -1, -1):
        weight_grad, bias_grad = grads[i]
        weight_grad.copy_(torch.mm(g.t(), inputs[i]))  # (out, in)
        bias_grad.copy_(g.sum(0))  # (out,)
        if i:  # through the layer, then the activation that made its input
            g = backward(g.mm(weights[i][0]), inputs[i])


def critic_values(
    weights: Weights, obs: torch.Tensor, next_obs: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, list[torch.Tensor]]:
    """V(s_t) and V(s'_t), ``(T, N)`` each, from one call of the critic
    ``weights`` on observations and next observations ``(T, N, obs_dim)``,
    as ``train_parallel_a2c`` computes them; and the layers' inputs, for
    :func:`a2c_gradients_by_hand`."""
    both = torch.cat([obs, next_obs])  # (2T, N, obs_dim)
    with torch.no_grad():
        out, inputs = mlp_forward(weights, both.flatten(0, 1))  # (2TN, 1)
    values = out.view(both.shape[:-1])  # (2T, N)
    T = obs.shape[0]
    return values[:T], values[T:], inputs


def a2c_gradients_by_hand(
    weights: tuple[Weights, Weights],
    grads: tuple[Weights, Weights],
    obs: torch.Tensor,
    action: torch.Tensor,
    returns: torch.Tensor,
    critic: tuple[torch.Tensor, list[torch.Tensor]],
    value_coef: float,
    entropy_coef: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The gradients of :func:`~actorcritic.losses.a2c_loss` for a
    categorical actor and a critic given as ``weights = (actor, critic)``
    (:func:`mlp_weights` each) on a rollout of observations
    ``(T, N, obs_dim)``, actions ``(T, N)`` and targets ``returns``
    ``(T, N)``, without autograd: writes the gradients into ``grads``
    (the same layout, e.g. views of the flat gradient) and returns the
    loss and the entropies ``(T, N)``.

    ``critic`` is ``(value, inputs)``: V(s_t) ``(T, N)`` and the layers'
    inputs from :func:`critic_values`, whose call also made the next
    values that ``returns`` bootstrapped from. Every operation is the one
    ``loss.backward()`` runs on ``actor.log_prob_entropy``, the critic
    and ``a2c_loss``, in its order, so the gradients are autograd's bit
    for bit (``tests/test_fast.py``)."""
    value, critic_inputs = critic
    T, N = action.shape
    check_same_shape(action=action, returns=returns, value=value)
    n = T * N
    with torch.no_grad():
        logits, actor_inputs = mlp_forward(weights[0], obs.flatten(0, 1))
        # the forward pass of log_prob_entropy and a2c_loss
        log_p = torch.log_softmax(logits.view(T, N, -1), -1)  # (T, N, A)
        index = action.long().unsqueeze(-1)  # (T, N, 1)
        log_prob = log_p.gather(-1, index).squeeze(-1)  # (T, N)
        p = log_p.exp()
        entropy = -(p * log_p).sum(-1)  # (T, N)
        error = returns - value  # (T, N): the advantage, detached
        loss = (
            -(error * log_prob).mean()
            + value_coef * error.pow(2).mean()
            - entropy_coef * entropy.mean()
        )
        # backward, node by node; one = d loss / d loss
        one = torch.ones(())
        d_entropy = (-one * entropy_coef).expand(T, N) / n  # (T, N)
        d_plogp = (-d_entropy).unsqueeze(-1).expand_as(log_p)  # (T, N, A)
        d_log_prob = (-one).expand(T, N) / n * error  # (T, N)
        # the three paths into log_p, summed in the engine's order:
        # p * log_p directly, through p = exp(log_p), through gather
        d_log_p = (
            d_plogp * p
            + d_plogp * log_p * p
            + torch.zeros_like(log_p).scatter_add_(
                -1, index, d_log_prob.unsqueeze(-1)
            )
        )
        d_logits = torch._log_softmax_backward_data(
            d_log_p, log_p, -1, log_p.dtype
        )  # (T, N, A)
        d_logits = d_logits.flatten(0, 1)  # (TN, A)
        mlp_backward(weights[0], actor_inputs, d_logits, grads[0])
        # the critic: d value_loss, on the first T rows of its 2T
        d_value = -((one * value_coef).expand(T, N) / n * (2.0 * error))
        d_values = torch.zeros(2 * T, N)
        d_values[:T] = d_value
        mlp_backward(weights[1], critic_inputs, d_values.view(-1, 1), grads[1])
    return loss, entropy


def ppo_loss_and_grads(
    logits: torch.Tensor,
    action: torch.Tensor,
    old_log_prob: torch.Tensor,
    advantage: torch.Tensor,
    value: torch.Tensor,
    returns: torch.Tensor,
    clip: float,
    value_coef: float,
    entropy_coef: float,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """:func:`~actorcritic.losses.ppo_loss` for a categorical policy, from
    its logits ``(B, A)``, the actions ``(B,)`` and the data ``(B,)``,
    and its gradients, without autograd: ``(loss, d_logits, d_value)``,
    the gradients with respect to the logits ``(B, A)`` and the values
    ``(B,)``. The formula is derived by hand (equal to autograd's result
    in float64 to 1e-12, tested), so in float32 it rounds differently;
    where the ratio sits exactly on a clip bound, it takes the gradient
    0 (autograd passes the unclipped term's): both are subgradients."""
    check_same_shape(
        old_log_prob=old_log_prob,
        advantage=advantage,
        value=value,
        returns=returns,
    )
    if logits.shape[:-1] != value.shape or action.shape != value.shape:
        raise ValueError(
            "expected logits (B, A), actions and values (B,), got "
            f"{tuple(logits.shape)}, {tuple(action.shape)} and "
            f"{tuple(value.shape)}"
        )
    if clip <= 0:
        raise ValueError(f"clip must be positive, got {clip}")
    action = action.long()
    with torch.no_grad():
        log_p = torch.log_softmax(logits, -1)  # (B, A)
        p = log_p.exp()
        entropy = -(p * log_p).sum(-1)  # (B,)
        log_prob = log_p.gather(-1, action[:, None]).squeeze(-1)  # (B,)
        ratio = torch.exp(log_prob - old_log_prob)
        clipped = ratio.clamp(1.0 - clip, 1.0 + clip)
        surrogate = torch.min(ratio * advantage, clipped * advantage)
        error = returns - value
        loss = (
            -surrogate + value_coef * error.pow(2) - entropy_coef * entropy
        ).mean()
        # the unclipped term is the one that counts (and has a gradient)
        # where the ratio is inside the range, or outside it on the side
        # the advantage does not favour
        active = torch.where(
            advantage >= 0, ratio < 1.0 + clip, ratio > 1.0 - clip
        )
        scale = torch.ones_like(loss) / ratio.shape[0]
        # d loss / d log pi(a|s), then through log_softmax
        d_log_prob = -scale * advantage * ratio * active  # (B,)
        d_logits = -p * d_log_prob[:, None]  # (B, A)
        d_logits.scatter_add_(-1, action[:, None], d_log_prob[:, None])
        # the entropy bonus: d H / d z_j = -p_j (log p_j + H)
        d_logits += (entropy_coef * scale) * p * (log_p + entropy[:, None])
        d_value = (-2.0 * value_coef) * scale * error
    return loss, d_logits, d_value


def ppo_gradients_by_hand(
    weights: tuple[list, list],
    grads: tuple[list, list],
    obs: torch.Tensor,
    action: torch.Tensor,
    old_log_prob: torch.Tensor,
    advantage: torch.Tensor,
    returns: torch.Tensor,
    clip: float,
    value_coef: float,
    entropy_coef: float,
) -> torch.Tensor:
    """One minibatch of :func:`~actorcritic.losses.ppo_loss` for an actor
    and a critic given as ``weights = (actor, critic)``
    (:func:`mlp_weights` each), without autograd:
    writes the gradients into ``grads`` (the same layout, for example
    views of the flat gradient) and returns the loss:
    :func:`ppo_loss_and_grads` between :func:`mlp_forward` and
    :func:`mlp_backward`."""
    with torch.no_grad():
        logits, actor_in = mlp_forward(weights[0], obs)  # (B, A)
        value, critic_in = mlp_forward(weights[1], obs)  # (B, 1)
        loss, d_logits, d_value = ppo_loss_and_grads(
            logits,
            action,
            old_log_prob,
            advantage,
            value.squeeze(-1),
            returns,
            clip,
            value_coef,
            entropy_coef,
        )  # (B, A) and (B,) gradients
        mlp_backward(weights[0], actor_in, d_logits, grads[0])
        mlp_backward(weights[1], critic_in, d_value[:, None], grads[1])
    return loss
