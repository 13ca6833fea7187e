"""Data preparation: check a folder of photos and person masks, summarise it, split it into train/validation.

A data folder holds `images/NAME.jpg` (or .png, .jpeg, .bmp, .webp) and `masks/NAME.png` (8-bit, white =
person), the layout of the Supervisely-style person sets and of `blurcam record`. Every file is checked on its
own: a bad one is listed with the reason and left out, the others go on.
"""
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field

import cv2
import numpy as np

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
MASK_EXTENSIONS = (".png", ".bmp", ".tif", ".tiff", ".jpg", ".jpeg")
# Mask values between these count as grey (neither person nor background).
GREY_LOW, GREY_HIGH = 32, 223
# More grey than this share of the pixels is a soft matte or a photo, not a mask.
MAX_GREY_SHARE = 0.05
# A mask smaller than its photo is accepted when it is the photo scaled down (same aspect ratio to this).
ASPECT_TOLERANCE = 0.02
MIN_SIDE = 32
# Proposed training sizes are multiples of 32 (the backbones' stride) within these bounds.
MIN_TRAIN_SIZE, MAX_TRAIN_SIZE = 128, 512


@dataclass
class Sample:
    name: str
    image: str
    mask: str
    width: int
    height: int
    person_share: float


@dataclass
class Problem:
    path: str
    reason: str


@dataclass
class Report:
    samples: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def _files_by_name(folder, extensions):
    """{base name: [file names]} of the files in `folder` with one of `extensions`."""
    found = {}
    if not os.path.isdir(folder):
        return found
    for entry in sorted(os.listdir(folder)):
        base, ext = os.path.splitext(entry)
        if ext.lower() in extensions:
            found.setdefault(base, []).append(entry)
    return found


def read_image(path, flags):
    """cv2.imread that also takes non-ASCII paths and returns None for anything it cannot decode."""
    try:
        data = np.fromfile(path, dtype=np.uint8)
    except OSError:
        return None
    if data.size == 0:
        return None
    return cv2.imdecode(data, flags)


def check_pair(name, image_path, mask_path):
    """Returns (Sample, None, notes) for a usable pair, or (None, reason, notes)."""
    notes = []
    image = read_image(image_path, cv2.IMREAD_COLOR)
    if image is None:
        return None, "the image cannot be opened (not an image, or damaged)", notes
    height, width = image.shape[:2]
    if min(width, height) < MIN_SIDE:
        return None, f"the image is {width}x{height}, smaller than {MIN_SIDE} px on a side", notes
    mask = read_image(mask_path, cv2.IMREAD_UNCHANGED)
    if mask is None:
        return None, "the mask cannot be opened (not an image, or damaged)", notes
    if mask.ndim == 3:
        channels = mask[:, :, :3]
        if not (np.array_equal(channels[:, :, 0], channels[:, :, 1]) and np.array_equal(channels[:, :, 0], channels[:, :, 2])):
            return None, "the mask is in colour; a mask is grey levels, white = person", notes
        mask = channels[:, :, 0]
    if mask.dtype != np.uint8:
        return None, f"the mask is {mask.dtype}; a mask is 8-bit, white = person", notes
    mask_height, mask_width = mask.shape
    if (mask_width, mask_height) != (width, height):
        aspect_gap = abs(mask_width * height - mask_height * width) / (width * mask_height)
        if aspect_gap > ASPECT_TOLERANCE:
            return None, f"the mask is {mask_width}x{mask_height} but the image is {width}x{height} (another shape)", notes
        notes.append(f"mask {mask_width}x{mask_height} is the image {width}x{height} scaled; it is scaled back when read")
    grey_share = float(np.count_nonzero((mask >= GREY_LOW) & (mask <= GREY_HIGH))) / mask.size
    if grey_share > MAX_GREY_SHARE:
        return None, f"the mask is not binary enough: {grey_share:.0%} of it is grey (at most {MAX_GREY_SHARE:.0%})", notes
    person_share = float(np.count_nonzero(mask > 127)) / mask.size
    if person_share == 0:
        notes.append("no person in the mask (kept: it teaches the model what background is)")
    sample = Sample(name, image_path, mask_path, width, height, person_share)
    return sample, None, notes


def scan(data_dir):
    """Checks every file of `data_dir` (images/ and masks/); returns a Report."""
    report = Report()
    images_dir, masks_dir = os.path.join(data_dir, "images"), os.path.join(data_dir, "masks")
    if not os.path.isdir(images_dir):
        report.problems.append(Problem(images_dir, "there is no images/ folder (photos go in images/, masks in masks/)"))
        return report
    images = _files_by_name(images_dir, IMAGE_EXTENSIONS)
    masks = _files_by_name(masks_dir, MASK_EXTENSIONS)
    for name, files in images.items():
        if len(files) > 1:
            for extra in files[1:]:
                report.problems.append(Problem(os.path.join(images_dir, extra), f"another image has the same name ({files[0]}); only one is used"))
        image_path = os.path.join(images_dir, files[0])
        if name not in masks:
            report.problems.append(Problem(image_path, f"it has no mask (expected masks/{name}.png)"))
            continue
        if len(masks[name]) > 1:
            for extra in masks[name][1:]:
                report.problems.append(Problem(os.path.join(masks_dir, extra), f"another mask has the same name ({masks[name][0]}); only one is used"))
        mask_path = os.path.join(masks_dir, masks[name][0])
        sample, reason, notes = check_pair(name, image_path, mask_path)
        report.notes.extend(Problem(image_path, note) for note in notes)
        if sample is None:
            report.problems.append(Problem(image_path if reason.startswith("the image") else mask_path, reason))
        else:
            report.samples.append(sample)
    for name, files in masks.items():
        if name not in images:
            report.problems.append(Problem(os.path.join(masks_dir, files[0]), f"it has no image (expected images/{name}.jpg or .png)"))
    return report


