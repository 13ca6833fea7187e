/**
 * The live path's work on the model's grid for one frame, once the model has looked at it (ViewRunner in
 * video-views.ts: the next whole view of the cycle, or a detail tile): the camera's motion followed, the views
 * fused, the tiles mixed in around the outline, the background model, the smoothing, the specks taken out
 * (grid-motion.ts, view-fusion.ts, detail-tiles.ts, background-model.ts, temporal-smoother.ts, small-regions.ts).
 * Plain JavaScript on small typed arrays, no OpenCV: it runs on a thread of its own (grid-thread.ts) while the main
 * thread prepares the frame's background, and on the main thread when that thread cannot run.
 */
import { BackgroundModel } from './background-model.js';
import { DetailTiles, type TileRect, tileLayout } from './detail-tiles.js';
import { GridMotion, warpPlanes } from './grid-motion.js';
import type { Size } from './preprocess.js';
import { SmallRegions } from './small-regions.js';
import { TemporalSmoother } from './temporal-smoother.js';
import { type FramePlan, type VideoView, videoViewCycle } from './video-views.js';
import { ViewFusion } from './view-fusion.js';

/** One frame as the grid work needs it, filled by the main thread from the frame. */
export interface GridFrame {
  /**
   * What the model saw of the frame: the person probability of each view the frame's plan ran, on the grid, one
   * plane after the other (ViewRunner in video-views.ts); room for every view and tile.
   */
  views: Float32Array;
  /** The frame's colours on the grid, packed 8-bit BGR. */
  colours: Uint8Array;
}

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

/**
 * The brightness (0..1) of packed 8-bit BGR pixels, into `out`: BT.601 luma in 15-bit fixed point, the very
 * values OpenCV's BGR-to-grey conversion gives (then / 255), computed here so the grid thread needs nothing more
 * from the main thread than the colours.
 */
export function brightnessOf(bgr: Uint8Array, out: Float32Array): void {
  // OpenCV scales by 1/255 as a float.
  const scale = Math.fround(1 / 255);
  for (let i = 0, j = 0; i < out.length; i++, j += 3) out[i] = ((bgr[j] * 3735 + bgr[j + 1] * 19235 + bgr[j + 2] * 9798 + 16384) >> 15) * scale;
}

/** The whole views `views` goes round (video-views.ts): the whole frame alone for 'one'. */
export function wholeViews(views: VideoViews): VideoView[] {
  return views === 'one' ? videoViewCycle().slice(0, 1) : videoViewCycle();
}

export class LiveGrid {
  private readonly fusion: ViewFusion;
  private readonly tiles: DetailTiles | undefined;
  private readonly background: BackgroundModel | undefined;
  private readonly smoother: TemporalSmoother;
  /** Takes the specks out of what the smoother gives (not out of what it remembers). */
  private readonly specks: SmallRegions | undefined;
  private readonly cycleLength: number;
  /** The camera's motion from frame to frame, judged from the last frame's brightness. */
  private readonly motion: GridMotion | undefined;
  /** The frame's brightness on the grid (0..1), and the last frame's. */
  private brightness: Float32Array;
  private lastBrightness: Float32Array;
  private hasLastBrightness = false;
  /**
   * With tiles: the whole views' fusion at the last frame that ran one (before the tiles, the background and the
   * smoothing), which a tile's frame takes up again.
   */
  private wholeViews: Float32Array;
  private movedWholeViews: Float32Array;

  /** `threshold` is the mask's: the detail tiles count most where the probability is near it. */
  constructor(
    private readonly grid: Size,
    views: VideoViews,
    private readonly threshold: number,
  ) {
    this.cycleLength = wholeViews(views).length;
    const pixels = grid.width * grid.height;
    this.fusion = new ViewFusion(grid.width, grid.height, this.cycleLength);
    if (views !== 'one') {
      this.background = new BackgroundModel(pixels);
      this.motion = new GridMotion(grid.width, grid.height);
      this.specks = new SmallRegions(grid);
    }
    if (views === 'cycle') this.tiles = new DetailTiles(grid, { threshold });
    this.smoother = new TemporalSmoother(pixels);
    this.brightness = new Float32Array(pixels);
    this.lastBrightness = new Float32Array(pixels);
    this.wholeViews = new Float32Array(pixels);
    this.movedWholeViews = new Float32Array(pixels);
  }

  /**
   * The frame's smoothed person probability on the grid (a buffer the next call reuses). `plan` (FrameSchedule in
   * video-views.ts) says which views `frame.views` holds; 'all' starts over with every view, the whole frame's and
   * each tile's, so the fusion starts complete instead of changing its mind over the next frames.
   */
  frame(frame: GridFrame, plan: FramePlan): Float32Array {
    if (plan.kind === 'all') this.reset();
    const { fusion, tiles, grid } = this;
    if (plan.kind !== 'all' && fusion.empty) throw new Error(`LiveGrid: a '${plan.kind}' frame before the first, which runs every view`);
    if (plan.kind === 'tile' && !tiles) throw new Error('LiveGrid: a tile frame, but these views have no tiles');
    if (plan.kind === 'whole' && !(plan.view >= 0 && plan.view < this.cycleLength)) throw new Error(`LiveGrid: no whole view ${plan.view}`);
    const pixels = grid.width * grid.height;
    const view = (slot: number) => frame.views.subarray(slot * pixels, (slot + 1) * pixels);
    const { brightness } = this;
    brightnessOf(frame.colours, brightness);
    const lastProb = this.smoother.last;
    if (this.motion && this.hasLastBrightness && lastProb) {
      // A moving camera: what earlier frames saw is moved to (or read from) where it now lies before fusing.
      const moved = this.motion.estimate(this.lastBrightness, brightness, lastProb);
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
    if (plan.kind === 'all') {
      for (let index = 0; index < this.cycleLength; index++) prob = fusion.add(index, view(index), brightness);
    } else if (plan.kind === 'whole') {
      prob = fusion.add(plan.view, view(0), brightness);
    }
    if (tiles && plan.kind !== 'tile') this.wholeViews.set(prob);
    if (tiles && plan.kind === 'tile') {
      tiles.add(plan.index, view(0), grid, brightness);
      // The whole views as the last frame fused them (moved with the camera): fusing them again for this frame's
      // brightness scored the same IoU on the eval clips with more flicker (0.144 % against 0.135 %), for a pass
      // over the grid more.
      prob.set(this.wholeViews);
    }
    if (tiles && plan.kind === 'all') {
      for (let index = 0; index < tiles.rects.length; index++) tiles.add(index, view(this.cycleLength + index), grid, brightness);
    }
    tiles?.apply(prob, brightness);
    this.background?.apply(frame.colours, prob);
    this.smoother.update(prob);
    this.specks?.remove(prob, this.threshold);
    [this.lastBrightness, this.brightness] = [brightness, this.lastBrightness];
    this.hasLastBrightness = true;
    return prob;
  }

  /** Forgets the views, the tiles, the background and the smoothing (a new scene or camera). */
  reset(): void {
    this.fusion.reset();
    this.tiles?.reset();
    this.background?.reset();
    this.smoother.reset();
    this.hasLastBrightness = false;
  }
}
