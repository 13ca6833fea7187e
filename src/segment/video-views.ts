/**
 * The views the live path spreads over consecutive frames, one per frame. A video is many looks at one scene:
 * where the photo mode runs its views of a photo all at once, the live path runs one per frame and fuses them
 * over time (view-fusion.ts), so a frame costs one inference.
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
