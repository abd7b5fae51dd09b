"""``torch.compile`` against the package's gradient steps, end to end over a
chapter's worth of steps, compile time included (the environment is left
out: random but fixed rollouts stand in for it), in one run:

- PPO (chapter 6: LunarLander's sizes, 8 observations, 4 actions, 64-64
  tanh networks, minibatches of 64 from a 16,384-transition rollout, as
  many steps as ``train_ppo`` makes with ``LUNAR_LANDER_PPO``): the
  autograd step ``train_ppo`` takes with the reader's loss (``run_mlp``,
  ``ppo_loss``, ``backward``, ``FlatAdam``), eager and compiled; and the
  backward pass written out (``ppo_gradients_by_hand`` + ``FlatAdam``),
  what ``train_ppo`` does by default;
- A2C (chapter 5's ``LUNAR_LANDER_A2C``, 16 envs x 8 steps, 128-128
  networks, 300,000 steps; chapter 4's CartPole defaults, 8 envs x 5
  steps, 64-64 networks, 200,000 steps): the update of
  ``train_parallel_a2c`` (``log_prob_entropy``, the critic on
  ``cat([obs, next_obs])``, ``n_step_returns``, ``a2c_loss``,
  ``backward``, ``clip_flat_grad_``, fused Adam, the step-size schedule),
  eager and compiled, and the same update with its gradients by hand
  (``fast.a2c_gradients_by_hand``, autograd's operations without its
  engine), what ``train_parallel_a2c`` does by default.

Compiled variants, all CPU, inductor, ``dynamic=False``:

- "compile fwd+loss": ``torch.compile(fullgraph=True)`` of the forward
  pass and the loss only; ``loss.backward()`` then runs AOTAutograd's
  compiled backward, and the optimiser step stays eager. PPO tries
  ``mode=None``, ``"max-autotune-no-cudagraphs"`` and
  ``"reduce-overhead"`` (on CPU it skips its CUDA graphs);
- "compile whole step": forward, loss, gradient (``torch.func.
  grad_and_value`` on the one flat parameter tensor), clip and Adam in
  one graph (``fullgraph=True``), the Adam step count and the step size
  as tensors so that nothing recompiles;
- PPO "compile eager step as is": ``torch.compile`` of the eager step
  unchanged (``fullgraph=True`` fails on ``loss.backward()``; without it
  the graph breaks, and ``FlatAdam``'s step counter, a Python int,
  recompiles it every step up to dynamo's limit).

Each variant's first ``WARMUP`` calls are timed together (compilation
happens in them, the backward's on the first ``backward``); its compile
time is that minus ``WARMUP`` steady steps. Then the variants take turns,
``ROUNDS`` times (a PPO epoch, or a seventh of an A2C run, each turn),
and the median turn gives the steady time per step. End to end is the
compiler's start-up in a fresh process (a first, tiny compile: paid once
per chapter run, added to every compiled variant) + compile + steps x
steady. Every variant compiles into its own, new inductor cache (a
temporary directory, with the in-memory caches cleared), so no variant
reuses another's kernels: the compile times are a reader's first run.
Inductor's precompiled C++ header, which it keeps across runs and
builds once per machine, is built again in that directory and timed
apart (in no end-to-end time). "warm" recompiles each variant after
``torch._dynamo.reset()`` from its filled cache, the cost of later runs.
(With TORCHINDUCTOR_CACHE_DIR set to another directory than the
default, the caches go under it and stay: a second run compiles warm.)
Also printed: dynamo's graphs, graph breaks and recompiles per variant
(during the timed turns there must be none), the FX graph cache's hits
and misses, and each variant's loss, clipped gradient and weights after
its first step against the first row's (all start from the same
weights and minibatch).

    python benchmarks/bench_compile.py
"""

from __future__ import annotations

import functools
import os
import shutil
import statistics
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch._dynamo.utils import counters
from torch._inductor.runtime.cache_dir_utils import default_cache_dir

