"""GIF replays of a policy, small enough to embed in a book page."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np

from actorcritic.envs import make_env
from actorcritic.evaluation import Policy

MAX_GIF_BYTES = 2_000_000


def record_frames(
    policy: Policy,
    env_id: str,
    seed: int,
    max_steps: int = 1_000,
    greedy: bool = True,
    **env_kwargs,
) -> tuple[list[np.ndarray], float]:
    """Play one seeded episode and keep every rendered frame.

    Returns:
        ``(frames, episode_return)``; each frame is ``(H, W, 3)`` uint8.
    """
    env = make_env(env_id, seed=seed, render_mode="rgb_array", **env_kwargs)
    try:
        obs, _ = env.reset(seed=seed)
        frames, total = [env.render()], 0.0
        for _ in range(max_steps):
            obs, reward, terminated, truncated, _ = env.step(
                policy.act(obs, greedy=greedy)
            )
            total += float(reward)
            frames.append(env.render())
            if terminated or truncated:
                break
    finally:
        env.close()
    return frames, total


def encode_gif(
    frames: list[np.ndarray], fps: float = 25.0, every: int = 2, scale: int = 2
) -> bytes:
    """Encode frames as a looping GIF, keeping every ``every``-th frame and
    shrinking each by ``scale`` in both directions (each pixel the mean of
    a ``scale`` x ``scale`` block, so that one-pixel lines, such as
    CartPole's track, stay visible)."""
    if not frames:
        raise ValueError("encode_gif needs at least one frame")
    if every < 1 or scale < 1:
        raise ValueError(f"every and scale must be >= 1, got {every}, {scale}")
    kept = list(frames[::every])
    if (len(frames) - 1) % every:
        kept.append(frames[-1])  # always show how the episode ends
    small = np.stack([_shrink(f, scale) for f in kept])  # (F, H/s, W/s, 3)
    return iio.imwrite(
        "<bytes>", small, extension=".gif", duration=1000.0 / fps, loop=0
    )


def _shrink(frame: np.ndarray, scale: int) -> np.ndarray:
    """``(H, W, C)`` -> ``(H // scale, W // scale, C)``, block means."""
    h, w = frame.shape[0] // scale * scale, frame.shape[1] // scale * scale
    blocks = frame[:h, :w].reshape(h // scale, scale, w // scale, scale, -1)
    return blocks.mean(axis=(1, 3)).round().astype(np.uint8)


def record_gif(
    policy: Policy,
    env_id: str,
    seed: int,
    max_steps: int = 1_000,
    fps: float = 25.0,
    scale: int = 2,
    max_bytes: int = MAX_GIF_BYTES,
    **env_kwargs,
) -> tuple[bytes, float]:
    """Record one greedy episode as a GIF of at most ``max_bytes``.

    Frames are skipped more coarsely until the file fits; playback speed
    stays real time (50 steps/s for CartPole) by lowering the frame rate.

    Returns:
        ``(gif_bytes, episode_return)``.
    """
    frames, total = record_frames(
        policy, env_id, seed, max_steps, **env_kwargs
    )
    every = 2
    while True:
        data = encode_gif(
            frames, fps=fps * 2 / every, every=every, scale=scale
        )
        if len(data) <= max_bytes or every >= len(frames):
            return data, total
        every *= 2


def show_gif(data: bytes):
    """Display GIF bytes in a notebook as a real ``image/gif`` output."""
    from IPython.display import Image

    return Image(data=data, format="gif")
