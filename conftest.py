"""pytest runs the notebooks (nbval) at the quick budget unless told
otherwise: ``ACTORCRITIC_BUDGET=full pytest book`` runs them in full.
The learning tests pass full-budget configs explicitly."""

import os

os.environ.setdefault("ACTORCRITIC_BUDGET", "quick")