from actorcritic.algorithms.parallel_a2c import (
    LUNAR_LANDER_A2C,
    ParallelA2CConfig,
)
from actorcritic.algorithms.ppo import LUNAR_LANDER_PPO
from actorcritic.fast import (
    a2c_gradients_by_hand,
    critic_values,
    mlp_weights,
    ppo_gradients_by_hand,
    run_mlp,
    weights_and_grads,
)
from actorcritic.losses import a2c_loss, ppo_loss
from actorcritic.networks import (
    CategoricalPolicy,
    ValueNetwork,
    orthogonal_init,
)
from actorcritic.optim import (
    ADAM_KWARGS,
    FlatAdam,
    clip_flat_grad_,
    flat_parameters,
)
from actorcritic.returns import n_step_returns

WARMUP, ROUNDS = 10, 7
PPO = LUNAR_LANDER_PPO
PPO_ROLLOUT = PPO.n_steps * PPO.n_envs  # 16,384 transitions
PPO_MINIBATCHES = PPO_ROLLOUT // PPO.minibatch_size  # 256 per epoch
# train_ppo's loop runs while step < total_steps: ceil(1e6 / 16,384) = 62
# updates of 4 epochs of 256 minibatches
PPO_STEPS = -(-PPO.total_steps // PPO_ROLLOUT) * PPO.n_epochs * PPO_MINIBATCHES
CARTPOLE_A2C = ParallelA2CConfig()  # chapter 4: 8 x 5, 64-64, 200k steps

Batch = tuple[torch.Tensor, ...]
Step = Callable[..., torch.Tensor]  # step(*batch) -> loss


@dataclass
class Setup:
    """Fresh networks (the same weights for every variant) as one flat
    tensor, and the batches a step is called on in turn."""

    actor: CategoricalPolicy
    critic: ValueNetwork
    flat: torch.nn.Parameter
    batches: list[Batch]
    n_steps: int  # gradient steps of the chapter's run
    config: object = None  # PPOConfig or ParallelA2CConfig

    @property
    def weights(self) -> tuple[list, list]:
        return mlp_weights(self.actor.net), mlp_weights(self.critic.net)

    @property
    def layout(self) -> tuple[tuple[tuple[int, int], ...], ...]:
        """(out, in) of each linear layer, actor then critic: where
        :func:`unflatten` finds them in the flat tensor."""
        return tuple(
            tuple(tuple(w.shape) for w, _ in net) for net in self.weights
        )


def networks(obs_dim, n_actions, config):
    torch.manual_seed(0)
    actor = CategoricalPolicy(obs_dim, n_actions, config.hidden)
    critic = ValueNetwork(obs_dim, config.hidden)
    if config.orthogonal_init:
        orthogonal_init(actor, output_gain=0.01)
        orthogonal_init(critic, output_gain=1.0)
    return actor, critic, flat_parameters(actor, critic)


def ppo_setup() -> Setup:
    actor, critic, flat = networks(8, 4, PPO)
    gen = torch.Generator().manual_seed(1)
    obs = torch.randn(PPO_ROLLOUT, 8, generator=gen)
    action = torch.randint(0, 4, (PPO_ROLLOUT,), generator=gen)
    with torch.no_grad():  # the collecting policy: ratios near 1
        old, _ = actor.log_prob_entropy(obs, action)
        old += 0.1 * torch.randn(PPO_ROLLOUT, generator=gen)
    advantage = torch.randn(PPO_ROLLOUT, generator=gen)  # normalised
    returns = torch.randn(PPO_ROLLOUT, generator=gen)
    batches = list(
        zip(
            *(
                x.split(PPO.minibatch_size)
                for x in (obs, action, old, advantage, returns)
            ),
            strict=True,
        )
    )
    return Setup(actor, critic, flat, batches, PPO_STEPS, PPO)


def a2c_setup(config: ParallelA2CConfig, obs_dim, n_actions) -> Setup:
    actor, critic, flat = networks(obs_dim, n_actions, config)
    gen = torch.Generator().manual_seed(1)
    T, N = config.n_steps, config.n_envs
    rollout = (
        torch.randn(T, N, obs_dim, generator=gen),  # obs
        torch.randn(T, N, obs_dim, generator=gen),  # next_obs
        torch.randint(0, n_actions, (T, N), generator=gen),  # action
        torch.randn(T, N, generator=gen),  # reward
        (torch.rand(T, N, generator=gen) < 0.01).float(),  # terminated
        (torch.rand(T, N, generator=gen) < 0.002).float(),  # truncated
    )
    n_updates = -(-config.total_steps // (T * N))
    return Setup(actor, critic, flat, [rollout], n_updates, config)


def unflatten(flat: torch.Tensor, layout) -> list[list]:
    """Views of ``flat``: the :func:`mlp_weights` of each network, in the
    order of ``flat_parameters(actor, critic)``."""
    nets, offset = [], 0
    for shapes in layout:
        layers = []
        for out_dim, in_dim in shapes:
            weight = flat[offset : offset + out_dim * in_dim]
            offset += out_dim * in_dim
            bias = flat[offset : offset + out_dim]
            offset += out_dim
            layers.append((weight.view(out_dim, in_dim), bias))
        nets.append(layers)
    return nets


def adam_(flat, grad, state, lr, max_norm, eps, betas=(0.9, 0.999)):
    """FlatAdam's step (the clip of clip_flat_grad_, then Adam) in tensor
    operations only, for a compiled graph: the step count ``state[2]`` and
    ``lr`` are tensors. Writes the clipped gradient into ``flat.grad``."""
    exp_avg, exp_avg_sq, steps = state
    beta1, beta2 = betas
    norm = torch.linalg.vector_norm(grad)
    grad = grad * torch.clamp(max_norm / (norm + 1e-6), max=1.0)
    with torch.no_grad():
        flat.grad.copy_(grad)
        steps.add_(1)
        exp_avg.lerp_(grad, 1.0 - beta1)
        exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1.0 - beta2)
        correction1 = 1.0 - beta1**steps
        correction2 = 1.0 - beta2**steps
        denom = (exp_avg_sq.sqrt() / correction2.sqrt()).add_(eps)
        flat.add_(exp_avg / denom * (-lr / correction1))
    return norm


def adam_state(flat):
    return torch.zeros_like(flat), torch.zeros_like(flat), torch.zeros(())


# ---------------------------------------------------------------- PPO --


def ppo_forward_loss(weights, obs, action, old, adv, ret):
    """train_ppo's forward pass and loss with the reader's loss_fn."""
    logits = run_mlp(weights[0], obs)  # (B, A)
    value = run_mlp(weights[1], obs).squeeze(-1)
    log_p = torch.log_softmax(logits, -1)  # (B, A)
    return ppo_loss(
        log_p.gather(-1, action[:, None]).squeeze(-1),
        old,
        adv,
        -(log_p.exp() * log_p).sum(-1),  # entropy (B,)
        value,
        ret,
        PPO.clip,
        PPO.value_coef,
        PPO.entropy_coef,
    )


def ppo_eager(s: Setup, forward_loss=ppo_forward_loss) -> Step:
    """The autograd step of train_ppo: loss, backward, FlatAdam."""
    adam, weights = FlatAdam(s.flat, lr=PPO.lr, eps=1e-5), s.weights

    def step(*batch):
        loss = forward_loss(weights, *batch)
        s.flat.grad.zero_()  # in place: the grads are views
        loss.backward()
        adam.step(PPO.max_grad_norm)
        return loss

    return step


def ppo_compiled_loss(mode: str | None):
    def factory(s: Setup) -> Step:
        compiled = torch.compile(
            ppo_forward_loss, mode=mode, dynamic=False, fullgraph=True
        )
        return ppo_eager(s, compiled)

    return factory


def ppo_whole_step(flat, state, lr, layout, obs, action, old, adv, ret):
    def loss_of(p):
        return ppo_forward_loss(
            unflatten(p, layout), obs, action, old, adv, ret
        )

    grad, loss = torch.func.grad_and_value(loss_of)(flat.detach())
    adam_(flat, grad, state, lr, PPO.max_grad_norm, 1e-5)
    return loss


def ppo_compiled_whole(s: Setup) -> Step:
    compiled = torch.compile(ppo_whole_step, dynamic=False, fullgraph=True)
    state, lr, layout = adam_state(s.flat), torch.tensor(PPO.lr), s.layout

    def step(*batch):
        return compiled(s.flat, state, lr, layout, *batch)

    return step


def ppo_compiled_as_is(s: Setup) -> Step:
    """torch.compile of the eager step, unchanged. fullgraph=True fails on
    loss.backward(); the error is kept for the report."""
    try:
        strict = torch.compile(
            ppo_eager(ppo_setup()), dynamic=False, fullgraph=True
        )
        strict(*s.batches[0])
        NOTES.append("PPO eager step, fullgraph=True: compiled (!)")
    except Exception as error:  # reported, not hidden
        first = str(error).strip().splitlines()[0]
        NOTES.append(
            f"PPO eager step, fullgraph=True: {type(error).__name__}: {first}"
        )
    return torch.compile(ppo_eager(s), dynamic=False)


def ppo_by_hand(s: Setup) -> Step:
    """train_ppo's default step: ppo_gradients_by_hand, FlatAdam."""
    adam = FlatAdam(s.flat, lr=PPO.lr, eps=1e-5)
    weights, grads = weights_and_grads(s.actor, s.critic)
    coefs = (PPO.clip, PPO.value_coef, PPO.entropy_coef)

    def step(*batch):
        loss = ppo_gradients_by_hand(weights, grads, *batch, *coefs)
        adam.step(PPO.max_grad_norm)
        return loss

    return step


PPO_VARIANTS: dict[str, Callable[[Setup], Step]] = {
    "eager autograd": ppo_eager,
    "compile fwd+loss": ppo_compiled_loss(None),
    "compile fwd+loss, max-autotune": ppo_compiled_loss(
        "max-autotune-no-cudagraphs"
    ),
    "compile fwd+loss, reduce-overhead": ppo_compiled_loss("reduce-overhead"),
    "compile whole step": ppo_compiled_whole,
    "compile eager step as is": ppo_compiled_as_is,
    "by hand (train_ppo)": ppo_by_hand,
}
PPO_REFERENCE = "by hand (train_ppo)"

# ---------------------------------------------------------------- A2C --


def a2c_forward_loss(actor, critic, config, obs, next_obs, action, *rest):
    """train_parallel_a2c's update up to the loss."""
    reward, terminated, truncated = rest
    T = config.n_steps
    log_prob, entropy = actor.log_prob_entropy(obs, action)  # (T, N)
    values = critic(torch.cat([obs, next_obs]))  # (2T, N)
    value, next_value = values[:T], values[T:].detach()
    returns = n_step_returns(
        reward * config.reward_scale,
        next_value,
        terminated,
        truncated,
        config.gamma,
    )
    return a2c_loss(
        log_prob,
        entropy,
        value,
        returns,
        config.value_coef,
        config.entropy_coef,
    )


def a2c_optimizer(s: Setup) -> Callable[[], None]:
    """train_parallel_a2c's steps after the gradient: the clip, fused
    Adam and the linear step-size schedule, as one call."""
    config = s.config
    optimizer = torch.optim.Adam(
        [s.flat], lr=config.lr, eps=1e-5, **ADAM_KWARGS
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda k: 1.0 - (1.0 - config.lr_end / config.lr) * k / s.n_steps,
    )

    def apply_gradient() -> None:
        clip_flat_grad_(s.flat, config.max_grad_norm)
        optimizer.step()
        schedule.step()

    return apply_gradient


def a2c_eager(s: Setup, forward_loss=a2c_forward_loss) -> Step:
    """train_parallel_a2c's update: loss, backward, clip, fused Adam, the
    linear step-size schedule."""
    apply_gradient = a2c_optimizer(s)

    def step(*rollout):
        loss = forward_loss(s.actor, s.critic, s.config, *rollout)
        s.flat.grad.zero_()
        loss.backward()
        apply_gradient()
        return loss

    return step


def a2c_compiled_loss(s: Setup) -> Step:
    compiled = torch.compile(a2c_forward_loss, dynamic=False, fullgraph=True)
    return a2c_eager(s, compiled)


def a2c_whole_step(flat, state, layout, config, n_updates, *rollout):
    obs, next_obs, action, reward, terminated, truncated = rollout
    T = config.n_steps

    def loss_of(p):  # log_prob_entropy and the critic, on views of p
        actor, critic = unflatten(p, layout)
        log_p = torch.log_softmax(run_mlp(actor, obs), dim=-1)
        log_prob = log_p.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)
        entropy = -(log_p.exp() * log_p).sum(-1)
        values = run_mlp(critic, torch.cat([obs, next_obs])).squeeze(-1)
        returns = n_step_returns(
            reward * config.reward_scale,
            values[T:].detach(),
            terminated,
            truncated,
            config.gamma,
        )
        return a2c_loss(
            log_prob,
            entropy,
            values[:T],
            returns,
            config.value_coef,
            config.entropy_coef,
        )

    grad, loss = torch.func.grad_and_value(loss_of)(flat.detach())
    # LambdaLR's step size for update k = state[2] (updates made so far)
    lr = config.lr * (
        1.0 - (1.0 - config.lr_end / config.lr) * state[2] / n_updates
    )
    adam_(flat, grad, state, lr, config.max_grad_norm, 1e-5)
    return loss


