"""A tiny config per algorithm, trained in seconds: shared by the tests of
each algorithm and by the tables in ``tests/test_runs.py``."""

from actorcritic.algorithms.a2c import A2CConfig, train_a2c
from actorcritic.algorithms.episodic_pg import (
    EpisodicPGConfig,
    train_episodic_pg,
)
from actorcritic.algorithms.one_step_actor_critic import (
    OneStepACConfig,
    train_one_step_actor_critic,
)
from actorcritic.algorithms.parallel_a2c import (
    ParallelA2CConfig,
    train_parallel_a2c,
)
from actorcritic.algorithms.ppo import PPOConfig, train_ppo
from actorcritic.algorithms.reinforce import ReinforceConfig, train_reinforce
from actorcritic.algorithms.sac import SACConfig, train_sac
from actorcritic.algorithms.td3 import TD3Config, ddpg, train_td3

QUICK_AC = OneStepACConfig(total_steps=600, eval_every=300, eval_episodes=2)
QUICK_PG = ReinforceConfig(total_steps=600, eval_every=300, eval_episodes=2)
QUICK_A2C = A2CConfig(
    total_steps=1_600, n_envs=8, eval_every=800, eval_episodes=2, log_every=400
)
QUICK_PAR = ParallelA2CConfig(
    total_steps=800,
    n_envs=4,
    n_steps=5,
    eval_every=400,
    eval_episodes=2,
    log_every=200,
)
QUICK_EPG = EpisodicPGConfig(
    env_id="CartPole-v1",
    episodes_per_batch=4,
    total_steps=600,
    hidden=(16,),
    log_every=100,
)

QUICK_PPO = PPOConfig(
    env_id="CartPole-v1",
    n_envs=4,
    n_steps=32,
    total_steps=512,
    n_epochs=2,
    minibatch_size=64,
    eval_every=256,
    eval_episodes=2,
    log_every=128,
)

# Off-policy: 300 steps, the first 100 random, then one update a step
QUICK_OFF_POLICY = dict(
    total_steps=300,
    learning_starts=100,
    batch_size=32,
    hidden=(16, 16),
    eval_every=150,
    eval_episodes=2,
    log_every=100,
)
QUICK_SAC = SACConfig(**QUICK_OFF_POLICY)
QUICK_TD3 = TD3Config(**QUICK_OFF_POLICY)

#: name -> (training function, its quick config)
QUICK = {
    "one_step_actor_critic": (train_one_step_actor_critic, QUICK_AC),
    "reinforce": (train_reinforce, QUICK_PG),
    "reinforce_baseline": (
        train_reinforce,
        ReinforceConfig(
            total_steps=600, eval_every=300, eval_episodes=2, baseline=True
        ),
    ),
    "a2c": (train_a2c, QUICK_A2C),
    "parallel_a2c": (train_parallel_a2c, QUICK_PAR),
    "episodic_pg": (train_episodic_pg, QUICK_EPG),
    "ppo": (train_ppo, QUICK_PPO),
    "sac": (train_sac, QUICK_SAC),
    "td3": (train_td3, QUICK_TD3),
    "ddpg": (train_td3, ddpg(**QUICK_OFF_POLICY)),
}