def propose_size(samples):
    """A square training side from the photos' mean shorter side, a multiple of 32 within the bounds."""
    if not samples:
        return MIN_TRAIN_SIZE
    mean_short = float(np.mean([min(s.width, s.height) for s in samples]))
    return int(min(MAX_TRAIN_SIZE, max(MIN_TRAIN_SIZE, round(mean_short / 32) * 32)))


def _aspect_group(sample):
    aspect = sample.width / sample.height
    if aspect < 0.9:
        return "portrait (<0.9)"
    if aspect < 1.1:
        return "square (0.9-1.1)"
    if aspect < 1.5:
        return "4:3-ish (1.1-1.5)"
    if aspect < 1.9:
        return "16:9-ish (1.5-1.9)"
    return "wide (>=1.9)"


def summarise(samples):
    if not samples:
        return {"count": 0}
    widths = np.array([s.width for s in samples])
    heights = np.array([s.height for s in samples])
    shares = np.array([s.person_share for s in samples])
    aspects = {}
    for sample in samples:
        group = _aspect_group(sample)
        aspects[group] = aspects.get(group, 0) + 1

    def spread(values):
        return {"min": float(values.min()), "mean": round(float(values.mean()), 3), "max": float(values.max())}

    return {
        "count": len(samples),
        "width": spread(widths),
        "height": spread(heights),
        "aspect": dict(sorted(aspects.items())),
        "person_share": spread(shares),
        "without_person": int(np.count_nonzero(shares == 0)),
        "proposed_size": propose_size(samples),
    }


def in_validation(name, seed, val_share):
    """Whether `name` goes to validation: a hash of seed and name, so the split is reproducible and adding
    photos later never moves the ones already placed."""
    digest = hashlib.sha256(f"{seed}:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < val_share


def split(samples, seed=0, val_share=0.15):
    train, val = [], []
    for sample in sorted(samples, key=lambda s: s.name):
        (val if in_validation(sample.name, seed, val_share) else train).append(sample)
    # A small set can hash every photo to one side; both sides need at least one.
    if not val and len(train) > 1:
        val.append(train.pop())
    if not train and len(val) > 1:
        train.append(val.pop(0))
    return train, val


def write_list(path, samples):
    """One pair a line, image and mask paths separated by a tab, absolute so lists work from anywhere."""
    with open(path, "w") as f:
        for sample in samples:
            f.write(f"{os.path.abspath(sample.image)}\t{os.path.abspath(sample.mask)}\n")


def read_list(path):
    pairs = []
    with open(path) as f:
        for line in f:
            line = line.rstrip("\n")
            if line and not line.startswith("#"):
                image, mask = line.split("\t")
                pairs.append((image, mask))
    return pairs


def prepare(data_dir, out_dir, seed=0, val_share=0.15):
    """Checks, summarises and splits; writes train.txt, val.txt, problems.txt and summary.json to out_dir."""
    report = scan(data_dir)
    train, val = split(report.samples, seed, val_share)
    os.makedirs(out_dir, exist_ok=True)
    write_list(os.path.join(out_dir, "train.txt"), train)
    write_list(os.path.join(out_dir, "val.txt"), val)
    with open(os.path.join(out_dir, "problems.txt"), "w") as f:
        for problem in report.problems:
            f.write(f"{problem.path}\t{problem.reason}\n")
    summary = summarise(report.samples)
    summary.update(
        {
            "data": os.path.abspath(data_dir),
            "train": len(train),
            "val": len(val),
            "seed": seed,
            "val_share": val_share,
            "problems": [asdict(p) for p in report.problems],
            "notes": [asdict(n) for n in report.notes],
        }
    )
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return summary


def format_summary(summary):
    lines = [f"usable pairs  {summary['count']}  (train {summary['train']}, validation {summary['val']}, seed {summary['seed']})"]
    if summary["count"]:
        w, h, p = summary["width"], summary["height"], summary["person_share"]
        lines.append(f"width         {w['min']:.0f} .. {w['max']:.0f}, mean {w['mean']:.0f}")
        lines.append(f"height        {h['min']:.0f} .. {h['max']:.0f}, mean {h['mean']:.0f}")
        lines.append("aspect        " + ", ".join(f"{k}: {v}" for k, v in summary["aspect"].items()))
        lines.append(f"person share  {p['min']:.2f} .. {p['max']:.2f}, mean {p['mean']:.2f}; {summary['without_person']} without a person")
        lines.append(f"proposed training size  {summary['proposed_size']} (a square input; --size to change)")
    if summary["notes"]:
        lines.append(f"notes ({len(summary['notes'])}):")
        lines.extend(f"  {n['path']}: {n['reason']}" for n in summary["notes"][:20])
        if len(summary["notes"]) > 20:
            lines.append(f"  ... {len(summary['notes']) - 20} more in summary.json")
    if summary["problems"]:
        lines.append(f"left out ({len(summary['problems'])}):")
        lines.extend(f"  {p['path']}: {p['reason']}" for p in summary["problems"])
    return "\n".join(lines)
