import json
import os

import cv2
import numpy as np
import pytest

from blurcam_train.prepare import prepare, read_list, split, scan
from synthetic import write_dataset


def reasons(summary):
    return {os.path.basename(p["path"]): p["reason"] for p in summary["problems"]}


@pytest.fixture
def messy(tmp_path):
    """Twelve good pairs, and one file of each kind of bad input."""
    folder = write_dataset(str(tmp_path / "data"), 12)
    images, masks = os.path.join(folder, "images"), os.path.join(folder, "masks")
    with open(os.path.join(images, "broken.jpg"), "wb") as f:
        f.write(b"\xff\xd8 not really a JPEG")
    cv2.imwrite(os.path.join(masks, "broken.png"), np.zeros((64, 80), np.uint8))
    cv2.imwrite(os.path.join(images, "lonely.jpg"), np.zeros((64, 80, 3), np.uint8))
    cv2.imwrite(os.path.join(masks, "orphan.png"), np.zeros((64, 80), np.uint8))
    cv2.imwrite(os.path.join(images, "shape.jpg"), np.zeros((64, 80, 3), np.uint8))
    cv2.imwrite(os.path.join(masks, "shape.png"), np.zeros((64, 64), np.uint8))
    cv2.imwrite(os.path.join(images, "soft.jpg"), np.zeros((64, 80, 3), np.uint8))
    cv2.imwrite(os.path.join(masks, "soft.png"), np.tile(np.linspace(0, 255, 80).astype(np.uint8), (64, 1)))
    cv2.imwrite(os.path.join(images, "badmask.jpg"), np.zeros((64, 80, 3), np.uint8))
    with open(os.path.join(masks, "badmask.png"), "wb") as f:
        f.write(b"")
    cv2.imwrite(os.path.join(images, "colour.jpg"), np.zeros((64, 80, 3), np.uint8))
    colour_mask = np.zeros((64, 80, 3), np.uint8)
    colour_mask[:, :40] = (0, 0, 255)
    cv2.imwrite(os.path.join(masks, "colour.png"), colour_mask)
    cv2.imwrite(os.path.join(images, "tiny.jpg"), np.zeros((16, 20, 3), np.uint8))
    cv2.imwrite(os.path.join(masks, "tiny.png"), np.zeros((16, 20), np.uint8))
    cv2.imwrite(os.path.join(images, "p000.png"), np.zeros((64, 80, 3), np.uint8))  # same name as p000.jpg
    # A mask that is its photo scaled down (as in some public sets) is fine: noted, kept.
    cv2.imwrite(os.path.join(images, "scaled.jpg"), np.zeros((64, 80, 3), np.uint8))
    cv2.imwrite(os.path.join(masks, "scaled.png"), np.zeros((32, 40), np.uint8))
    return folder


def test_each_kind_of_bad_input_is_listed_with_its_reason_and_the_rest_go_on(messy, tmp_path):
    summary = prepare(messy, str(tmp_path / "lists"))
    found = reasons(summary)
    assert "cannot be opened" in found["broken.jpg"] and "image" in found["broken.jpg"]
    assert "has no mask" in found["lonely.jpg"]
    assert "has no image" in found["orphan.png"]
    assert "another shape" in found["shape.png"]
    assert "not binary enough" in found["soft.png"]
    assert "mask cannot be opened" in found["badmask.png"]
    assert "in colour" in found["colour.png"]
    assert "smaller than 32 px" in found["tiny.jpg"]
    assert "same name" in found["p000.png"]
    assert len(found) == 9
    # The twelve good pairs and the scaled mask are used; the scaled one is noted, as is its empty mask.
    assert summary["count"] == 13 and summary["train"] + summary["val"] == 13
    assert any("scaled" in n["reason"] for n in summary["notes"])
    listed = read_list(str(tmp_path / "lists" / "train.txt")) + read_list(str(tmp_path / "lists" / "val.txt"))
    assert sorted(os.path.basename(image) for image, _ in listed) == sorted([f"p{i:03d}.jpg" for i in range(12)] + ["scaled.jpg"])
    with open(tmp_path / "lists" / "problems.txt") as f:
        assert len(f.readlines()) == 9


def test_summary_gives_sizes_aspects_person_share_and_a_training_size(messy, tmp_path):
    summary = prepare(messy, str(tmp_path / "lists"))
    assert summary["width"]["min"] == 80 and summary["height"]["max"] == 64
    assert summary["aspect"] == {"4:3-ish (1.1-1.5)": 13}
    assert 0.05 < summary["person_share"]["mean"] < 0.6 and summary["without_person"] == 1
    assert summary["proposed_size"] == 128  # the smallest proposal: 64 px photos
    with open(tmp_path / "lists" / "summary.json") as f:
        assert json.load(f)["count"] == 13


def test_a_missing_images_folder_is_one_problem_not_a_crash(tmp_path):
    report = scan(str(tmp_path))
    assert len(report.problems) == 1 and "no images/ folder" in report.problems[0].reason


def test_the_split_is_reproducible_and_adding_photos_moves_none_of_the_others(tmp_path):
    small = scan(write_dataset(str(tmp_path / "small"), 40)).samples
    train, val = split(small, seed=3, val_share=0.25)
    again_train, again_val = split(small, seed=3, val_share=0.25)
    assert [s.name for s in train] == [s.name for s in again_train] and [s.name for s in val] == [s.name for s in again_val]
    assert 3 <= len(val) <= 18
    larger = scan(write_dataset(str(tmp_path / "larger"), 80)).samples
    _, larger_val = split(larger, seed=3, val_share=0.25)
    assert {s.name for s in val} <= {s.name for s in larger_val}
    _, other_val = split(small, seed=4, val_share=0.25)
    assert {s.name for s in other_val} != {s.name for s in val}
