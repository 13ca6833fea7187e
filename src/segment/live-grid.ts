/**
 * The live path's work on the model's grid for one frame: the camera's motion followed, this frame's view of the
 * cycle through the model, the views fused, the background model, the smoothing (grid-motion.ts, video-views.ts,
 * view-fusion.ts, background-model.ts, temporal-smoother.ts). Plain JavaScript on small typed arrays, no OpenCV:
 * it runs on the model's thread (grid-thread.ts) while the main thread prepares the frame's background, and on
 * the main thread when that thread cannot run.
 */
import { BackgroundModel } from './background-model.js';
import { GridMotion } from './grid-motion.js';
import type { Size } from './preprocess.js';
import { TemporalSmoother } from './temporal-smoother.js';
import { type VideoView, videoViewCycle } from './video-views.js';
import { ViewFusion } from './view-fusion.js';

/** One frame as the grid work needs it, filled by the main thread from the frame. */
export interface GridFrame {
  /** The frame at the model's input size, packed 8-bit BGR. */
  small: Uint8Array;
  /** The frame's brightness (0..1) on the grid (the model's output size). */
  brightness: Float32Array;
  /** The frame's colours on the grid, packed 8-bit BGR. */
  colours: Uint8Array;
}

/** Runs the model on packed BGR at its input size: the person probability at its output size (reused buffer). */
export type RunModel = (bgr: Uint8Array) => Promise<Float32Array>;

/**
 * 'cycle' runs one view of the cycle per frame, fuses them over time and learns the background; 'one' runs the
 * whole frame alone (the live path before those, kept for comparison in `npm run bench:quality`).
 */
export type VideoViews = 'cycle' | 'one';

export class LiveGrid {
  private readonly cycle: VideoView[];
  private readonly fusion: ViewFusion;
  private readonly background: BackgroundModel | undefined;
  private readonly smoother: TemporalSmoother;
  /** Scratch for the mirrored views: the input mirrored, the output turned back. */
  private readonly mirroredInput: Uint8Array;
  private readonly mirroredOutput: Float32Array;
  private frameIndex = 0;
  /** The camera's motion from frame to frame (judged from the last frame as the fusion and the smoother keep it). */
  private readonly motion: GridMotion | undefined;

  constructor(
    private readonly input: Size,
    private readonly grid: Size,
    views: VideoViews,
  ) {
    this.cycle = views === 'cycle' ? videoViewCycle() : videoViewCycle().slice(0, 1);
    const pixels = grid.width * grid.height;
    this.fusion = new ViewFusion(grid.width, grid.height, this.cycle.length);
    if (views === 'cycle') this.background = new BackgroundModel(pixels);
    this.smoother = new TemporalSmoother(pixels);
    this.mirroredInput = new Uint8Array(input.width * input.height * 3);
    this.mirroredOutput = new Float32Array(pixels);
    if (views === 'cycle') this.motion = new GridMotion(grid.width, grid.height);
  }

  /**
   * The frame's smoothed person probability on the grid (a buffer the next call reuses), and how many inferences
   * it took. The first frame (and the first after a reset) runs every view, so the fusion starts complete instead of
   * changing its mind over the next frames.
   */
  async frame(frame: GridFrame, runModel: RunModel): Promise<{ prob: Float32Array; inferences: number }> {
    const { cycle, fusion, input, grid } = this;
    const indices = fusion.empty ? cycle.map((_, index) => index) : [this.frameIndex++ % cycle.length];
    const lastBrightness = fusion.lastBrightness;
    const lastProb = this.smoother.last;
    if (this.motion && lastBrightness && lastProb) {
      // A moving camera: what the views of earlier frames saw is moved to where it now lies before fusing.
      const moved = this.motion.estimate(lastBrightness, frame.brightness, lastProb);
      if (moved) {
        fusion.follow(moved, indices[0]);
        this.smoother.follow(moved, grid.width, grid.height);
      }
    }
    let prob = fusion.fused;
    for (const index of indices) {
      if (!cycle[index].flip) {
        prob = fusion.add(index, await runModel(frame.small), frame.brightness);
        continue;
      }
      mirrorPixels(frame.small, input.width, input.height, this.mirroredInput);
      // The model's output covers the same frame as its input: mirrored back, it lies on the grid.
      mirrorValues(await runModel(this.mirroredInput), grid.width, grid.height, this.mirroredOutput);
      prob = fusion.add(index, this.mirroredOutput, frame.brightness);
    }
    this.background?.apply(frame.colours, prob);
    this.smoother.update(prob);
    return { prob, inferences: indices.length };
  }

  /** Forgets the views, the background and the smoothing (a new scene or camera). */
  reset(): void {
    this.fusion.reset();
    this.background?.reset();
    this.smoother.reset();
  }
}

/** `from` (packed 3-byte pixels, rows of `width`) mirrored left to right, into `to`. */
export function mirrorPixels(from: Uint8Array, width: number, height: number, to: Uint8Array): void {
  const stride = width * 3;
  for (let start = 0; start < height * stride; start += stride) {
    for (let source = start, target = start + stride - 3; target >= start; source += 3, target -= 3) {
      to[target] = from[source];
      to[target + 1] = from[source + 1];
      to[target + 2] = from[source + 2];
    }
  }
}

/** `from` (one value a pixel, rows of `width`) mirrored left to right, into `to`. */
export function mirrorValues(from: Float32Array, width: number, height: number, to: Float32Array): void {
  for (let start = 0; start < height * width; start += width) {
    for (let source = start, target = start + width - 1; target >= start; source++, target--) to[target] = from[source];
  }
}
