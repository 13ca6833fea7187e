"""Augmentation that moves the mask with the image.

Every geometric change (how the photo is fitted into the square input, flip, rotation, shift, scale) is one
affine matrix applied to image and mask alike, so they cannot drift apart. The photometric changes touch only
the image: brightness and contrast, blur, and what a webcam does to a picture (sensor noise, JPEG compression,
over- and under-exposure). Pure functions of (image, mask, policy, rng).
"""
from dataclasses import dataclass, replace

import cv2
import numpy as np


@dataclass(frozen=True)
class Policy:
    """Probabilities (p_*) and ranges of each change; a probability of 0 turns it off."""

    # How the photo meets the square input: squeezed (as `blurcam start` does) or letterboxed (as photo mode also does).
    p_letterbox: float = 0.0
    p_flip: float = 0.0
    p_affine: float = 0.0
    max_rotation_deg: float = 0.0
    scale_range: tuple = (1.0, 1.0)
    max_shift: float = 0.0  # share of the side
    p_brightness_contrast: float = 0.0
    max_brightness: float = 0.0  # share of 255
    contrast_range: tuple = (1.0, 1.0)
    p_exposure: float = 0.0
    exposure_stops: tuple = (0.0, 0.0)  # multiply by 2**stops, then clip, as a mis-exposed camera does
    p_blur: float = 0.0
    blur_sigma: tuple = (0.0, 0.0)
    p_noise: float = 0.0
    noise_sigma: tuple = (0.0, 0.0)  # in 8-bit levels
    p_jpeg: float = 0.0
    jpeg_quality: tuple = (100, 100)


GEOMETRIC = Policy(
    p_letterbox=0.3,
    p_flip=0.5,
    p_affine=0.8,
    max_rotation_deg=15.0,
    scale_range=(0.75, 1.25),
    max_shift=0.1,
)

FULL = replace(
    GEOMETRIC,
    p_brightness_contrast=0.5,
    max_brightness=0.15,
    contrast_range=(0.7, 1.3),
    p_exposure=0.3,
    exposure_stops=(-1.5, 1.0),
    p_blur=0.2,
    blur_sigma=(0.5, 1.5),
    p_noise=0.4,
    noise_sigma=(2.0, 10.0),
    p_jpeg=0.4,
    jpeg_quality=(30, 90),
)

POLICIES = {"none": Policy(), "geometric": GEOMETRIC, "full": FULL}


def fit_matrix(width, height, size, letterbox):
    """Maps the photo onto the size x size input: squeezed, or scaled to fit and centred (black borders)."""
    if letterbox:
        scale = min(size / width, size / height)
        sx = sy = scale
    else:
        sx, sy = size / width, size / height
    tx, ty = (size - width * sx) / 2, (size - height * sy) / 2
    return np.array([[sx, 0, tx], [0, sy, ty], [0, 0, 1]], dtype=np.float64)


def random_matrix(width, height, size, policy, rng):
    """The fit, then a random flip, rotation, scale and shift about the input's centre, as one 3x3 matrix."""
    matrix = fit_matrix(width, height, size, rng.random() < policy.p_letterbox)
    centre = size / 2
    if rng.random() < policy.p_flip:
        matrix = np.array([[-1, 0, size], [0, 1, 0], [0, 0, 1]], dtype=np.float64) @ matrix
    if rng.random() < policy.p_affine:
        angle = rng.uniform(-policy.max_rotation_deg, policy.max_rotation_deg)
        scale = rng.uniform(*policy.scale_range)
        rotation = np.vstack([cv2.getRotationMatrix2D((centre, centre), angle, scale), [0, 0, 1]])
        shift = rng.uniform(-policy.max_shift, policy.max_shift, size=2) * size
        translation = np.array([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1]], dtype=np.float64)
        matrix = translation @ rotation @ matrix
    return matrix


def warp(image, mask, matrix, size):
    """Image and mask through the same matrix; the mask comes out as 0/1 float32 (person where > 0.5)."""
    affine = matrix[:2]
    warped_image = cv2.warpAffine(image, affine, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    warped_mask = cv2.warpAffine(mask, affine, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return warped_image, (warped_mask > 0.5).astype(np.float32)


def photometric(image, policy, rng):
    """The image-only changes, on 8-bit RGB; returns 8-bit RGB."""
    out = image.astype(np.float32)
    if rng.random() < policy.p_brightness_contrast:
        contrast = rng.uniform(*policy.contrast_range)
        brightness = rng.uniform(-policy.max_brightness, policy.max_brightness) * 255
        out = (out - out.mean()) * contrast + out.mean() + brightness
    if rng.random() < policy.p_exposure:
        out = out * 2 ** rng.uniform(*policy.exposure_stops)
    out = np.clip(out, 0, 255)
    if rng.random() < policy.p_blur:
        out = cv2.GaussianBlur(out, (0, 0), rng.uniform(*policy.blur_sigma))
    if rng.random() < policy.p_noise:
        out = out + rng.normal(0, rng.uniform(*policy.noise_sigma), size=out.shape).astype(np.float32)
    out = np.clip(out, 0, 255).astype(np.uint8)
    if rng.random() < policy.p_jpeg:
        quality = int(rng.integers(policy.jpeg_quality[0], policy.jpeg_quality[1] + 1))
        ok, encoded = cv2.imencode(".jpg", cv2.cvtColor(out, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
        if ok:
            out = cv2.cvtColor(cv2.imdecode(encoded, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return out


def augment(image, mask, size, policy, rng):
    """A training sample: 8-bit RGB image and 0..1 mask of any size in, size x size image and 0/1 mask out."""
    matrix = random_matrix(image.shape[1], image.shape[0], size, policy, rng)
    image, mask = warp(image, mask, matrix, size)
    return photometric(image, policy, rng), mask


def squeeze(image, mask, size):
    """The validation view: the whole photo squeezed to the input, as `blurcam start` feeds a frame."""
    return warp(image, mask, fit_matrix(image.shape[1], image.shape[0], size, letterbox=False), size)