def a2c_compiled_whole(s: Setup) -> Step:
    compiled = torch.compile(a2c_whole_step, dynamic=False, fullgraph=True)
    state, layout = adam_state(s.flat), s.layout

    def step(*rollout):
        return compiled(s.flat, state, layout, s.config, s.n_steps, *rollout)

    return step


def a2c_by_hand(s: Setup) -> Step:
    """train_parallel_a2c's default update: the critic's values, the
    returns, a2c_gradients_by_hand, then the same clip, Adam and
    schedule as the eager update."""
    config, (weights, grads) = s.config, weights_and_grads(s.actor, s.critic)
    coefs = config.value_coef, config.entropy_coef
    apply_gradient = a2c_optimizer(s)

    def step(obs, next_obs, action, reward, terminated, truncated):
        value, next_value, inputs = critic_values(weights[1], obs, next_obs)
        returns = n_step_returns(
            reward * config.reward_scale,
            next_value,
            terminated,
            truncated,
            config.gamma,
        )
        loss, _ = a2c_gradients_by_hand(
            weights, grads, obs, action, returns, (value, inputs), *coefs
        )
        apply_gradient()
        return loss

    return step


# One entry per variant: a function of a Setup (fresh networks, flat
# parameters s.flat with s.flat.grad, s.config, s.n_steps updates) that
# returns step(*rollout) -> loss, one whole update: it leaves the clipped
# gradient in s.flat.grad (compared with the eager update's) and the new
# weights in s.flat.
A2C_VARIANTS: dict[str, Callable[[Setup], Step]] = {
    "eager autograd": a2c_eager,
    "compile fwd+loss": a2c_compiled_loss,
    "compile whole step": a2c_compiled_whole,
    "by hand (train_parallel_a2c)": a2c_by_hand,
}
A2C_REFERENCE = "by hand (train_parallel_a2c)"

