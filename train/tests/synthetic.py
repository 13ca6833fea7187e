"""A small generated data set: a person-like figure (head and body) on a textured background, with its mask."""
import os

import cv2
import numpy as np


def person_photo(rng, width, height):
    """(BGR image, mask 0/255) of a figure whose size and place vary, on a noisy gradient."""
    ramp = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    start, end = rng.uniform(40, 140, size=3), rng.uniform(40, 140, size=3)
    background = np.broadcast_to(start + (end - start) * ramp, (height, width, 3)).copy()
    background += rng.normal(0, 12, size=background.shape)
    mask = np.zeros((height, width), np.uint8)
    centre_x = int(rng.uniform(0.3, 0.7) * width)
    head_radius = int(rng.uniform(0.08, 0.14) * height)
    head_y = int(rng.uniform(0.2, 0.35) * height)
    cv2.circle(mask, (centre_x, head_y), head_radius, 255, -1)
    body_width = int(head_radius * rng.uniform(1.8, 2.6))
    cv2.ellipse(mask, (centre_x, height), (body_width, int(height - head_y - head_radius * 0.6)), 0, 180, 360, 255, -1)
    colour = rng.uniform(150, 250, size=3)
    figure = colour + rng.normal(0, 10, size=background.shape)
    image = np.where(mask[:, :, None] > 0, figure, background)
    return np.clip(image, 0, 255).astype(np.uint8), mask


def write_dataset(folder, count, width=80, height=64, seed=0):
    """`count` pairs in folder/images (JPEG) and folder/masks (PNG); returns the folder."""
    rng = np.random.default_rng(seed)
    os.makedirs(os.path.join(folder, "images"), exist_ok=True)
    os.makedirs(os.path.join(folder, "masks"), exist_ok=True)
    for index in range(count):
        image, mask = person_photo(rng, width, height)
        cv2.imwrite(os.path.join(folder, "images", f"p{index:03d}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 95])
        cv2.imwrite(os.path.join(folder, "masks", f"p{index:03d}.png"), mask)
    return folder
