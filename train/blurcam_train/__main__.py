"""python3 -m blurcam_train prepare|train|export: from a folder of photos and masks to a model for blurcam."""
import argparse
import json
import os
import sys


def fail(message, fix):
    print(f"blurcam_train: {message}\n  fix: {fix}", file=sys.stderr)
    return 1


def prepare_command(args):
    from .prepare import format_summary, prepare

    summary = prepare(args.data, args.out, seed=args.seed, val_share=args.val_share)
    print(format_summary(summary))
    print(f"lists in {args.out}: train.txt, val.txt, problems.txt, summary.json")
    return 0 if summary["train"] and summary["val"] else 1


def train_command(args):
    from .augment import POLICIES
    from .models import WeightsError
    from .training import Run, TrainConfig

    if not os.path.exists(os.path.join(args.data, "train.txt")):
        return fail(f"{args.data} has no train.txt", f"run: python3 -m blurcam_train prepare PHOTOS --out {args.data}")
    size = args.size
    if size is None:
        with open(os.path.join(args.data, "summary.json")) as f:
            size = json.load(f)["proposed_size"]
    if args.augment not in POLICIES:
        return fail(f"unknown --augment {args.augment!r}", f"use one of {', '.join(POLICIES)}")
    config = TrainConfig(
        data=args.data, run=args.run, arch=args.arch, size=size, epochs=args.epochs, batch=args.batch, lr=args.lr,
        augment=args.augment, width=args.width, backbone_weights=args.backbone_weights,
        download_weights=args.download_weights, patience=args.patience, seed=args.seed, workers=args.workers,
        device=args.device, progress=not args.no_progress,
    )
    try:
        Run(config).train()
    except WeightsError as error:
        return fail(str(error), "give --backbone-weights torchvision's mobilenet_v3_large ImageNet file, or leave it out")
    return 0


def export_command(args):
    from .export import ExportMismatch, export_coreml, export_onnx

    if not os.path.isfile(args.checkpoint):
        return fail(f"{args.checkpoint} does not exist", "name the best.pt of a training run")
    val_list = os.path.join(args.data, "val.txt") if args.data else None
    try:
        export_onnx(args.checkpoint, args.out, args.size, val_list)
        if args.coreml:
            export_coreml(args.checkpoint, os.path.splitext(args.out)[0] + ".mlpackage", args.size, val_list)
    except ExportMismatch as error:
        return fail(str(error), "report this with the checkpoint: the exported graph does not compute what PyTorch does")
    except RuntimeError as error:
        return fail(str(error), "see train/README.md, section 4")
    print(f"run it: npx blurcam start --model {args.out}")
    return 0


def predict_command(args):
    from .predict import predict_folder

    written, skipped = predict_folder(args.checkpoint, args.images, args.out)
    for path, reason in skipped:
        print(f"{path}  skipped: {reason}")
    print(f"{written} masks in {args.out}")
    return 1 if skipped else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m blurcam_train", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("prepare", help="check photos and masks, summarise them, split train/validation")
    p.add_argument("data", help="folder with images/ and masks/ (NAME.jpg and NAME.png, white = person)")
    p.add_argument("--out", required=True, help="folder for the lists and the summary")
    p.add_argument("--seed", type=int, default=0, help="split seed (the same seed gives the same split)")
    p.add_argument("--val-share", type=float, default=0.15, help="share of the photos kept for validation")
    p.set_defaults(handler=prepare_command)

    t = commands.add_parser("train", help="train (or resume) a run")
    t.add_argument("--data", required=True, help="the --out folder of prepare")
    t.add_argument("--run", required=True, help="run folder; an existing run is resumed")
    t.add_argument("--arch", choices=["lraspp", "deeplabv3"], default="lraspp")
    t.add_argument("--size", type=int, help="square input side (default: prepare's proposal)")
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--batch", type=int, default=8)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--augment", default="geometric", help="augmentation policy: none, geometric (default), full (adds webcam faults)")
    t.add_argument("--width", type=float, default=1.0, help="backbone width multiplier (below 1 only for quick tests)")
    t.add_argument("--backbone-weights", help="MobileNetV3-Large ImageNet weights file (.pth) for the backbone")
    t.add_argument("--download-weights", action="store_true", help="let torchvision download the backbone weights")
    t.add_argument("--patience", type=int, default=8, help="stop after this many epochs without a better validation IoU")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--workers", type=int, default=0, help="data loading processes")
    t.add_argument("--device", default="auto", help="auto (CUDA, then Apple MPS, then CPU), cuda, mps or cpu")
    t.add_argument("--no-progress", action="store_true", help="no progress bar (one line per epoch still)")
    t.set_defaults(handler=train_command)

    e = commands.add_parser("export", help="write the ONNX model for blurcam --model (and Core ML), checked")
    e.add_argument("checkpoint", help="best.pt of a run")
    e.add_argument("--out", required=True, help="the .onnx file to write (Core ML: the same name, .mlpackage)")
    e.add_argument("--size", type=int, help="square input side (default: the training size)")
    e.add_argument("--data", help="prepare's folder: the export is checked on its validation photos")
    e.add_argument("--coreml", action="store_true", help="also write a Core ML model (FP16, all compute units)")
    e.set_defaults(handler=export_command)

    r = commands.add_parser("predict", help="write masks for a folder of photos, one PyTorch pass each (as blurcam start sees a frame)")
    r.add_argument("checkpoint", help="best.pt of a run")
    r.add_argument("images", help="folder of photos")
    r.add_argument("--out", required=True, help="folder for the masks (NAME.png, 255 = person, at the photo's size)")
    r.set_defaults(handler=predict_command)

    args = parser.parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
