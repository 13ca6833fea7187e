"""Train a person-segmentation model for blurcam: prepare, train, export, predict (python3 -m blurcam_train)."""
