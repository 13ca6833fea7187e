"""Mask quality with the definitions of blurcam's scorers (npm run bench:quality and the eval score.py).

IoU of the person class, 1.0 when both masks are empty. Boundary F1 (BF score): boundary pixels are mask
pixels with a non-mask 8-neighbour (the image frame is no boundary); precision is the share of predicted
boundary pixels within `tolerance` px (Euclidean) of a true boundary pixel, recall the converse;
F1 = 2PR/(P+R), 1.0 when both boundaries are empty and 0.0 when only one is.
"""
import cv2
import numpy as np

TOLERANCE_PX = 3.0
_NEIGHBOURS = np.ones((3, 3), np.uint8)


def iou(pred, truth):
    union = np.count_nonzero(pred | truth)
    return 1.0 if union == 0 else np.count_nonzero(pred & truth) / union


def boundary(mask):
    as_bytes = mask.astype(np.uint8)
    # erode treats outside the frame as mask, so a mask touching the frame has no boundary along it.
    return (as_bytes - cv2.erode(as_bytes, _NEIGHBOURS)).astype(bool)


def _count_near(points, target, tolerance):
    if not target.any():
        return 0
    distance = cv2.distanceTransform((~target).astype(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    return int(np.count_nonzero(distance[points] <= tolerance))


def boundary_f1(pred, truth, tolerance=TOLERANCE_PX):
    pred_edge, true_edge = boundary(pred), boundary(truth)
    pred_count, true_count = int(pred_edge.sum()), int(true_edge.sum())
    if pred_count == 0 and true_count == 0:
        return 1.0
    if pred_count == 0 or true_count == 0:
        return 0.0
    precision = _count_near(pred_edge, true_edge, tolerance) / pred_count
    recall = _count_near(true_edge, pred_edge, tolerance) / true_count
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def score_probability(probability, truth):
    """(IoU, boundary F1) of a person probability map against a bool mask of any size: the map is resized
    bilinearly to the mask's size and thresholded at 0.5, as a mask at the photo's size would be."""
    height, width = truth.shape
    if probability.shape != truth.shape:
        probability = cv2.resize(probability.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    pred = probability >= 0.5
    return iou(pred, truth), boundary_f1(pred, truth)
