/**
 * The views the live path spreads over consecutive frames, one per frame. A video is many looks at one scene:
 * where the photo mode runs its views of a photo all at once, the live path runs one per frame and fuses them
 * over time (view-fusion.ts, detail-tiles.ts), so a frame costs one inference.
 */
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
 * starts complete instead of changing its mind over the next frames), the whole frame (the next view of the cycle
 * above), or one detail tile (detail-tiles.ts).
 */
export type FramePlan = { kind: 'all' } | { kind: 'whole' } | { kind: 'tile'; index: number };

/**
 * The order of the frames' plans: after 'all', the whole frame and a tile take turns (whole, tile 0, whole, tile
 * 1, ...), so the whole views stay fresh for what moves and each tile comes back every 2 x tiles frames. Decided
 * where the frame is prepared, since a tile's frame gives the model a crop instead of the whole picture.
 */
export class FrameSchedule {
  private next = 0;

  /** `tiles` is how many detail tiles take turns; 0 runs the whole frame every frame. */
  constructor(private readonly tiles: number) {}

  /** The plan for the next frame. */
  take(): FramePlan {
    const step = this.next++;
    if (step === 0) return { kind: 'all' };
    if (this.tiles === 0 || step % 2 === 1) return { kind: 'whole' };
    return { kind: 'tile', index: (step / 2 - 1) % this.tiles };
  }

  /** The next frame runs every view again (a reset, or the work starting over elsewhere). */
  restart(): void {
    this.next = 0;
  }
}
