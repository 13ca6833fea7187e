/**
 * The live path's view fusion and background model on real frames: the demo scene (a real photo of a person
 * composited into a drawn room), the bundled model through onnxruntime, OpenCV throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../src/capture/demo-scene.js';
import { cv, type Mat } from '../../src/opencv.js';
import { createSegmenter, type BlurcamSegmenter } from '../../src/segment/create-segmenter.js';
import type { VideoViews } from '../../src/segment/live-grid.js';
import { FrameImage } from '../../src/frame-image.js';

const WIDTH = 1280;
const HEIGHT = 720;

/** Share of the union that both masks call person (each thresholded at 128). */
function iou(mask: Mat, truth: Mat): number {
  const a = mask.threshold(127, 255, cv.THRESH_BINARY);
  const b = truth.threshold(127, 255, cv.THRESH_BINARY);
  const union = a.bitwiseOr(b).countNonZero();
  return union === 0 ? 1 : a.bitwiseAnd(b).countNonZero() / union;
}

/** Pixels the mask calls person that the truth does not, inside `rect` (x, y, width, height). */
function falsePersonIn(mask: Mat, truth: Mat, [x, y, width, height]: readonly number[]): number {
  const rect = new cv.Rect(x, y, width, height);
  const wrong = mask.threshold(127, 255, cv.THRESH_BINARY).getRegion(rect).copy();
  const notPerson = truth.threshold(127, 255, cv.THRESH_BINARY_INV).getRegion(rect).copy();
  return wrong.bitwiseAnd(notPerson).countNonZero();
}

/** A camera's sensor noise (-3..3 per sample), a few fixed patterns taken in turn (a seeded generator). */
const NOISE = Array.from({ length: 4 }, (_, seed) => {
  const samples = Buffer.alloc(WIDTH * HEIGHT * 3);
  let state = seed + 1;
  for (let i = 0; i < samples.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    samples[i] = (state >>> 24) % 7;
  }
  return new cv.Mat(samples, HEIGHT, WIDTH, cv.CV_8UC3);
});
const NOISE_OFFSET = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC3, [3, 3, 3]);

function withNoise(image: Mat, frame: number): Mat {
  // 8-bit sums saturate: add 0..6, take 3 off
  return image.add(NOISE[frame % NOISE.length]).sub(NOISE_OFFSET);
}

/** The frame moved by `dx` pixels as a turned camera would see it (the edge filled by reflection). */
function panned(image: Mat, dx: number): Mat {
  const shift = new cv.Mat([[1, 0, dx], [0, 1, 0]], cv.CV_64F);
  return image.warpAffine(shift, new cv.Size(image.cols, image.rows), cv.INTER_LINEAR, cv.BORDER_REFLECT);
}

/** A live segmenter for the demo's frame size, with the default views or `videoViews`. */
function liveSegmenter(videoViews?: VideoViews): Promise<BlurcamSegmenter> {
  return createSegmenter({ mode: 'video', device: 'cpu', frameSize: { width: WIDTH, height: HEIGHT }, videoViews });
}