# ------------------------------------------------------------ harness --

NOTES: list[str] = []
STARTUP = [0.0]  # seconds: the compiler's start-up in this process
CACHE_ROOT = [""]  # a directory per variant under it
SUMMARY: list[tuple] = []  # (title, reference, steps, results) per run
FX_CACHE = {"cold": [0, 0], "warm": [0, 0]}  # FX graph cache hits, misses


def fx_cache_counts() -> tuple[int, int]:
    inductor = counters["inductor"]
    return inductor["fxgraph_cache_hit"], inductor["fxgraph_cache_miss"]


def count_fx_cache(kind: str, before: tuple[int, int]) -> None:
    for i, (now, then) in enumerate(
        zip(fx_cache_counts(), before, strict=True)
    ):
        FX_CACHE[kind][i] += now - then


@dataclass
class Result:
    name: str
    first_s: float = 0.0  # the first call
    warmup_s: float = 0.0  # the first WARMUP calls
    warm_cache_s: float | None = None  # the same after a dynamo reset
    turns_us: list[float] = field(default_factory=list)  # per step
    graphs: int = 0  # dynamo graphs compiled in the warm-up
    breaks: int = 0  # graph breaks in the warm-up
    recompiles: list[str] = field(default_factory=list)  # their reasons
    graphs_timed: int = 0  # graphs compiled during the timed turns
    after_first: tuple = ()  # loss, flat.grad, flat after the first step

    @property
    def steady_us(self) -> float:
        return statistics.median(self.turns_us)

    def compile_s(self, warm: bool = False) -> float:
        total = self.warm_cache_s if warm else self.warmup_s
        return max(0.0, total - WARMUP * self.steady_us * 1e-6)

    def end_to_end(self, n_steps: int) -> float:
        """Seconds for the chapter's run: start-up (compiled variants
        only), compile, n_steps steady steps."""
        startup = STARTUP[0] if self.graphs else 0.0
        return startup + self.compile_s() + n_steps * self.steady_us * 1e-6


