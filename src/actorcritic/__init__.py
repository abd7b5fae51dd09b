"""Small, tested helpers for the actor-critic book.

Where things live (chapters import from these modules directly):

- the maths, pure functions on time-first tensors: ``returns`` (TD
  targets, reward-to-go, n-step returns), ``losses``, ``gradients``
  (policy-gradient estimates, chapters 1 and 6) and ``variance`` (the
  statistics of repeated estimates: total variance, batch means, a
  bootstrap interval) and ``off_policy`` (chapter 7's targets, the
  squashed Gaussian's log-probability, Polyak averaging, the critic's
  estimation bias);
- the pieces an algorithm is built from: ``networks`` (and
  ``off_policy_networks``, chapter 7's critics of a state and an action
  and its policies), ``envs``, ``rollouts``, ``buffer`` (the replay
  buffer), ``evaluation``, ``optim`` (fused Adam, flat parameters,
  Adam on them), ``runs`` (the history, the evaluation tracker with its
  keep-best checkpoint, the logger);
- ``seeds``: several runs at once, in worker processes or on an
  executor, and ``train_until_solved``;
- ``fast``: the same maths as ``networks`` and ``losses`` written out
  for speed (the networks' backward pass, A2C's and PPO's gradient
  steps), which the training functions take with the package's losses;
- ``algorithms``: one module per algorithm, named after it, each with its
  frozen config and its ``train_*`` function: ``reinforce`` (chapters 1,
  2), ``one_step_actor_critic`` (2), ``a2c`` (3), ``parallel_a2c`` (4, 5),
  ``episodic_pg`` (5), ``ppo`` (6), ``td3`` (DDPG and TD3) and ``sac``
  (7); ``algorithms.common`` holds the config check, what A2C and PPO
  start from and chapter 7's interaction loop;
- ``exercises``: every ``check_*`` function, importable from
  ``actorcritic.exercises``; one module per chapter, named like the
  algorithms (with its cases and catalogue of mistakes, or siblings
  ``*_cases`` and ``*_mistakes`` that hold them), and
  ``exercises.checking``, the mechanism, with its parts;
- for the notebooks: ``budget`` (full or quick), ``glue``, ``plotting``,
  ``replay`` (GIFs).

Importing the package sets ``SDL_VIDEODRIVER=dummy`` before pygame can load,
so rendering an environment to an array never opens a window or prints SDL
warnings into a notebook.
"""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

__version__ = "0.1.0"