describe('the live path on the demo scene', { timeout: 180_000 }, () => {
  let scene: DemoScene;
  let segmenter: BlurcamSegmenter;

  beforeAll(async () => {
    scene = DemoScene.create(WIDTH, HEIGHT);
    segmenter = await liveSegmenter();
  });
  afterAll(() => segmenter.close());

  /**
   * The demo's first `frames` frames through the shared segmenter (from a reset) and through one with `views`, side
   * by side; `score` sees their masks and the true one from frame `from` on.
   */
  async function sideBySide(views: VideoViews, frames: number, from: number, score: (ours: Mat, theirs: Mat, personMask: Mat) => void): Promise<void> {
    const other = await liveSegmenter(views);
    segmenter.reset();
    try {
      for (let i = 0; i < frames; i++) {
        const { image, personMask } = scene.render(i / 30, { withMask: true });
        const ours = await segmenter.segment(new FrameImage(image));
        const theirs = await other.segment(new FrameImage(image));
        if (i >= from) score(ours, theirs, personMask!);
      }
    } finally {
      await other.close();
    }
  }

  it('keeps a person who sits perfectly still, frame after frame', async () => {
    segmenter.reset();
    const { image, personMask } = scene.render(1, { withMask: true });
    const scores: number[] = [];
    for (let i = 0; i < 45; i++) scores.push(iou(await segmenter.segment(new FrameImage(withNoise(image, i))), personMask!));
    expect(scores[0]).toBeGreaterThan(0.92);
    // a second and a half of a still person and a still background: the background model must not learn her away
    expect(Math.min(...scores.slice(15))).toBeGreaterThan(scores[0] - 0.01);
  });

  it('lets go of the dark poster beside her hair once she has swayed, where one view per frame keeps it', async () => {
    const poster = [Math.round(0.36 * WIDTH), Math.round(0.08 * HEIGHT), Math.round(0.26 * WIDTH), Math.round(0.32 * HEIGHT)];
    const wrong = { fused: 0, single: 0 };
    await sideBySide('one', 120, 100, (fused, one, personMask) => {
      wrong.fused += falsePersonIn(fused, personMask, poster);
      wrong.single += falsePersonIn(one, personMask, poster);
    });
    expect(wrong.single).toBeGreaterThan(0);
    expect(wrong.fused).toBeLessThan(wrong.single / 2);
  });

  it('draws her outline closer with the detail tiles than with the whole views alone', async () => {
    const score = { tiles: { wrong: 0, iou: 0 }, whole: { wrong: 0, iou: 0 } };
    const all = [0, 0, WIDTH, HEIGHT];
    await sideBySide('whole', 90, 30, (withTiles, without, personMask) => {
      score.tiles.wrong += falsePersonIn(withTiles, personMask, all) + falsePersonIn(personMask, withTiles, all);
      score.whole.wrong += falsePersonIn(without, personMask, all) + falsePersonIn(personMask, without, all);
      score.tiles.iou += iou(withTiles, personMask) / 60;
      score.whole.iou += iou(without, personMask) / 60;
    });
    // Measured: 9,700 wrong pixels a frame with the tiles, 10,376 without (frames 30-89).
    expect(score.tiles.iou).toBeGreaterThan(score.whole.iou);
    expect(score.tiles.wrong).toBeLessThan(score.whole.wrong);
  });

  it('takes a sudden exposure change without losing her or calling the room person', async () => {
    segmenter.reset();
    const { image, personMask } = scene.render(2, { withMask: true });
    for (let i = 0; i < 30; i++) await segmenter.segment(new FrameImage(withNoise(image, i)));
    const before = iou(await segmenter.segment(new FrameImage(image)), personMask!);
    const brighter = image.convertTo(cv.CV_8U, 1.3, 10);
    for (let i = 0; i < 3; i++) await segmenter.segment(new FrameImage(brighter));
    const after = iou(await segmenter.segment(new FrameImage(brighter)), personMask!);
    // The brighter picture (its highlights clipped) is harder for the model itself: judged against a fresh start on it
    // (measured: before 0.964, after 0.937, a fresh start on the brighter picture 0.943).
    const fresh = await liveSegmenter();
    try {
      let freshMask = await fresh.segment(new FrameImage(brighter));
      for (let i = 0; i < 3; i++) freshMask = await fresh.segment(new FrameImage(brighter));
      expect(after).toBeGreaterThan(iou(freshMask, personMask!) - 0.01);
    } finally {
      await fresh.close();
    }
    expect(after).toBeGreaterThan(before - 0.04);
  });

  it('follows a camera that turns: where she stood is room again, the old room is not taken for her', async () => {
    segmenter.reset();
    const { image, personMask } = scene.render(3, { withMask: true });
    for (let i = 0; i < 30; i++) await segmenter.segment(new FrameImage(withNoise(image, i)));
    const dx = 240;
    const moved = panned(image, dx);
    const movedTruth = panned(personMask!, dx);
    let mask = await segmenter.segment(new FrameImage(moved));
    for (let i = 0; i < 3; i++) mask = await segmenter.segment(new FrameImage(withNoise(moved, i)));
    // one view of the new frame alone scores about 0.93 here (the helmet is cut by the frame's edge)
    expect(iou(mask, movedTruth)).toBeGreaterThan(0.88);
    // where she stood and the room shows now: person pixels there would be the old frame's ghost
    const vacated = personMask!.threshold(127, 255, cv.THRESH_BINARY).bitwiseAnd(movedTruth.threshold(127, 255, cv.THRESH_BINARY_INV));
    const ghost = mask.threshold(127, 255, cv.THRESH_BINARY).bitwiseAnd(vacated).countNonZero();
    expect(ghost).toBeLessThan(0.02 * vacated.countNonZero());
  });
});
