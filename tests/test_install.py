"""The package installs where students and users install it.

- A fresh runtime: a new virtual environment with nothing but Python, pip
  and a Jupyter kernel. Each chapter's own first cell installs the
  package, from a clone of this repository instead of GitHub
  (``git+file://``), and the chapter then runs top to bottom at the quick
  budget through a notebook client. Chapter 1 installs the package with
  everything it depends on; chapter 5, run next in the same environment,
  finds the package and installs the Box2D extra itself.
- The declared floors: the lowest versions that ``pyproject.toml`` allows
  for the package's direct dependencies (``uv pip install --resolution
  lowest-direct``), with the unit tests run against them.

torch is the one exception, in both: any torch but the 2.13.0 CPU wheel
on this machine's disk is a download of several GB (a CUDA build), so a
constraint file pins it to that wheel; its floor, 2.4, is argued in
``pyproject.toml``. Both tests need the package registry and take a few
minutes: ``pytest -m "not install"`` skips them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
TORCH = "torch==2.13.0"
UNIT_TESTS = [
    "tests/algorithms",
    "tests/exercises",
    *(
        f"tests/test_{name}.py"
        for name in (
            "budget envs evaluation glue gradients losses networks optim "
            "plotting replay returns rollouts runs variance"
        ).split()
    ),
]

pytestmark = pytest.mark.install


def run(*command, **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [str(c) for c in command], capture_output=True, text=True, **kwargs
    )
    assert proc.returncode == 0, (
        f"{' '.join(map(str, command))} failed:\n"
        f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    )
    return proc


def venv(path: Path) -> Path:
    """A new virtual environment at ``path``; returns its Python."""
    run(sys.executable, "-m", "venv", path)
    return path / "bin" / "python"


def clone(tmp: Path) -> Path:
    """A git repository holding this working tree's tracked files as they
    are now (committed or not), like the GitHub repository the chapters
    install from."""
    repo = tmp / "repository"
    files = run("git", "ls-files", cwd=ROOT).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    run("git", "init", "-q", cwd=repo)
    run("git", "add", "-A", cwd=repo)
    run(
        "git",
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@t",
        "commit",
        "-qm",
        "snapshot",
        cwd=repo,
    )
    return repo


def kernel_for(python: Path, where: Path) -> str:
    """Register a kernel that runs ``python``; return its name."""
    spec = where / "kernels" / "fresh"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    str(python),
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "fresh",
                "language": "python",
            }
        )
    )
    return "fresh"


def run_chapter(path: Path, repo: Path, kernel: str, cwd: Path) -> dict:
    """Run the chapter with its first cell pointed at ``repo``; return
    the executed notebook."""
    notebook = nbformat.read(path, as_version=4)
    first = next(c for c in notebook.cells if c.cell_type == "code")
    config = (ROOT / "book" / "_config.yml").read_text()
    url = next(
        line.split()[-1]
        for line in config.splitlines()
        if line.strip().startswith("url:")
    )
    assert url in first.source, "the first cell names another repository"
    first.source = first.source.replace(url, f"file://{repo}")
    # where the package came from, as the chapter's kernel sees it
    notebook.cells.append(
        nbformat.v4.new_code_cell(
            "import actorcritic, sys\n"
            "print(sys.prefix, actorcritic.__file__, sep='\\n')"
        )
    )
    NotebookClient(
        notebook,
        kernel_name=kernel,
        timeout=1200,
        resources={"metadata": {"path": str(cwd)}},
    ).execute()
    return notebook


def test_chapters_install_on_a_fresh_runtime(tmp_path, monkeypatch):
    python = venv(tmp_path / "venv")
    # a current pip, as Colab has (the pip that venv bundles with Python
    # 3.11, 23.2, rejects "name @ git+file:///path" requirements)
    run(python, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(python, "-m", "pip", "install", "--quiet", "ipykernel")
    before = run(python, "-m", "pip", "list", "--format=freeze").stdout
    assert "torch" not in before and "gymnasium" not in before
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(TORCH + "\n")
    repo = clone(tmp_path)
    jupyter = tmp_path / "jupyter"
    kernel = kernel_for(python, jupyter)
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("PIP_CONSTRAINT", str(constraints))
    monkeypatch.setenv("ACTORCRITIC_BUDGET", "quick")
    monkeypatch.delenv("PYTHONPATH", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    work = tmp_path / "work"
    work.mkdir()
    for chapter in ("01_policy_gradient", "05_lunar_lander_aac"):
        done = run_chapter(
            ROOT / "book" / f"{chapter}.ipynb", repo, kernel, work
        )
        where = done.cells[-1].outputs[0]["text"].split("\n")
        assert where[0] == str(tmp_path / "venv"), where
        assert where[1].startswith(str(tmp_path / "venv")), (
            f"{chapter} imported the package from {where[1]}"
        )
    installed = run(python, "-m", "pip", "list", "--format=freeze").stdout
    assert "Box2D" in installed or "box2d" in installed.lower()


def declared() -> dict:
    """``pyproject.toml``'s ``[project]`` table."""
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


