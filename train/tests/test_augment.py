import numpy as np
import torch

from blurcam_train.augment import FULL, GEOMETRIC, POLICIES, Policy, augment, photometric
from blurcam_train.dataset import PersonDataset
from blurcam_train.prepare import prepare
from synthetic import write_dataset


def white_figure(width=90, height=60):
    """An image that is its own mask: white where the person is, black elsewhere (off-centre, asymmetric)."""
    mask = np.zeros((height, width), np.float32)
    mask[10:50, 15:40] = 1
    mask[5:20, 50:85] = 1
    return np.repeat((mask * 255).astype(np.uint8)[:, :, None], 3, axis=2), mask


def test_geometric_changes_move_the_mask_with_the_image():
    image, mask = white_figure()
    moved = 0
    for seed in range(40):
        out_image, out_mask = augment(image, mask, 64, GEOMETRIC, np.random.default_rng(seed))
        assert out_image.shape == (64, 64, 3) and out_image.dtype == np.uint8
        assert out_mask.shape == (64, 64) and set(np.unique(out_mask)) <= {0.0, 1.0}
        # Only pixels on the figure's edge may fall on different sides of the threshold.
        agreement = np.mean((out_image[:, :, 0] > 127) == (out_mask > 0.5))
        assert agreement > 0.97, f"seed {seed}: image and mask agree on only {agreement:.3f}"
        squeezed = augment(image, mask, 64, Policy(), np.random.default_rng(seed))[1]
        moved += not np.array_equal(out_mask, squeezed)
    assert moved > 25  # the policy really moved most of them


def test_camera_degradations_change_the_image_and_leave_the_mask_alone():
    image, mask = white_figure()
    grey = (image // 2 + 60).astype(np.uint8)
    changed = 0
    for seed in range(20):
        plain_image, plain_mask = augment(grey, mask, 64, GEOMETRIC, np.random.default_rng(seed))
        full_image, full_mask = augment(grey, mask, 64, FULL, np.random.default_rng(seed))
        assert np.array_equal(plain_mask, full_mask)
        changed += not np.array_equal(plain_image, full_image)
    assert changed > 10


def test_each_camera_degradation_alone():
    rng = np.random.default_rng(0)
    image = np.full((48, 48, 3), 120, np.uint8)
    noisy = photometric(image, Policy(p_noise=1, noise_sigma=(8, 8)), rng)
    assert 5 < noisy.astype(float).std() < 12
    dark = photometric(image, Policy(p_exposure=1, exposure_stops=(-1, -1)), rng)
    assert abs(int(dark.mean()) - 60) <= 1
    bright = photometric(image, Policy(p_exposure=1, exposure_stops=(2, 2)), rng)
    assert bright.min() == 255  # over-exposure clips, as a camera does
    checker = np.kron(np.indices((6, 6)).sum(axis=0) % 2 * 255, np.ones((8, 8))).astype(np.uint8)
    checker = np.repeat(checker[:, :, None], 3, axis=2)
    compressed = photometric(checker, Policy(p_jpeg=1, jpeg_quality=(20, 20)), rng)
    assert 0 < np.abs(compressed.astype(int) - checker).mean() < 40
    blurred = photometric(checker, Policy(p_blur=1, blur_sigma=(1.5, 1.5)), rng)
    assert blurred.astype(float).std() < checker.astype(float).std() * 0.9


def test_the_dataset_is_reproducible_per_epoch_and_varies_between_epochs(tmp_path):
    lists = str(tmp_path / "lists")
    prepare(write_dataset(str(tmp_path / "data"), 6), lists, val_share=0.3)
    dataset = PersonDataset(f"{lists}/train.txt", 64, POLICIES["full"], seed=1)
    first, _ = dataset[0]
    assert torch.equal(first, dataset[0][0])
    dataset.epoch = 1
    assert not torch.equal(first, dataset[0][0])
    image, mask = dataset[0]
    assert image.shape == (3, 64, 64) and image.dtype == torch.float32
    assert mask.shape == (64, 64) and mask.dtype == torch.int64
