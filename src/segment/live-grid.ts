/**
 * The live path's work on the model's grid for one frame: the camera's motion followed, this frame's view through
 * the model (the next whole view of the cycle, or a detail tile), the views fused, the tiles mixed in around the
 * outline, the background model, the smoothing (grid-motion.ts, video-views.ts, view-fusion.ts, detail-tiles.ts,
 * background-model.ts, temporal-smoother.ts). Plain JavaScript on small typed arrays, no OpenCV:
 * it runs on the model's thread (grid-thread.ts) while the main thread prepares the frame's background, and on
 * the main thread when that thread cannot run.
 */
import { BackgroundModel } from './background-model.js';
import { DetailTiles, type TileRect, tileLayout } from './detail-tiles.js';
import { GridMotion, warpPlanes } from './grid-motion.js';
import type { Size } from './preprocess.js';
import { TemporalSmoother } from './temporal-smoother.js';
import { type FramePlan, type VideoView, videoViewCycle } from './video-views.js';
import { ViewFusion } from './view-fusion.js';

/** One frame as the grid work needs it, filled by the main thread from the frame. */
export interface GridFrame {
  /** What the model runs on, at its input size, packed 8-bit BGR: the whole frame, or on a tile's frame the tile. */
  small: Uint8Array;
  /** On a frame that runs every view: each detail tile at the model's input size, one after the other. */
  tiles: Uint8Array;
  /** The frame's brightness (0..1) on the grid (the model's output size). */
  brightness: Float32Array;
  /** The frame's colours on the grid, packed 8-bit BGR. */
  colours: Uint8Array;
}

/** Runs the model on packed BGR at its input size: the person probability at its output size (reused buffer). */
export type RunModel = (bgr: Uint8Array) => Promise<Float32Array>;

/**
 * 'cycle' runs one view per frame (the whole frame's cycle and the detail tiles in turn), fuses them over time and
 * learns the background; 'whole' does the same without the detail tiles; 'one' runs the whole frame alone (the live
 * path before all of those). The last two are kept for comparison in `npm run bench:quality`.
 */
export type VideoViews = 'cycle' | 'whole' | 'one';

/** The detail tiles `views` takes turns with on a grid of `grid` (none but for 'cycle'; FrameSchedule in video-views.ts). */
export function detailTiles(views: VideoViews, grid: Size): TileRect[] {
  return views === 'cycle' ? tileLayout(grid) : [];
}

export class LiveGrid {
  private readonly cycle: VideoView[];
  private readonly fusion: ViewFusion;
  private readonly tiles: DetailTiles | undefined;
  private readonly background: BackgroundModel | undefined;
  private readonly smoother: TemporalSmoother;
  /** Scratch for the mirrored views: the input mirrored, the output turned back. */
  private readonly mirroredInput: Uint8Array;
  private readonly mirroredOutput: Float32Array;
  private frameIndex = 0;
  /** The camera's motion from frame to frame, judged from the last frame's brightness. */
  private readonly motion: GridMotion | undefined;
  private readonly lastBrightness: Float32Array;
  private hasLastBrightness = false;
  /**
   * With tiles: the whole views' fusion at the last frame that ran one (before the tiles, the background and the
   * smoothing), which a tile's frame takes up again.
   */
  private wholeViews: Float32Array;
  private movedWholeViews: Float32Array;

  /** `threshold` is the mask's: the detail tiles count most where the probability is near it. */
  constructor(
    private readonly input: Size,
    private readonly grid: Size,
    views: VideoViews,
    threshold: number,
  ) {
    this.cycle = views === 'one' ? videoViewCycle().slice(0, 1) : videoViewCycle();
    const pixels = grid.width * grid.height;
    this.fusion = new ViewFusion(grid.width, grid.height, this.cycle.length);
    if (views !== 'one') {
      this.background = new BackgroundModel(pixels);
      this.motion = new GridMotion(grid.width, grid.height);
    }
    if (views === 'cycle') this.tiles = new DetailTiles(grid, { threshold });
    this.smoother = new TemporalSmoother(pixels);
    this.mirroredInput = new Uint8Array(input.width * input.height * 3);
    this.mirroredOutput = new Float32Array(pixels);
    this.lastBrightness = new Float32Array(pixels);
    this.wholeViews = new Float32Array(pixels);
    this.movedWholeViews = new Float32Array(pixels);
  }

