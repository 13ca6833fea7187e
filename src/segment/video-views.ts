/**
 * The views the live path spreads over consecutive frames, one per frame. A video is many looks at one scene:
 * where the photo mode runs its views of a photo all at once, the live path runs one per frame and fuses them
 * over time (view-fusion.ts, detail-tiles.ts), so a frame costs one inference.
 */
import type { Size } from './preprocess.js';

export interface VideoView {
  /** Mirrored left to right: the model is not symmetric, so a mirrored look makes other mistakes. */
  flip: boolean;
}

/**
 * The views of one cycle: the whole frame as is, and mirrored. Letterboxed views (for a frame of another shape
 * than the model's), views shifted by half a model pixel and a zoom on the person, as the photo mode has, were
 * tried and left out: on the eval clips each made the fused mask worse (docs/segmentation.md).
 */
export function videoViewCycle(): VideoView[] {
  return [{ flip: false }, { flip: true }];
}

/**
 * What the model looks at in one frame: every view (the first frame, and the first after a reset, so the fusion
 * starts complete instead of changing its mind over the next frames), one whole view (`view`, its place in the cycle
 * above), or one detail tile (detail-tiles.ts).
 */
export type FramePlan = { kind: 'all' } | { kind: 'whole'; view: number } | { kind: 'tile'; index: number };

/**
 * The order of the frames' plans: after 'all', the whole frame and a tile take turns (whole, tile 0, whole, tile
 * 1, ...), so the whole views stay fresh for what moves and each tile comes back every 2 x tiles frames; the whole
 * frames go round the views' cycle. Decided where the frame is prepared, since a tile's frame gives the model a crop
 * instead of the whole picture.
 */
export class FrameSchedule {
  private next = 0;
  private wholeFrames = 0;

  /** `views` is the length of the whole views' cycle; `tiles` how many detail tiles take turns (0: none). */
  constructor(
    private readonly views: number,
    private readonly tiles: number,
  ) {}

  /** The plan for the next frame. */
  take(): FramePlan {
    const step = this.next++;
    if (step === 0) return { kind: 'all' };
    if (this.tiles === 0 || step % 2 === 1) return { kind: 'whole', view: this.wholeFrames++ % this.views };
    return { kind: 'tile', index: (step / 2 - 1) % this.tiles };
  }

  /** The next frame runs every view again (a reset, or the work starting over elsewhere). */
  restart(): void {
    this.next = 0;
  }
}

/** Runs the model on packed BGR at its input size: the person probability at its output size (a reused buffer). */
export type RunModel = (bgr: Uint8Array) => Promise<Float32Array>;

/**
 * Runs the model on what a frame's plan looks at and lays each view's probability on the grid, one plane after the
 * other in `views`: for 'all' the whole views in cycle order, then the tiles in order; otherwise the one view.
 * Mirrored views are mirrored on the way in and turned back on the way out (the model's output covers the same
 * picture as its input).
 */
export class ViewRunner {
  private readonly mirroredInput: Uint8Array;
  private readonly gridPixels: number;

  constructor(
    private readonly input: Size,
    private readonly grid: Size,
    private readonly cycle: VideoView[],
    private readonly tiles: number,
  ) {
    this.mirroredInput = new Uint8Array(input.width * input.height * 3);
    this.gridPixels = grid.width * grid.height;
  }

  /**
   * `whole` is the whole frame at the model's input size; `tileInput(index)` gives a tile's (it may reuse one buffer:
   * each is run before the next is asked for). Returns how many inferences ran.
   */
  async run(plan: FramePlan, whole: Uint8Array, tileInput: (index: number) => Uint8Array, runModel: RunModel, views: Float32Array): Promise<number> {
    let slot = 0;
    const next = () => views.subarray(this.gridPixels * slot, this.gridPixels * ++slot);
    if (plan.kind === 'tile') {
      next().set(await runModel(tileInput(plan.index)));
      return 1;
    }
    const wholeViews = plan.kind === 'all' ? this.cycle.map((_, index) => index) : [plan.view];
    for (const index of wholeViews) {
      const view = this.cycle[index];
      if (!view) throw new Error(`ViewRunner: no whole view ${index}`);
      await this.runWhole(view, whole, runModel, next());
    }
    if (plan.kind === 'all') for (let index = 0; index < this.tiles; index++) next().set(await runModel(tileInput(index)));
    return slot;
  }

  private async runWhole(view: VideoView, whole: Uint8Array, runModel: RunModel, into: Float32Array): Promise<void> {
    if (!view.flip) {
      into.set(await runModel(whole));
      return;
    }
    const { input, grid } = this;
    mirrorPixels(whole, input.width, input.height, this.mirroredInput);
    mirrorValues(await runModel(this.mirroredInput), grid.width, grid.height, into);
  }
}

/** `from` (packed 3-byte pixels, rows of `width`) mirrored left to right, into `to`. */
function mirrorPixels(from: Uint8Array, width: number, height: number, to: Uint8Array): void {
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
function mirrorValues(from: Float32Array, width: number, height: number, to: Float32Array): void {
  for (let start = 0; start < height * width; start += width) {
    for (let source = start, target = start + width - 1; target >= start; source++, target--) to[target] = from[source];
  }
}
