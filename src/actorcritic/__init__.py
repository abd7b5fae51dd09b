"""Small, tested helpers for the actor-critic book.

Importing the package sets ``SDL_VIDEODRIVER=dummy`` before pygame can load,
so rendering an environment to an array never opens a window or prints SDL
warnings into a notebook.
"""

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

__version__ = "0.1.0"
