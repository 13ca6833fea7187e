import os
import shutil
import subprocess

import cv2
import numpy as np
import onnx
import pytest
import torch

from blurcam_train.augment import squeeze
from blurcam_train.dataset import load_pair, to_tensor
from blurcam_train.export import CONTRACT, ExportMismatch, compare, export_onnx, exportable
from blurcam_train.prepare import read_list

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BLURCAM = os.path.join(REPO_ROOT, "bin", "blurcam.js")
BUILT = os.path.exists(os.path.join(REPO_ROOT, "dist", "cli.js"))


@pytest.fixture(scope="module")
def exported(tiny_run, tmp_path_factory):
    config, _ = tiny_run
    path = str(tmp_path_factory.mktemp("export") / "person.onnx")
    figures = export_onnx(os.path.join(config.run, "best.pt"), path, val_list=os.path.join(config.data, "val.txt"),
                          log=lambda line: None)
    return config, path, figures


def test_the_onnx_export_follows_the_model_contract_and_matches_pytorch(exported):
    _, path, figures = exported
    assert figures["images"] == 7 and figures["max_probability_diff"] < 1e-3 and figures["mask_agreement"] >= 0.99
    model = onnx.load(path)
    metadata = {p.key: p.value for p in model.metadata_props}
    assert {k: metadata[k] for k in CONTRACT} == CONTRACT
    assert metadata["blurcam.source"].startswith("blurcam train: lraspp width 0.25")
    dims = lambda value: [d.dim_value for d in value.type.tensor_type.shape.dim]  # noqa: E731
    assert [dims(i) for i in model.graph.input] == [[1, 3, 64, 64]]
    assert [dims(o) for o in model.graph.output] == [[1, 2, 64, 64]]


def test_the_export_takes_another_input_size(tiny_run, tmp_path):
    config, _ = tiny_run
    path = str(tmp_path / "person-96.onnx")
    export_onnx(os.path.join(config.run, "best.pt"), path, size=96, val_list=os.path.join(config.data, "val.txt"),
                verify_count=2, log=lambda line: None)
    assert [d.dim_value for d in onnx.load(path).graph.input[0].type.tensor_type.shape.dim] == [1, 3, 96, 96]


def test_an_export_that_disagrees_with_pytorch_is_refused():
    logits = np.random.default_rng(0).normal(size=(2, 2, 16, 16)).astype(np.float32)
    assert compare(logits, logits + 1e-6, 1e-3, "same")["mask_agreement"] == 1.0
    with pytest.raises(ExportMismatch, match="flipped disagrees with PyTorch"):
        compare(logits, logits[:, ::-1], 1e-3, "flipped")
    with pytest.raises(ExportMismatch, match="outputs"):
        compare(logits, logits[:, :, :8], 1e-3, "cropped")


@pytest.mark.skipif(not BUILT and not os.environ.get("BLURCAM_TRAIN_REQUIRE_CLI"), reason="blurcam is not built (npm run build)")
def test_blurcam_segment_runs_the_export_and_its_masks_agree_with_pytorch(exported, tmp_path):
    config, path, _ = exported
    pairs = read_list(os.path.join(config.data, "val.txt"))
    photos = tmp_path / "photos"
    photos.mkdir()
    for image, _ in pairs:
        shutil.copy(image, photos)
    out = tmp_path / "masks"
    env = {**os.environ, "OPENCV4NODEJS_DISABLE_AUTOBUILD": "1", "BLURCAM_CONFIG_DIR": str(tmp_path / "config")}
    result = subprocess.run(["node", BLURCAM, "segment", str(photos), "--out", str(out), "--model", path],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("model: person.onnx 64x64 on cpu")

    model = exportable(torch.load(os.path.join(config.run, "best.pt")))
    for image_path, mask_path in pairs:
        image, truth = load_pair(image_path, mask_path)
        blurcam_mask = cv2.imread(str(out / (os.path.splitext(os.path.basename(image_path))[0] + ".png")), cv2.IMREAD_UNCHANGED)
        assert blurcam_mask.shape == image.shape[:2] and blurcam_mask.dtype == np.uint8
        with torch.no_grad():
            logits = model(to_tensor(squeeze(image, truth, config.size)[0])[None])
        probability = torch.softmax(logits, dim=1)[0, 1].numpy()
        pytorch_mask = cv2.resize(probability, (image.shape[1], image.shape[0])) >= 0.5
        ours = blurcam_mask >= 128
        # blurcam's photo mode averages several views (docs/segmentation.md), so the masks agree closely, not exactly.
        agreement = np.count_nonzero(ours & pytorch_mask) / max(1, np.count_nonzero(ours | pytorch_mask))
        assert agreement > 0.8, f"{image_path}: blurcam and PyTorch masks overlap by IoU {agreement:.2f}"


def test_predict_writes_a_mask_at_each_photos_size(tiny_run, tmp_path):
    from blurcam_train.predict import predict_folder

    config, _ = tiny_run
    photos = tmp_path / "photos"
    photos.mkdir()
    for image, _ in read_list(os.path.join(config.data, "val.txt"))[:3]:
        shutil.copy(image, photos)
    (photos / "broken.jpg").write_bytes(b"not a photo")
    written, skipped = predict_folder(os.path.join(config.run, "best.pt"), str(photos), str(tmp_path / "masks"))
    assert written == 3 and [os.path.basename(path) for path, _ in skipped] == ["broken.jpg"]
    for name in os.listdir(tmp_path / "masks"):
        mask = cv2.imread(str(tmp_path / "masks" / name), cv2.IMREAD_UNCHANGED)
        assert mask.shape == (64, 80) and mask.dtype == np.uint8 and 0 < np.count_nonzero(mask >= 128) < mask.size
