import json
import os

from blurcam_train.training import Run, TrainConfig


def test_a_short_run_lowers_the_loss_and_raises_validation_iou(tiny_run):
    config, history = tiny_run
    untrained, first, last = history[0], history[1], history[-1]
    assert untrained["epoch"] == 0 and untrained["train_loss"] is None
    assert last["train_loss"] < 0.6 * first["train_loss"]
    assert last["val_loss"] < untrained["val_loss"]
    best = max(h["val_iou"] for h in history[1:])
    assert best > untrained["val_iou"] + 0.2 and best > 0.6
    assert all(0 <= h["val_bf1"] <= 1 for h in history)


def test_the_run_keeps_its_best_checkpoint_history_and_plot(tiny_run):
    config, history = tiny_run
    for name in ("best.pt", "last.pt", "history.json", "curves.png"):
        assert os.path.getsize(os.path.join(config.run, name)) > 0
    with open(os.path.join(config.run, "curves.png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with open(os.path.join(config.run, "history.json")) as f:
        assert json.load(f) == json.loads(json.dumps(history))


def test_a_run_resumes_where_it_stopped(synthetic_lists, tmp_path):
    lines = []
    config = TrainConfig(data=synthetic_lists, run=str(tmp_path), size=64, epochs=2, batch=8, width=0.25, progress=False)
    Run(config, log=lines.append).train()
    config.epochs = 3
    history = Run(config, log=lines.append).train()
    assert [h["epoch"] for h in history] == [0, 1, 2, 3]
    assert any(line == f"resuming {tmp_path} after epoch 2" for line in lines)


def test_training_stops_early_when_validation_iou_stops_improving(synthetic_lists, tmp_path):
    lines = []
    # With no learning rate nothing can improve after the first epoch.
    config = TrainConfig(data=synthetic_lists, run=str(tmp_path), size=64, epochs=10, batch=8, width=0.25, lr=0.0,
                         patience=2, progress=False)
    history = Run(config, log=lines.append).train()
    assert len(history) < 11
    assert any(line.startswith("stopped early") for line in lines)
