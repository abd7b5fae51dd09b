import functools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

BOOK = Path(__file__).resolve().parents[1] / "book"
BROWSERS = (
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "chrome",
)
BROWSER_HELP = (
    "the browser tests are skipped; install one (Debian: apt-get install "
    "chromium, as .ci/run does), or name it with CHROMIUM=/path/to/chrome"
)


@functools.cache
def find_chromium() -> str | None:
    """The browser the browser tests drive: $CHROMIUM if set, else the
    first Chromium or Chrome on the PATH, else the one Playwright
    downloads with ``playwright install chromium``; None if there is
    none."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in BROWSERS:
        if found := shutil.which(name):
            return found
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            bundled = p.chromium.executable_path
    except Exception:  # no Playwright, or no driver: no browser either
        return None
    return bundled if Path(bundled).exists() else None


def pytest_report_header(config):
    """One line at the top when the browser tests cannot run here."""
    if find_chromium() is None:
        return f"no Chromium or Chrome found: {BROWSER_HELP}"
    return None


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
