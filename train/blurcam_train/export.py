"""Export a trained checkpoint for `blurcam --model` (ONNX, docs/model-contract.md) and for Core ML.

Each export checks itself: it runs the exported model on validation photos and compares the person
probability with PyTorch's, and refuses (raises ExportMismatch) when they disagree.
"""
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import torch

from .augment import squeeze
from .dataset import load_pair, to_tensor
from .models import build_from_checkpoint
from .prepare import read_list

OPSET = 17
CONTRACT = {"blurcam.contract": "1", "blurcam.input": "rgb-imagenet", "blurcam.output": "two-class-logits"}
# ONNX in FP32 must match PyTorch closely; Core ML runs in FP16.
ONNX_MAX_DIFF = 1e-3
COREML_MAX_DIFF = 0.05
MIN_MASK_AGREEMENT = 0.99  # share of pixels on the same side of 0.5
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class ExportMismatch(Exception):
    """The exported model does not compute what the PyTorch model does."""


class PersonLogits(torch.nn.Module):
    """The [1, 2, H, W] logits (channel 1 = person) instead of torchvision's dict, as the contract reads them."""

    def __init__(self, segmenter):
        super().__init__()
        self.segmenter = segmenter

    def forward(self, image):
        return self.segmenter(image)["out"]


class PortableHardswish(torch.nn.Module):
    """x * hardsigmoid(x): the same function as Hardswish, in operators CoreML runs (it lacks HardSwish), so
    onnxruntime's CoreML provider keeps the whole graph on the Neural Engine (docs/model-contract.md)."""

    def forward(self, x):
        return x * torch.nn.functional.hardsigmoid(x)


def exportable(checkpoint):
    """The checkpoint's model for inference: no auxiliary head, portable Hardswish, logits out."""
    model = build_from_checkpoint(checkpoint)
    if getattr(model, "aux_classifier", None) is not None:
        model.aux_classifier = None
    for parent in model.modules():
        for name, child in parent.named_children():
            if isinstance(child, torch.nn.Hardswish):
                setattr(parent, name, PortableHardswish())
    return PersonLogits(model).eval()


def sample_inputs(val_list, size, count):
    """Up to `count` validation photos squeezed to the input, as [N, 3, size, size]; noise if there are none."""
    pairs = read_list(val_list)[:count] if val_list and os.path.exists(val_list) else []
    if not pairs:
        return torch.from_numpy(np.random.default_rng(0).normal(size=(1, 3, size, size)).astype(np.float32))
    return torch.stack([to_tensor(squeeze(*load_pair(*pair), size)[0]) for pair in pairs])


def compare(reference_logits, exported_logits, max_diff, what):
    """Raises ExportMismatch unless the person probabilities agree; returns the figures."""
    def person(logits):
        return torch.softmax(torch.from_numpy(np.ascontiguousarray(logits, dtype=np.float32)), dim=1)[:, 1].numpy()

    reference, exported = person(reference_logits), person(exported_logits)
    if reference.shape != exported.shape:
        raise ExportMismatch(f"{what} outputs {exported.shape}, PyTorch {reference.shape}")
    diff = float(np.abs(reference - exported).max())
    agreement = float(np.mean((reference >= 0.5) == (exported >= 0.5)))
    figures = {"images": int(reference.shape[0]), "max_probability_diff": diff, "mask_agreement": agreement}
    if diff > max_diff or agreement < MIN_MASK_AGREEMENT:
        raise ExportMismatch(f"{what} disagrees with PyTorch: {json.dumps(figures)}")
    return figures