LUNAR_LANDER = """
import dataclasses
from actorcritic.algorithms.parallel_a2c import (
    LUNAR_LANDER_A2C, train_parallel_a2c,
)
config = dataclasses.replace(
    LUNAR_LANDER_A2C, total_steps=512, eval_every=256, eval_episodes=1,
    log_every=256,
)
print(train_parallel_a2c(config, seed=0).history.eval_return)
"""


def test_unit_tests_pass_at_the_declared_minimum_versions(tmp_path):
    """The lowest versions of the direct dependencies, twice: the base
    ones (then the unit tests), and the Box2D extra's (then a short
    LunarLander run, which is what the extra is for)."""
    # uv comes with requirements.txt, beside this Python
    uv = shutil.which("uv", path=str(Path(sys.executable).parent))
    uv = uv or shutil.which("uv")
    assert uv, "uv is missing: pip install -r requirements.txt"
    python = venv(tmp_path / "venv")
    # the CPU wheel on disk (pip finds it; uv does not look there)
    run(python, "-m", "pip", "install", "--quiet", TORCH)
    constraints = tmp_path / "constraints.txt"
    constraints.write_text(TORCH + "\n")
    project = declared()
    base = [d for d in project["dependencies"] if not d.startswith("torch")]

    def uv_install(*args) -> None:
        run(uv, "pip", "install", "--quiet", "--python", python, *args)

    def lowest(requirements: list[str]) -> str:
        listed = tmp_path / "requirements.txt"
        listed.write_text("\n".join(requirements) + "\n")
        uv_install(
            "--resolution", "lowest-direct", "-c", constraints, "-r", listed
        )
        return run(python, "-m", "pip", "list", "--format=freeze").stdout

    resolved = lowest(base)
    # pytest, at the project's locked version, without moving anything
    # just resolved; then the package itself
    (tmp_path / "resolved.txt").write_text(resolved)
    pytest_pin = next(
        line.split()[0]
        for line in (ROOT / "requirements.txt").read_text().splitlines()
        if line.startswith("pytest==")
    )
    uv_install("-c", tmp_path / "resolved.txt", pytest_pin)
    uv_install("--no-deps", "-e", ROOT)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-o",
            "addopts=",
            "-p",
            "no:cacheprovider",
            *UNIT_TESTS,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "unit tests fail at the declared minimum versions:\n"
        + resolved
        + result.stdout[-6000:]
        + result.stderr[-2000:]
    )
    # the Box2D extra at its own floor
    resolved = lowest(project["optional-dependencies"]["box2d"])
    result = subprocess.run(
        [str(python), "-c", LUNAR_LANDER],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, (
        "LunarLander fails at the Box2D extra's minimum versions:\n"
        + resolved
        + result.stdout[-3000:]
        + result.stderr[-3000:]
    )