def dynamo_counts() -> tuple[int, int]:
    """Graphs dynamo compiled so far, graph breaks so far."""
    return (
        counters["stats"]["unique_graphs"],
        sum(counters["graph_break"].values()),
    )


def warm_up(step: Step, setup: Setup, result: Result | None) -> float:
    """Time the first WARMUP calls (keeping the first one's time and
    outputs in ``result``); return the total."""
    batches = setup.batches
    start = time.perf_counter()
    loss = step(*batches[0])
    if result is not None:
        result.first_s = time.perf_counter() - start
        result.after_first = (
            float(loss.detach()),
            setup.flat.grad.clone(),
            setup.flat.detach().clone(),
        )
    for i in range(1, WARMUP):
        step(*batches[i % len(batches)])
    return time.perf_counter() - start


def fresh_cache(name: str) -> None:
    """Point inductor at its own cache directory ``name`` under the run's
    and drop the compiled code it holds in memory: each variant compiles
    cold, reusing no kernel another variant compiled."""
    root = CACHE_ROOT[0]
    os.environ["TORCHINDUCTOR_CACHE_DIR"] = os.path.join(root, name)
    from torch._inductor.utils import clear_caches  # imports inductor

    clear_caches()


def run(title, make_setup, variants, reference, turn) -> None:
    """Build and warm each variant up (compiling it), then time ``turn``
    steps of each in turn, ROUNDS times; then recompile each after
    torch._dynamo.reset(), with its cache on disk; print the tables."""
    torch._dynamo.reset()  # no cache entries from an earlier run
    results, steps = [], []
    slug = "".join(c for c in title if c.isalnum())[:16]
    for k, (name, factory) in enumerate(variants.items()):
        fresh_cache(f"{slug}-{k}")
        result, setup = Result(name), make_setup()
        step = factory(setup)
        graphs, breaks = dynamo_counts()
        torch._dynamo.utils.clear_compilation_metrics()
        fx_before = fx_cache_counts()
        result.warmup_s = warm_up(step, setup, result)
        count_fx_cache("cold", fx_before)
        result.graphs = dynamo_counts()[0] - graphs
        result.breaks = dynamo_counts()[1] - breaks
        result.recompiles = [  # a new mode is a first compile, not one
            " ".join(str(m.recompile_reason).split())
            for m in torch._dynamo.utils.get_compilation_metrics()
            if m.recompile_reason and "BACKEND_MATCH" not in m.recompile_reason
        ]
        results.append(result)
        steps.append((step, setup))
    for _ in range(ROUNDS):  # the variants take turns
        for result, (step, setup) in zip(results, steps, strict=True):
            batches = setup.batches
            graphs = dynamo_counts()[0]
            start = time.perf_counter()
            for i in range(turn):
                step(*batches[i % len(batches)])
            elapsed = time.perf_counter() - start
            result.turns_us.append(elapsed / turn * 1e6)
            result.graphs_timed += dynamo_counts()[0] - graphs
    torch._dynamo.reset()  # forget the compiled code, keep the caches
    for k, (result, (step, setup)) in enumerate(
        zip(results, steps, strict=True)
    ):
        if result.graphs:
            fresh_cache(f"{slug}-{k}")  # the variant's own, filled
            fx_before = fx_cache_counts()
            result.warm_cache_s = warm_up(step, setup, None)
            count_fx_cache("warm", fx_before)
    report(title, results, reference, steps[0][1].n_steps, turn)
    SUMMARY.append((title, reference, steps[0][1].n_steps, results))