  /**
   * The frame's smoothed person probability on the grid (a buffer the next call reuses), and how many inferences
   * it took. `plan` (FrameSchedule in video-views.ts) says what `frame.small` holds; 'all' starts over and runs every
   * view, the whole frame's and each tile's, so the fusion starts complete instead of changing its mind over the next
   * frames.
   */
  async frame(frame: GridFrame, plan: FramePlan, runModel: RunModel): Promise<{ prob: Float32Array; inferences: number }> {
    if (plan.kind === 'all') this.reset();
    const { cycle, fusion, tiles, grid } = this;
    if (plan.kind !== 'all' && fusion.empty) throw new Error(`LiveGrid: a '${plan.kind}' frame before the first, which runs every view`);
    if (plan.kind === 'tile' && !tiles) throw new Error('LiveGrid: a tile frame, but these views have no tiles');
    const indices = plan.kind === 'all' ? cycle.map((_, index) => index) : plan.kind === 'whole' ? [this.frameIndex++ % cycle.length] : [];
    const lastProb = this.smoother.last;
    if (this.motion && this.hasLastBrightness && lastProb) {
      // A moving camera: what earlier frames saw is moved to (or read from) where it now lies before fusing.
      const moved = this.motion.estimate(this.lastBrightness, frame.brightness, lastProb);
      if (moved) {
        fusion.follow(moved);
        this.smoother.follow(moved, grid.width, grid.height);
        if (tiles) {
          tiles.follow(moved);
          warpPlanes(this.wholeViews, undefined, this.movedWholeViews, undefined, grid.width, grid.height, moved);
          [this.wholeViews, this.movedWholeViews] = [this.movedWholeViews, this.wholeViews];
        }
      }
    }
    let prob = fusion.fused;
    for (const index of indices) prob = fusion.add(index, await this.runView(frame.small, cycle[index], runModel), frame.brightness);
    if (tiles && indices.length > 0) this.wholeViews.set(prob);
    let inferences = indices.length;
    if (tiles && plan.kind === 'tile') {
      tiles.add(plan.index, await runModel(frame.small), grid, frame.brightness);
      // The whole views as the last frame fused them (moved with the camera): fusing them again for this frame's
      // brightness scored the same IoU on the eval clips with more flicker (0.144 % against 0.135 %), for a pass
      // over the grid more.
      prob.set(this.wholeViews);
      inferences++;
    }
    if (tiles && plan.kind === 'all') {
      const inputBytes = this.input.width * this.input.height * 3;
      for (let index = 0; index < tiles.rects.length; index++) {
        tiles.add(index, await runModel(frame.tiles.subarray(index * inputBytes, (index + 1) * inputBytes)), grid, frame.brightness);
      }
      inferences += tiles.rects.length;
    }
    tiles?.apply(prob, frame.brightness);
    this.background?.apply(frame.colours, prob);
    this.smoother.update(prob);
    this.lastBrightness.set(frame.brightness);
    this.hasLastBrightness = true;
    return { prob, inferences };
  }

  /** Forgets the views, the tiles, the background and the smoothing (a new scene or camera). */
  reset(): void {
    this.fusion.reset();
    this.tiles?.reset();
    this.background?.reset();
    this.smoother.reset();
    this.hasLastBrightness = false;
  }

  /** One whole view of the frame through the model: as it is, or mirrored and its output turned back. */
  private async runView(small: Uint8Array, view: VideoView, runModel: RunModel): Promise<Float32Array> {
    if (!view.flip) return runModel(small);
    const { input, grid } = this;
    mirrorPixels(small, input.width, input.height, this.mirroredInput);
    // The model's output covers the same frame as its input: mirrored back, it lies on the grid.
    mirrorValues(await runModel(this.mirroredInput), grid.width, grid.height, this.mirroredOutput);
    return this.mirroredOutput;
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
