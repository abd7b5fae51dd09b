"""Training is reproducible to the bit across refactors.

Each algorithm trains for a few hundred steps on a fixed seed; a SHA-256
digest of its whole history (every logged float, every episode and
evaluation; not the timings) and of its final weights must equal the
digest recorded in ``DIGESTS``. The digests were recorded from the code
as it stood before the package was split into one module per algorithm
(issue 13), so a move that changes any number fails here.

Float results can depend on the CPU's vector instructions. The digests
were recorded on AVX-512; on AVX2 (checked on an AMD EPYC) every run
gives the same bits except REINFORCE's two, whose AVX2 digests
``ON_OTHER_CAPABILITIES`` holds. On any other capability the test skips
and says why. After an intended change of behaviour, print the new
digests with ``python tests/test_reproducibility.py`` and say in the
commit why they changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math

import pytest
import torch

from actorcritic.algorithms.a2c import A2CConfig, fit_critic_td, train_a2c
from actorcritic.algorithms.episodic_pg import (
    PG_VARIANTS,
    EpisodicPGConfig,
    train_episodic_pg,
)
from actorcritic.algorithms.one_step_actor_critic import (
    OneStepACConfig,
    train_one_step_actor_critic,
)
from actorcritic.algorithms.parallel_a2c import (
    LUNAR_LANDER_A2C,
    ParallelA2CConfig,
    train_parallel_a2c,
)
from actorcritic.algorithms.reinforce import ReinforceConfig, train_reinforce
from actorcritic.networks import GaussianPolicy
from actorcritic.seeds import train_until_solved

RECORDED_ON = "AVX512"  # torch.backends.cpu.get_cpu_capability()
CAPABILITY = torch.backends.cpu.get_cpu_capability()


def _digest(*parts) -> str:
    """SHA-256 of floats (as exact hex), ints, strings and tensors."""
    h = hashlib.sha256()

    def feed(x):
        if isinstance(x, torch.Tensor):
            h.update(str(tuple(x.shape)).encode())
            h.update(x.detach().contiguous().numpy().tobytes())
        elif isinstance(x, dict):
            for key in sorted(x):
                h.update(str(key).encode())
                feed(x[key])
        elif isinstance(x, (list, tuple)):
            h.update(f"[{len(x)}".encode())
            for item in x:
                feed(item)
        elif isinstance(x, float):
            h.update(("nan" if math.isnan(x) else x.hex()).encode())
        else:
            h.update(repr(x).encode())

    for part in parts:
        feed(part)
    return h.hexdigest()[:16]


def _trained_digest(trained) -> str:
    h = trained.history
    critic = None if trained.critic is None else trained.critic.state_dict()
    return _digest(
        h.env_steps,
        [float(r) for r in h.episode_return],
        h.eval_steps,
        h.eval_return,
        h.log_steps,
        h.logs,
        trained.actor.state_dict(),
        critic,
    )


# name -> (training function, config); each trains with seed 3
PAR = ParallelA2CConfig(
    total_steps=800, eval_every=400, eval_episodes=2, log_every=200
)
EPG = EpisodicPGConfig(
    env_id="CartPole-v1",
    episodes_per_batch=4,
    total_steps=400,
    hidden=(32,),
    eval_every=200,
    eval_episodes=2,
    log_every=100,
)
REINFORCE = ReinforceConfig(total_steps=400, eval_every=200, eval_episodes=2)
TRAINED = {
    "one_step_actor_critic": (
        train_one_step_actor_critic,
        OneStepACConfig(total_steps=300, eval_every=150, eval_episodes=2),
    ),
    "reinforce": (train_reinforce, REINFORCE),
    "reinforce_baseline": (
        train_reinforce,
        dataclasses.replace(REINFORCE, baseline=True),
    ),
    "a2c": (
        train_a2c,
        A2CConfig(
            n_envs=4,
            total_steps=400,
            eval_every=200,
            eval_episodes=1,
            log_every=100,
        ),
    ),
    "parallel_a2c": (train_parallel_a2c, PAR),
    "parallel_a2c_orthogonal_scaled": (
        train_parallel_a2c,
        dataclasses.replace(
            PAR, orthogonal_init=True, reward_scale=0.1, lr_end=1e-4
        ),
    ),
    "parallel_a2c_lunar_lander": (
        train_parallel_a2c,
        dataclasses.replace(
            LUNAR_LANDER_A2C,
            total_steps=512,
            eval_every=256,
            eval_episodes=1,
            log_every=256,
        ),
    ),
    **{
        f"episodic_pg_{variant}": (
            train_episodic_pg,
            dataclasses.replace(
                EPG,
                baseline=baseline,
                entropy_coef=0.1 if entropy else 0.0,
            ),
        )
        for variant, (baseline, entropy) in PG_VARIANTS.items()
    },
}


def _fit_critic_td():
    torch.manual_seed(7)
    policy = GaussianPolicy(3, [-2.0], [2.0], (16,))
    config = A2CConfig(n_envs=4, total_steps=400)
    return _digest(fit_critic_td(policy, config, seed=3).state_dict())


def _until_solved():
    config = dataclasses.replace(
        PAR,
        total_steps=400,
        eval_every=200,
        log_every=2_000,
        stop_at_return=1_000.0,  # CartPole pays at most 500: never solved
    )
    chosen, attempts = train_until_solved(train_parallel_a2c, config, [0, 1])
    return _digest(
        attempts.index(chosen), [_trained_digest(t) for t in attempts]
    )


def _trained(name):
    train, config = TRAINED[name]
    return lambda: _trained_digest(train(config, seed=3))


RUNS = {
    **{name: _trained(name) for name in TRAINED},
    "fit_critic_td": _fit_critic_td,
    "train_until_solved": _until_solved,
}

DIGESTS = {
    "a2c": "878c68954ec5846b",
    "episodic_pg_aac": "25ae6f2115ced38c",
    "episodic_pg_bpg": "0cd449594a0d6bbf",
    "episodic_pg_cpg": "f47f70e03981ac84",
    "episodic_pg_epg": "b186812ff4c18da5",
    "episodic_pg_vpg": "04957c713484b7a8",
    "fit_critic_td": "4f8a926ab5896f76",
    "one_step_actor_critic": "22065988199fc2a8",
    "parallel_a2c": "b722978bf5e8377d",
    "parallel_a2c_lunar_lander": "abe6dac7d8d4f9b1",
    "parallel_a2c_orthogonal_scaled": "9bf977bec51407d3",
    "reinforce": "c2cb5ece847cba51",
    "reinforce_baseline": "7ddbcc0f7bd3bd40",
    "train_until_solved": "ff5b15513fb6c057",
}


# capability -> the runs whose bits differ there, and their digests
ON_OTHER_CAPABILITIES = {
    "AVX2": {
        "reinforce": "0f5ec386d212b43a",
        "reinforce_baseline": "2740bd13efc97bb5",
    },
}


@pytest.mark.usefixtures("one_thread")
@pytest.mark.skipif(
    CAPABILITY not in (RECORDED_ON, *ON_OTHER_CAPABILITIES),
    reason=f"digests recorded on {RECORDED_ON} and "
    f"{', '.join(ON_OTHER_CAPABILITIES)} CPUs, not {CAPABILITY}; float "
    "rounding can differ with other vector instructions",
)
@pytest.mark.parametrize("name", sorted(RUNS))
def test_history_and_weights_match_the_recorded_digest(name):
    expected = {**DIGESTS, **ON_OTHER_CAPABILITIES.get(CAPABILITY, {})}
    assert RUNS[name]() == expected[name]


if __name__ == "__main__":
    torch.set_num_threads(1)
    for name in sorted(RUNS):
        print(f'    "{name}": "{RUNS[name]()}",')
