"""The training loop: validation IoU and boundary F1 each epoch, early stopping, best checkpoint, resume, plot.

A run folder holds `last.pt` (everything needed to resume), `best.pt` (the weights with the best validation
IoU, what `export` reads), `history.json` and `curves.png`.
"""
import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from .augment import POLICIES, squeeze
from .dataset import PersonDataset, load_pair, to_tensor
from .metrics import score_probability
from .models import build_from_checkpoint, build_model
from .prepare import read_list

AUX_LOSS_WEIGHT = 0.5  # DeepLabV3's auxiliary head, as torchvision's reference training weighs it
MIN_GAIN = 1e-4  # a validation IoU this much better counts as progress for early stopping


@dataclass
class TrainConfig:
    data: str  # a folder written by `prepare` (train.txt, val.txt)
    run: str  # the run folder
    arch: str = "lraspp"
    size: int = 256
    epochs: int = 30
    batch: int = 8
    lr: float = 1e-3
    weight_decay: float = 1e-4
    augment: str = "geometric"
    width: float = 1.0
    backbone_weights: str = None
    download_weights: bool = False
    patience: int = 8
    seed: int = 0
    workers: int = 0
    device: str = "auto"
    progress: bool = True


def pick_device(name):
    if name != "auto":
        return torch.device(name)
    if torch.cuda.is_available():
        return torch.device("cuda")
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def person_probability(logits):
    """[N, 2, H, W] logits -> [N, H, W] softmax share of the person class."""
    return torch.softmax(logits.float(), dim=1)[:, 1]


def segmentation_loss(outputs, masks):
    loss = F.cross_entropy(outputs["out"], masks)
    if "aux" in outputs:
        loss = loss + AUX_LOSS_WEIGHT * F.cross_entropy(outputs["aux"], masks)
    return loss


class Validator:
    """Scores the model on the validation pairs: each photo squeezed to the input (as `blurcam start` feeds a
    frame), the person probability scaled back to the mask's size and scored there."""

    def __init__(self, list_path, size):
        self.size = size
        self.items = []
        for image_path, mask_path in read_list(list_path):
            image, mask = load_pair(image_path, mask_path)
            squeezed_image, squeezed_mask = squeeze(image, mask, size)
            self.items.append((to_tensor(squeezed_image), torch.from_numpy(squeezed_mask).long(), mask > 0.5))

    @torch.no_grad()
    def __call__(self, model, device, batch=8):
        model.eval()
        losses, ious, bf1s = [], [], []
        for start in range(0, len(self.items), batch):
            chunk = self.items[start : start + batch]
            images = torch.stack([item[0] for item in chunk]).to(device)
            masks = torch.stack([item[1] for item in chunk]).to(device)
            logits = model(images)["out"]
            losses.append(F.cross_entropy(logits.float(), masks).item() * len(chunk))
            for probability, (_, _, truth) in zip(person_probability(logits).cpu().numpy(), chunk):
                iou, bf1 = score_probability(probability, truth)
                ious.append(iou)
                bf1s.append(bf1)
        count = max(1, len(self.items))
        return {"val_loss": sum(losses) / count, "val_iou": float(np.mean(ious)), "val_bf1": float(np.mean(bf1s))}