def report(title, results, reference, n_steps, turn) -> None:
    ref = next(r for r in results if r.name == reference)
    eager = results[0].after_first
    print(
        f"\n{title}: {n_steps:,} steps in the chapter's run; measured "
        f"{WARMUP} + {ROUNDS} x {turn} per variant; e2e = start-up + "
        f"compile + {n_steps:,} x median us/step; x: vs {reference}"
    )
    print(
        f"{'variant':<36}{'first s':>8}{'compile':>8}{'warm':>6}"
        f"{'us/step':>8}{'x':>6}{'e2e s':>8}{'x':>6}"
    )
    for r in results:
        warm = "" if r.warm_cache_s is None else f"{r.compile_s(True):.1f}"
        e2e = r.end_to_end(n_steps)
        print(
            f"{r.name:<36}{r.first_s:>8.2f}{r.compile_s():>8.1f}{warm:>6}"
            f"{r.steady_us:>8.0f}{r.steady_us / ref.steady_us:>6.2f}"
            f"{e2e:>8.1f}{e2e / ref.end_to_end(n_steps):>6.2f}"
        )
    print(
        f"{'after 1 step, vs the first row':<36}{'|dloss|':>8}"
        f"{'|dgrad|':>8}{'|dw|':>8}{'graphs':>7}{'breaks':>7}{'recomp':>7}"
        f"{'timed':>6}"
    )
    for r in results:
        loss, grad, flat = r.after_first
        print(
            f"{r.name:<36}{abs(loss - eager[0]):>8.0e}"
            f"{float((grad - eager[1]).abs().max()):>8.0e}"
            f"{float((flat - eager[2]).abs().max()):>8.0e}"
            f"{r.graphs:>7}{r.breaks:>7}{len(r.recompiles):>7}"
            f"{r.graphs_timed:>6}"
        )
        if r.recompiles:
            NOTES.append(
                f"{title}, {r.name}: first recompile because {r.recompiles[0]}"
            )
    print(
        f"(first row after 1 step: max|grad| "
        f"{float(eager[1].abs().max()):.0e}, max|w| "
        f"{float(eager[2].abs().max()):.0e}; graphs, breaks, recompiles "
        "in the warm-up; graphs compiled in the timed turns)"
    )


