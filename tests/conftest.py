import pytest
import torch


@pytest.fixture
def one_thread():
    """Train on one thread, as the chapters do, then restore the count."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
