"""Pairs of photo and mask as training tensors, augmented (training) or squeezed (validation)."""
import cv2
import numpy as np
import torch

from .augment import augment, squeeze
from .prepare import read_list

# The contract's `rgb-imagenet` input encoding (docs/model-contract.md): what torchvision's backbones expect.
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def load_pair(image_path, mask_path):
    """8-bit RGB image and float32 0..1 mask at the image's size (a scaled-down mask is scaled back)."""
    image = cv2.imdecode(np.fromfile(image_path, dtype=np.uint8), cv2.IMREAD_COLOR)
    mask = cv2.imdecode(np.fromfile(mask_path, dtype=np.uint8), cv2.IMREAD_GRAYSCALE)
    if image is None or mask is None:
        raise ValueError(f"cannot read {image_path} or {mask_path}: run prepare again")
    height, width = image.shape[:2]
    if mask.shape != (height, width):
        mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB), (mask > 127).astype(np.float32)


def to_tensor(image):
    """8-bit RGB HxWx3 -> normalised float32 3xHxW."""
    normalised = (image.astype(np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
    return torch.from_numpy(np.ascontiguousarray(normalised.transpose(2, 0, 1)))


class PersonDataset(torch.utils.data.Dataset):
    """A list file from `prepare`. With a policy, each item is augmented with a random generator seeded by
    (seed, epoch, index), so a run is reproducible and each epoch sees new variations."""

    def __init__(self, list_path, size, policy=None, seed=0):
        self.pairs = read_list(list_path)
        self.size = size
        self.policy = policy
        self.seed = seed
        self.epoch = 0

    def __len__(self):
        return len(self.pairs)

    def __getitem__(self, index):
        image, mask = load_pair(*self.pairs[index])
        if self.policy is None:
            image, mask = squeeze(image, mask, self.size)
        else:
            rng = np.random.default_rng([self.seed, self.epoch, index])
            image, mask = augment(image, mask, self.size, self.policy, rng)
        return to_tensor(image), torch.from_numpy(mask).long()