def compiler_startup(own_header: bool) -> tuple[float, float]:
    """Seconds of a process's first compile (a tiny one, with a backward:
    inductor's imports, its compile workers, the C++ toolchain), without
    inductor's precompiled header; then of a second tiny compile that
    builds that header (kept across runs in inductor's default_cache_dir
    and built once per machine, but here, with ``own_header``, in the
    run's temporary directory, so that it is built again)."""

    def tiny(x, w):
        return torch.log_softmax(torch.tanh(x @ w), -1).sum()

    def tiny_too(x, w):
        return torch.softmax(torch.sigmoid(x @ w), -1).sum()

    x, w = torch.randn(64, 64), torch.randn(64, 64, requires_grad=True)
    start = time.perf_counter()
    fresh_cache("start-up")
    from torch._inductor import codecache, config

    with config.patch(cpp_cache_precompile_headers=False):
        torch.compile(tiny, dynamic=False, fullgraph=True)(x, w).backward()
    startup = time.perf_counter() - start
    if own_header:
        codecache._HEADER_DIR = os.path.join(CACHE_ROOT[0], "headers")
        codecache._HEADER_LOCK_DIR = os.path.join(codecache._HEADER_DIR, "l")
    start = time.perf_counter()
    torch.compile(tiny_too, dynamic=False, fullgraph=True)(x, w).backward()
    return startup, time.perf_counter() - start


