import os

import pytest
import torch
import torch.nn.functional as F
from torchvision.models import mobilenet_v3_large

from blurcam_train.export import export_onnx
from blurcam_train.models import BACKBONE_WEIGHTS, WeightsError, build_model
from blurcam_train.training import segmentation_loss


@pytest.fixture(autouse=True)
def empty_torch_home(tmp_path, monkeypatch):
    """No weights file found by accident: torchvision's cache points into an empty folder."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))


@pytest.mark.parametrize("arch", ["lraspp", "deeplabv3"])
def test_the_real_architectures_train_a_step_and_export(arch, tmp_path):
    model, weights_line = build_model(arch)
    assert weights_line.startswith("No pretrained backbone")
    images, masks = torch.randn(2, 3, 64, 64), (torch.rand(2, 64, 64) > 0.5).long()
    outputs = model(images)
    assert outputs["out"].shape == (2, 2, 64, 64)
    assert ("aux" in outputs) == (arch == "deeplabv3")  # DeepLabV3 trains with its auxiliary head
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = [p.detach().clone() for p in model.parameters()]
    loss = segmentation_loss(outputs, masks)
    loss.backward()
    optimizer.step()
    main_loss = F.cross_entropy(outputs["out"], masks)
    assert torch.isfinite(loss)
    assert loss > main_loss if arch == "deeplabv3" else loss == main_loss
    assert sum(not torch.equal(a, b) for a, b in zip(before, model.parameters())) > len(before) // 2

    checkpoint = str(tmp_path / "best.pt")
    torch.save({"arch": arch, "width": 1.0, "size": 64, "model": model.state_dict()}, checkpoint)
    figures = export_onnx(checkpoint, str(tmp_path / f"{arch}.onnx"), verify_count=2, log=lambda line: None)
    assert figures["max_probability_diff"] < 1e-3 and figures["mask_agreement"] >= 0.99
    import onnx

    graph = onnx.load(str(tmp_path / f"{arch}.onnx")).graph
    assert [o.name for o in graph.output] == ["mask"]  # the auxiliary head is gone
    assert not any(node.op_type == "HardSwish" for node in graph.node)


def test_a_weights_file_given_is_loaded_into_the_backbone(tmp_path):
    source = mobilenet_v3_large(weights=None)
    path = str(tmp_path / "imagenet.pth")
    torch.save(source.state_dict(), path)
    model, weights_line = build_model("lraspp", weights_file=path)
    assert weights_line == f"backbone: ImageNet weights from {path}"
    assert torch.equal(model.backbone["0"][0].weight, source.features[0][0].weight)


def test_a_weights_file_in_torchvisions_cache_is_used_without_asking(tmp_path):
    cached = os.path.join(os.environ["TORCH_HOME"], "hub", "checkpoints", os.path.basename(BACKBONE_WEIGHTS.url))
    os.makedirs(os.path.dirname(cached))
    torch.save(mobilenet_v3_large(weights=None).state_dict(), cached)
    _, weights_line = build_model("deeplabv3")
    assert weights_line == f"backbone: ImageNet weights from {cached}"


def test_without_weights_the_message_says_how_to_get_them():
    _, weights_line = build_model("lraspp")
    assert "training from scratch" in weights_line
    assert "--backbone-weights FILE" in weights_line and "--download-weights" in weights_line
    assert os.path.basename(BACKBONE_WEIGHTS.url) in weights_line


def test_unusable_weights_files_are_refused_with_the_reason(tmp_path):
    garbage = tmp_path / "notes.pth"
    garbage.write_text("not weights")
    with pytest.raises(WeightsError, match="cannot be loaded as PyTorch weights"):
        build_model("lraspp", weights_file=str(garbage))
    other = str(tmp_path / "small.pth")
    torch.save(mobilenet_v3_large(weights=None, width_mult=0.5).state_dict(), other)
    with pytest.raises(WeightsError, match="does not hold MobileNetV3-Large weights"):
        build_model("lraspp", weights_file=other)
    with pytest.raises(WeightsError, match="only for width 1.0"):
        build_model("lraspp", width=0.5, weights_file=other)
