import imageio.v3 as iio
import numpy as np
import pytest

from actorcritic.replay import encode_gif, record_frames, record_gif, show_gif


class PushTowardsPole:
    def act(self, obs, greedy=False):
        return int(obs[2] + 0.5 * obs[3] > 0)


def test_record_frames_shapes():
    frames, total = record_frames(
        PushTowardsPole(), "CartPole-v1", seed=0, max_steps=30
    )
    assert len(frames) == 31 and total == 30.0
    assert frames[0].shape == (400, 600, 3) and frames[0].dtype == np.uint8


def test_gif_is_small_decodable_and_downscaled():
    data, total = record_gif(PushTowardsPole(), "CartPole-v1", seed=0)
    assert total == 500.0
    assert data[:6] in (b"GIF87a", b"GIF89a")
    assert len(data) <= 2_000_000
    frames = iio.imread(data, index=None)
    assert frames.shape[1:3] == (200, 300)  # every 2nd pixel
    assert 200 <= frames.shape[0] <= 251  # every 2nd of 501 frames


def test_gif_shrinks_to_fit_the_size_limit():
    big, _ = record_gif(
        PushTowardsPole(), "CartPole-v1", seed=0, max_steps=100
    )
    small, _ = record_gif(
        PushTowardsPole(),
        "CartPole-v1",
        seed=0,
        max_steps=100,
        max_bytes=len(big) // 3,
    )
    assert len(small) <= len(big) // 3


def test_show_gif_is_an_image_gif_output():
    data = encode_gif([np.zeros((4, 4, 3), np.uint8)] * 3)
    image = show_gif(data)
    bundle = (
        image._repr_mimebundle_()
        if hasattr(image, "_repr_mimebundle_")
        else None
    )
    assert image.format == "gif" and image.data == data
    assert bundle is None or "image/gif" in str(bundle)


def test_encode_gif_rejects_nothing_to_show():
    with pytest.raises(ValueError, match="at least one frame"):
        encode_gif([])


def test_a_one_pixel_line_survives_the_shrinking():
    """Keeping every second pixel would drop a line on an odd row (as it
    dropped CartPole's track); block means keep it, half as dark."""
    frame = np.full((8, 8, 3), 255, np.uint8)
    frame[5] = 0  # a black line on an odd row
    data = encode_gif([frame, frame], every=1, scale=2)
    first = iio.imread(data, index=0)
    assert first.shape[:2] == (4, 4)
    assert first[2, :, :3].max() < 200  # row 5 lands in row 2, greyed
    assert first[0, :, :3].min() > 250  # white stays white