def run_onnx(path, inputs):
    """The ONNX model's outputs for each input: through Python's onnxruntime when installed, else through
    onnxruntime-node, the runtime blurcam itself uses."""
    try:
        import onnxruntime
    except ImportError:
        onnxruntime = None
    if onnxruntime is not None:
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        return np.concatenate([session.run(None, {name: x[None].numpy()})[0] for x in inputs]), "onnxruntime (Python)"
    node = shutil.which("node")
    if node is None:
        raise ExportMismatch("cannot check the export: neither Python's onnxruntime nor node is installed")
    with tempfile.TemporaryDirectory() as folder:
        batch = os.path.join(folder, "inputs.f32")
        inputs.numpy().astype(np.float32).tofile(batch)
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "run_onnx.mjs")
        result = subprocess.run([node, script, path, batch, str(inputs.shape[0])], cwd=REPO_ROOT,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise ExportMismatch(f"onnxruntime-node could not run {path}: {result.stderr.strip()}")
        shape = json.loads(result.stdout)
        outputs = np.fromfile(batch + ".out", dtype=np.float32).reshape(shape)
    return outputs, "onnxruntime-node"


def export_onnx(checkpoint_path, out_path, size=None, val_list=None, verify_count=8, log=print):
    """Writes the ONNX model at size x size (default: the training size) and checks it; returns the figures."""
    checkpoint = torch.load(checkpoint_path, map_location="cpu")
    size = size or checkpoint["size"]
    model = exportable(checkpoint)
    options = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    os.makedirs(os.path.dirname(os.path.abspath(out_path)), exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        # torch 1.13's exporter warns about constants it cannot infer shapes for; the check below runs the result.
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant")
        torch.onnx.export(model, torch.zeros(1, 3, size, size), out_path, input_names=["image"],
                          output_names=["mask"], opset_version=OPSET, **options)
    import onnx

    onnx_model = onnx.load(out_path)
    source = f"blurcam train: {checkpoint['arch']} width {checkpoint['width']}, epoch {checkpoint.get('epoch')}, " \
             f"validation IoU {checkpoint.get('val_iou', float('nan')):.3f}"
    for key, value in {**CONTRACT, "blurcam.source": source}.items():
        entry = onnx_model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(onnx_model)
    onnx.save(onnx_model, out_path)

    inputs = sample_inputs(val_list, size, verify_count)
    with torch.no_grad():
        reference = torch.cat([model(x[None]) for x in inputs]).numpy()
    outputs, runtime = run_onnx(out_path, inputs)
    figures = compare(reference, outputs, ONNX_MAX_DIFF, f"{out_path} in {runtime}")
    log(f"{out_path}: {size}x{size}, checked in {runtime} on {figures['images']} images: person probability "
        f"within {figures['max_probability_diff']:.1e} of PyTorch, masks agree on {figures['mask_agreement']:.2%} of pixels")
    return figures


def export_coreml(checkpoint_path, out_path, size=None, val_list=None, verify_count=8, log=print):
    """Writes an ML Program (FP16, all compute units) where coremltools is installed; checks it on macOS."""
    try:
        import coremltools as ct
    except ImportError as error:
        raise RuntimeError("coremltools is not installed: on a Mac, pip install coremltools in the venv "
                           "(train/README.md), then export again with --coreml") from error
    checkpoint = torch.load(checkpoint_path, map_location="cpu")
    size = size or checkpoint["size"]
    model = exportable(checkpoint)
    example = torch.zeros(1, 3, size, size)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    mlmodel = ct.convert(
        traced,
        inputs=[ct.TensorType(name="image", shape=example.shape)],
        outputs=[ct.TensorType(name="mask")],
        convert_to="mlprogram",
        compute_precision=ct.precision.FLOAT16,
        compute_units=ct.ComputeUnit.ALL,
    )
    for key, value in CONTRACT.items():
        mlmodel.user_defined_metadata[key] = value
    mlmodel.save(out_path)
    if sys.platform != "darwin":
        log(f"{out_path}: written; Core ML models run only on macOS, so it was not checked here")
        return None
    inputs = sample_inputs(val_list, size, verify_count)
    with torch.no_grad():
        reference = torch.cat([model(x[None]) for x in inputs]).numpy()
    outputs = np.concatenate([mlmodel.predict({"image": x[None].numpy()})["mask"] for x in inputs])
    figures = compare(reference, outputs, COREML_MAX_DIFF, f"{out_path} in Core ML")
    log(f"{out_path}: FP16, checked in Core ML on {figures['images']} images: person probability within "
        f"{figures['max_probability_diff']:.3f} of PyTorch, masks agree on {figures['mask_agreement']:.2%} of pixels")
    return figures
