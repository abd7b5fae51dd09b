import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

BOOK = Path(__file__).resolve().parents[1] / "book"


@pytest.fixture
def one_thread():
    """Train on one thread, as the chapters do, then restore the count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The whole book, built at the quick budget with warnings as errors
    (``python book/build.py --strict``) in a temporary copy, which has its
    own execution cache; returns the site's folder. Shared by the book
    and browser tests."""
    copy = tmp_path_factory.mktemp("book") / "book"
    shutil.copytree(
        BOOK,
        copy,
        ignore=shutil.ignore_patterns("_build", ".ipynb_checkpoints"),
    )
    env = dict(os.environ, ACTORCRITIC_BUDGET="quick")
    proc = subprocess.run(
        [sys.executable, str(copy / "build.py"), "--strict"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return copy / "_build" / "html"
