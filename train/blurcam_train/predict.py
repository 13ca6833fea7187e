"""Masks from a checkpoint for a folder of photos: the whole photo squeezed to the input, one pass, the person
probability scaled back to the photo's size (what `blurcam start` does with a frame), for scoring with the
same tools as blurcam's own masks."""
import os

import cv2
import numpy as np
import torch

from .augment import fit_matrix
from .dataset import to_tensor
from .export import exportable
from .prepare import IMAGE_EXTENSIONS, read_image


@torch.no_grad()
def predict_folder(checkpoint_path, images_dir, out_dir):
    """Returns (masks written, [(path, reason skipped)])."""
    checkpoint = torch.load(checkpoint_path, map_location="cpu")
    model, size = exportable(checkpoint), checkpoint["size"]
    os.makedirs(out_dir, exist_ok=True)
    written, skipped = 0, []
    for name in sorted(os.listdir(images_dir)):
        base, ext = os.path.splitext(name)
        if ext.lower() not in IMAGE_EXTENSIONS:
            continue
        image = read_image(os.path.join(images_dir, name), cv2.IMREAD_COLOR)
        if image is None:
            skipped.append((os.path.join(images_dir, name), "not an image OpenCV can decode"))
            continue
        height, width = image.shape[:2]
        squeezed = cv2.warpAffine(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), fit_matrix(width, height, size, False)[:2],
                                  (size, size), flags=cv2.INTER_LINEAR)
        probability = torch.softmax(model(to_tensor(squeezed)[None]), dim=1)[0, 1].numpy()
        mask = cv2.resize(probability, (width, height), interpolation=cv2.INTER_LINEAR)
        cv2.imwrite(os.path.join(out_dir, base + ".png"), np.round(mask * 255).astype(np.uint8))
        written += 1
    return written, skipped
