"""Exercise checkers: the one place the chapters import them from.

A checker runs a reader's function on named and random cases against the
reference, with the same protocol checks on every case, and never raises
(see :mod:`actorcritic.exercises.checking`, the mechanism, which runs the
protocol with its parts in sibling modules: ``cases``, ``calling``,
``comparing``, ``mistakes`` and ``reports``). Each chapter's checkers
live in a module named after the chapter's algorithm, like
:mod:`actorcritic.algorithms`, with the cases they run and the catalogue
of common mistakes they name; where that would make the module long, the
cases or the catalogues are in siblings that add a suffix to its name
(``a2c_cases``, ``a2c_mistakes``):

==========================  =======  ==================  ================
module                      chapter  checkers            siblings
==========================  =======  ==================  ================
``reinforce``               1        reward_to_go,
                                     reinforce_loss
``one_step_actor_critic``   2        td_error,           ``_mistakes``
                                     one_step_losses
``a2c``                     3        actor, critic,      ``_cases``,
                                     a2c_losses          ``_mistakes``
``parallel_a2c``            4        n_step_returns,     ``_mistakes``
                                     a2c_loss
``episodic_pg``             5        q_values,           ``_mistakes``
                                     entropy_loss
``ppo``                     6        gae, ppo_loss       ``_gae_cases``,
                                                         ``_loss_cases``,
                                                         ``_mistakes``
``off_policy``              7        soft_q_target,      ``_cases``,
                                     squashed_log_prob   ``_mistakes``
``off_policy_polyak``       7        polyak_update       ``_cases``,
                                                         ``_mistakes``
==========================  =======  ==================  ================

Chapter 7 has three algorithms (DDPG, TD3, SAC) and one module of their
shared maths, :mod:`actorcritic.off_policy`: its checkers are named
after that module. ``polyak_update`` returns nothing: its checker checks
what the call does to the networks, in a module of its own.
"""

from actorcritic.exercises.a2c import (
    check_a2c_losses,
    check_actor,
    check_critic,
)
from actorcritic.exercises.episodic_pg import (
    check_entropy_loss,
    check_q_values,
)
from actorcritic.exercises.off_policy import (
    check_soft_q_target,
    check_squashed_log_prob,
)
from actorcritic.exercises.off_policy_polyak import check_polyak_update
from actorcritic.exercises.one_step_actor_critic import (
    check_one_step_losses,
    check_td_error,
)
from actorcritic.exercises.parallel_a2c import (
    check_a2c_loss,
    check_n_step_returns,
)
from actorcritic.exercises.ppo import check_gae, check_ppo_loss
from actorcritic.exercises.reinforce import (
    check_reinforce_loss,
    check_reward_to_go,
)

__all__ = [
    "check_a2c_loss",
    "check_a2c_losses",
    "check_actor",
    "check_critic",
    "check_entropy_loss",
    "check_gae",
    "check_n_step_returns",
    "check_one_step_losses",
    "check_polyak_update",
    "check_ppo_loss",
    "check_q_values",
    "check_reinforce_loss",
    "check_reward_to_go",
    "check_soft_q_target",
    "check_squashed_log_prob",
    "check_td_error",
]