def main() -> None:
    torch.set_num_threads(1)
    warnings.filterwarnings("ignore", message=".*torch.jit.script_method")
    # importing torch may already have set TORCHINDUCTOR_CACHE_DIR to the
    # default; only another directory counts as the user's
    user_dir = os.environ.get("TORCHINDUCTOR_CACHE_DIR")
    cache = None  # a temporary directory, removed at the end
    if user_dir is None or os.path.abspath(user_dir) == os.path.abspath(
        default_cache_dir()
    ):
        cache = tempfile.mkdtemp(prefix="bench_compile_")
    CACHE_ROOT[0] = cache or user_dir
    start = time.perf_counter()
    try:
        STARTUP[0], header = compiler_startup(own_header=cache is not None)
        print(
            f"torch {torch.__version__}, 1 thread, load average "
            + " ".join(f"{x:.1f}" for x in os.getloadavg())
            + f"; inductor caches: {'new' if cache else user_dir}\n"
            f"compiler start-up {STARTUP[0]:.1f} s (a first, tiny compile; "
            "in each compiled variant's e2e); precompiled header "
            f"{header:.1f} s (with a second tiny compile; once per "
            "machine, in no e2e)"
        )
        run(
            "PPO, LunarLander (chapter 6)",
            ppo_setup,
            PPO_VARIANTS,
            PPO_REFERENCE,
            PPO_MINIBATCHES,
        )
        for title, config, obs_dim, n_actions in (
            ("A2C, LunarLander (chapter 5)", LUNAR_LANDER_A2C, 8, 4),
            ("A2C, CartPole (chapter 4)", CARTPOLE_A2C, 4, 2),
        ):
            setup = functools.partial(a2c_setup, config, obs_dim, n_actions)
            n_updates = setup().n_steps
            run(
                title,
                setup,
                A2C_VARIANTS,
                A2C_REFERENCE,
                -(-n_updates // ROUNDS),
            )
        skips = counters["inductor"]["cudagraph_skips"]
        NOTES.append(f"reduce-overhead: CUDA graphs skipped {skips} times")
        NOTES.append(
            "FX graph cache (hits, misses): first compiles "
            f"{tuple(FX_CACHE['cold'])}, warm recompiles "
            f"{tuple(FX_CACHE['warm'])}"
        )
    finally:
        if cache is not None:
            shutil.rmtree(cache, ignore_errors=True)
    print("\nend to end, compile included (x: the run's reference)")
    print(
        f"{'':<34}{'start-up+compile s':>19}{'us/step':>8}{'e2e s':>8}{'x':>6}"
    )
    for title, reference, n_steps, results in SUMMARY:
        print(f"{title}, {n_steps:,} steps, vs {reference}")
        ref = next(r for r in results if r.name == reference)
        for r in results:
            e2e = r.end_to_end(n_steps)
            startup = STARTUP[0] if r.graphs else 0.0
            print(
                f"  {r.name:<32}{startup + r.compile_s():>19.1f}"
                f"{r.steady_us:>8.0f}{e2e:>8.1f}"
                f"{e2e / ref.end_to_end(n_steps):>6.2f}"
            )
    print("\nnotes:")
    for note in NOTES:
        print(f"- {note}")
    print(f"total {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
