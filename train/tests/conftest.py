import os
import sys

import pytest

# The tests import the package and the data generator from train/ and train/tests/ without installing them.
sys.path[:0] = [os.path.dirname(os.path.dirname(os.path.abspath(__file__))), os.path.dirname(os.path.abspath(__file__))]

from blurcam_train.prepare import prepare  # noqa: E402
from blurcam_train.training import Run, TrainConfig  # noqa: E402
from synthetic import write_dataset  # noqa: E402

TINY_SIZE = 64


@pytest.fixture(scope="session")
def synthetic_lists(tmp_path_factory):
    """40 generated 80x64 photos with masks, prepared into train/validation lists (33 and 7)."""
    root = tmp_path_factory.mktemp("synthetic")
    prepare(write_dataset(str(root / "data"), 40), str(root / "lists"), val_share=0.2)
    return str(root / "lists")


@pytest.fixture(scope="session")
def tiny_run(synthetic_lists, tmp_path_factory):
    """A short real training run of LR-ASPP at a quarter of its width; returns (config, history)."""
    config = TrainConfig(data=synthetic_lists, run=str(tmp_path_factory.mktemp("run")), size=TINY_SIZE, epochs=12,
                         batch=4, lr=3e-3, width=0.25, augment="geometric", progress=False)
    history = Run(config, log=lambda line: None).train()
    return config, history