def plot_curves(history, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    figure, (loss_axis, score_axis) = plt.subplots(1, 2, figsize=(10, 4))
    trained = [h for h in history if h.get("train_loss") is not None]
    loss_axis.plot([h["epoch"] for h in trained], [h["train_loss"] for h in trained], marker="o", label="train")
    loss_axis.plot(epochs, [h["val_loss"] for h in history], marker="o", label="validation")
    loss_axis.set_xlabel("epoch")
    loss_axis.set_ylabel("cross-entropy")
    loss_axis.legend()
    score_axis.plot(epochs, [h["val_iou"] for h in history], marker="o", label="IoU")
    score_axis.plot(epochs, [h["val_bf1"] for h in history], marker="o", label="boundary F1 (3 px)")
    score_axis.set_xlabel("epoch")
    score_axis.set_ylim(0, 1)
    score_axis.set_title("validation")
    score_axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def poly_schedule(epochs):
    """torchvision's segmentation recipe: the learning rate falls as (1 - epoch/epochs)^0.9."""
    return lambda epoch: (1 - min(epoch, epochs - 1) / epochs) ** 0.9


class Run:
    """One training run; `train()` starts it or, when the run folder has last.pt, resumes it."""

    def __init__(self, config, log=print):
        self.config = config
        self.log = log
        self.device = pick_device(config.device)
        # Mixed precision where it pays (CUDA); MPS and the CPU train in FP32.
        self.amp = self.device.type == "cuda"
        os.makedirs(config.run, exist_ok=True)
        self.last_path = os.path.join(config.run, "last.pt")
        self.best_path = os.path.join(config.run, "best.pt")

    def _build(self):
        c = self.config
        if os.path.exists(self.last_path):
            state = torch.load(self.last_path, map_location="cpu")
            saved = state["config"]
            for key in ("arch", "width", "size"):
                if saved[key] != getattr(c, key):
                    self.log(f"resuming {c.run}: {key} is {saved[key]} as when it started (not {getattr(c, key)})")
            c.arch, c.width, c.size = saved["arch"], saved["width"], saved["size"]
            model = build_from_checkpoint({"arch": c.arch, "width": c.width, "model": state["model"]})
            self.log(f"resuming {c.run} after epoch {state['epoch']}")
        else:
            state = None
            model, weights_line = build_model(c.arch, c.width, c.backbone_weights, c.download_weights)
            self.log(weights_line)
        model.to(self.device)
        optimizer = torch.optim.AdamW(model.parameters(), lr=c.lr, weight_decay=c.weight_decay)
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, poly_schedule(c.epochs))
        # torch.amp.GradScaler replaced torch.cuda.amp's in torch 2.3; Debian's 1.13 has only the latter.
        if hasattr(torch.amp, "GradScaler"):
            scaler = torch.amp.GradScaler("cuda", enabled=self.amp)
        else:
            scaler = torch.cuda.amp.GradScaler(enabled=self.amp)
        if state is not None:
            optimizer.load_state_dict(state["optimizer"])
            scheduler.load_state_dict(state["scheduler"])
            scaler.load_state_dict(state["scaler"])
        return model, optimizer, scheduler, scaler, state

    def _save(self, path, model, extra):
        torch.save({"config": asdict(self.config), "arch": self.config.arch, "width": self.config.width,
                    "size": self.config.size, "model": model.state_dict(), **extra}, path)

    def train(self):
        c = self.config
        torch.manual_seed(c.seed)
        model, optimizer, scheduler, scaler, state = self._build()
        policy = POLICIES[c.augment]
        dataset = PersonDataset(os.path.join(c.data, "train.txt"), c.size, policy, c.seed)
        if len(dataset) == 0:
            raise ValueError(f"{c.data}/train.txt lists no photos: run prepare on a folder with photos and masks")
        loader = torch.utils.data.DataLoader(
            dataset, batch_size=c.batch, shuffle=True, num_workers=c.workers,
            drop_last=len(dataset) > c.batch,  # BatchNorm cannot train on a last batch of one
            generator=torch.Generator().manual_seed(c.seed),
        )
        validate = Validator(os.path.join(c.data, "val.txt"), c.size)
        self.log(f"{c.arch} (width {c.width}) at {c.size}x{c.size} on {self.device}{' with mixed precision' if self.amp else ''}: "
                 f"{len(dataset)} training and {len(validate.items)} validation photos, augmentation '{c.augment}'")

        history = state["history"] if state else []
        best_iou = state["best_iou"] if state else -1.0
        stale = state["stale"] if state else 0
        first_epoch = state["epoch"] + 1 if state else 1
        if state is None:
            history.append({"epoch": 0, "train_loss": None, "seconds": 0.0, **validate(model, self.device)})
            self.log(f"epoch 0 (untrained): validation IoU {history[-1]['val_iou']:.3f}")

        for epoch in range(first_epoch, c.epochs + 1):
            if stale >= c.patience:
                break
            started = time.perf_counter()
            dataset.epoch = epoch
            model.train()
            total, seen = 0.0, 0
            bar = tqdm(loader, desc=f"epoch {epoch}/{c.epochs}", disable=not c.progress, leave=True, dynamic_ncols=True)
            for images, masks in bar:
                images, masks = images.to(self.device), masks.to(self.device)
                optimizer.zero_grad(set_to_none=True)
                with torch.autocast(device_type="cuda") if self.amp else contextlib.nullcontext():
                    loss = segmentation_loss(model(images), masks)
                scaler.scale(loss).backward()
                scaler.step(optimizer)
                scaler.update()
                total += loss.item() * len(images)
                seen += len(images)
                bar.set_postfix(loss=f"{total / seen:.4f}", last_iou=f"{history[-1]['val_iou']:.3f}")
            scheduler.step()
            scores = validate(model, self.device)
            record = {"epoch": epoch, "train_loss": total / max(1, seen), "seconds": time.perf_counter() - started, **scores}
            history.append(record)
            improved = scores["val_iou"] > best_iou + MIN_GAIN
            if improved:
                best_iou, stale = scores["val_iou"], 0
                self._save(self.best_path, model, {"epoch": epoch, "val_iou": scores["val_iou"], "val_bf1": scores["val_bf1"]})
            else:
                stale += 1
            self.log(f"epoch {epoch}: loss {record['train_loss']:.4f}, validation loss {scores['val_loss']:.4f}, "
                     f"IoU {scores['val_iou']:.3f}, boundary F1 {scores['val_bf1']:.3f}, {record['seconds']:.1f} s"
                     f"{' (best)' if improved else ''}")
            self._save(self.last_path, model, {
                "epoch": epoch, "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(),
                "scaler": scaler.state_dict(), "history": history, "best_iou": best_iou, "stale": stale,
            })
            with open(os.path.join(c.run, "history.json"), "w") as f:
                json.dump(history, f, indent=1)
            plot_curves(history, os.path.join(c.run, "curves.png"))
        if stale >= c.patience:
            self.log(f"stopped early: no better validation IoU for {c.patience} epochs")
        self.log(f"best validation IoU {best_iou:.3f}: {self.best_path}")
        return history
