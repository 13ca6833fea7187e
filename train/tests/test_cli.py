from blurcam_train.__main__ import main
from synthetic import write_dataset


def test_prepare_prints_the_summary_and_the_lists(tmp_path, capsys):
    data = write_dataset(str(tmp_path / "data"), 10)
    assert main(["prepare", data, "--out", str(tmp_path / "lists"), "--val-share", "0.3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usable pairs  10  (train ")
    assert "proposed training size  128" in out and "train.txt, val.txt, problems.txt, summary.json" in out


def test_commands_say_what_is_missing_and_how_to_fix_it(tmp_path, capsys):
    assert main(["train", "--data", str(tmp_path / "nowhere"), "--run", str(tmp_path / "run")]) == 1
    assert main(["export", str(tmp_path / "best.pt"), "--out", str(tmp_path / "m.onnx")]) == 1
    assert main(["prepare", str(tmp_path / "empty"), "--out", str(tmp_path / "lists")]) == 1
    captured = capsys.readouterr()
    assert "blurcam_train: " + str(tmp_path / "nowhere") + " has no train.txt\n  fix: run: python3 -m blurcam_train prepare" in captured.err
    assert "best.pt does not exist\n  fix: name the best.pt of a training run" in captured.err
    assert "there is no images/ folder" in captured.out
