"""The two architectures, with two classes (0 background, 1 person), and where their backbone weights come from.

Both are built the way torchvision builds `lraspp_mobilenet_v3_large` and `deeplabv3_mobilenet_v3_large`
(a dilated MobileNetV3-Large, then the head), through torchvision's own helpers, so that the backbone can be
given ImageNet weights from a local file and, for quick tests, a smaller width.
"""
import os

import torch
from torchvision.models import MobileNet_V3_Large_Weights, mobilenet_v3_large
from torchvision.models.segmentation.deeplabv3 import _deeplabv3_mobilenetv3
from torchvision.models.segmentation.lraspp import _lraspp_mobilenetv3

ARCHITECTURES = ("lraspp", "deeplabv3")
NUM_CLASSES = 2
BACKBONE_WEIGHTS = MobileNet_V3_Large_Weights.IMAGENET1K_V1
BATCHNORM_MOMENTUM = 0.1


class WeightsError(Exception):
    """A backbone weights file that cannot be used; the message says why and what to do."""


def cached_backbone_weights():
    """Where torchvision keeps the ImageNet backbone weights once downloaded (they are used if there)."""
    return os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(BACKBONE_WEIGHTS.url))


def no_weights_message():
    return (
        "No pretrained backbone: training from scratch, which needs far more photos and epochs for the same "
        "quality.\n"
        f"  fix: pass --backbone-weights FILE (torchvision's MobileNetV3-Large ImageNet weights, "
        f"{os.path.basename(BACKBONE_WEIGHTS.url)}; found automatically at {cached_backbone_weights()}), "
        "or --download-weights on a machine that may download them."
    )


def make_backbone(width, weights_file, download):
    """A dilated MobileNetV3-Large; returns (backbone, a line saying where its weights came from)."""
    if width != 1.0 and (weights_file or download):
        raise WeightsError(f"pretrained weights exist only for width 1.0, not {width}")
    if download:
        return mobilenet_v3_large(weights=BACKBONE_WEIGHTS, dilated=True), f"backbone: ImageNet weights ({BACKBONE_WEIGHTS.url})"
    backbone = mobilenet_v3_large(weights=None, dilated=True, width_mult=width)
    if weights_file is None and width == 1.0 and os.path.exists(cached_backbone_weights()):
        weights_file = cached_backbone_weights()
    if weights_file is None:
        return backbone, no_weights_message()
    try:
        state = torch.load(weights_file, map_location="cpu")
    except Exception as error:
        raise WeightsError(f"{weights_file} cannot be loaded as PyTorch weights: {error}") from error
    try:
        backbone.load_state_dict(state)
    except RuntimeError as error:
        first = str(error).splitlines()[1].strip() if "\n" in str(error) else str(error)
        raise WeightsError(f"{weights_file} does not hold MobileNetV3-Large weights: {first}") from error
    return backbone, f"backbone: ImageNet weights from {weights_file}"


def build_model(arch, width=1.0, weights_file=None, download=False):
    """Returns (model, weights line). DeepLabV3 carries its auxiliary head (used in training only)."""
    if arch not in ARCHITECTURES:
        raise ValueError(f"unknown architecture {arch!r}; one of {', '.join(ARCHITECTURES)}")
    backbone, weights_line = make_backbone(width, weights_file, download)
    if arch == "lraspp":
        model = _lraspp_mobilenetv3(backbone, NUM_CLASSES)
    else:
        model = _deeplabv3_mobilenetv3(backbone, NUM_CLASSES, aux=True)
    # torchvision's MobileNetV3 moves BatchNorm's running statistics by 1% a step, tuned for ImageNet-length
    # training; a run of a few hundred steps on a small set would validate with statistics still near their
    # start. PyTorch's usual 10% lets them follow the data.
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.momentum = BATCHNORM_MOMENTUM
    return model, weights_line


def build_from_checkpoint(checkpoint):
    """The model a checkpoint was trained as, with its weights (the backbone's source no longer matters)."""
    model, _ = build_model(checkpoint["arch"], checkpoint["width"])
    model.load_state_dict(checkpoint["model"])
    return model
