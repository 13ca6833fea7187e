/**
 * The views the live path spreads over consecutive frames, one per frame, and where each one's pixels go. A
 * video is many looks at one scene: where the photo mode runs its views of a photo all at once, the live path
 * runs one per frame and fuses them over time (view-fusion.ts), so every frame costs one inference.
 *
 * Coordinates are continuous (pixel i covers [i, i+1)); the affine maps here have no rotation, so they are
 * [scaleX, offsetX, scaleY, offsetY]: x' = scaleX x + offsetX.
 */
import type { Size } from './preprocess.js';

export interface VideoView {
  /** Squeezed to the model input, or scaled with its aspect kept and bordered in black. */
  fit: 'stretch' | 'pad';
  flip: boolean;
  /**
   * A shift of the picture in the model input, in model input pixels: a half-pixel shift makes the model sample
   * the frame between the grid points of the unshifted view, so the views together see finer detail.
   */
  shiftX: number;
  shiftY: number;
}

export interface AxisAffine {
  scaleX: number;
  offsetX: number;
  scaleY: number;
  offsetY: number;
}

/**
 * The views of one cycle for a frame of `frame` size (the reduced frame) and a model input of `input` size: the
 * whole frame as is and mirrored; letterboxed and mirrored when that differs from squeezed (a frame of another
 * shape than the model's); shifted by half a model pixel and mirrored. A zoom on the person, as the photo mode
 * has, was tried and left out (docs/segmentation.md).
 */
export function videoViewCycle(frame: Size, input: Size): VideoView[] {
  const view = (fit: VideoView['fit'], flip: boolean, shift = 0): VideoView => ({ fit, flip, shiftX: shift, shiftY: shift });
  const views = [view('stretch', false), view('stretch', true)];
  if (Math.abs(frame.width / frame.height - input.width / input.height) > LETTERBOX_MIN_DIFFERENCE) views.push(view('pad', false), view('pad', true));
  views.push(view('stretch', false, 0.5), view('stretch', true, 0.5));
  return views;
}

/** Aspect ratios closer than this make letterboxing the same view as squeezing. */
const LETTERBOX_MIN_DIFFERENCE = 0.05;

/** Where the frame's pixels land in the view's model input: scaled (and bordered, for 'pad'), shifted, mirrored. */
export function frameToInput(view: VideoView, frame: Size, input: Size): AxisAffine {
  const { width, height } = frame;
  let contentWidth = input.width;
  let contentHeight = input.height;
  if (view.fit === 'pad') {
    const scale = Math.min(input.width / width, input.height / height);
    contentWidth = Math.min(input.width, Math.max(1, Math.round(width * scale)));
    contentHeight = Math.min(input.height, Math.max(1, Math.round(height * scale)));
  }
  const padX = Math.floor((input.width - contentWidth) / 2);
  const padY = Math.floor((input.height - contentHeight) / 2);
  const scaleX = contentWidth / width;
  const scaleY = contentHeight / height;
  const map: AxisAffine = { scaleX, offsetX: padX + view.shiftX, scaleY, offsetY: padY + view.shiftY };
  if (!view.flip) return map;
  return { ...map, scaleX: -map.scaleX, offsetX: input.width - map.offsetX };
}

/** b after a: x -> b(a(x)). */
export function compose(a: AxisAffine, b: AxisAffine): AxisAffine {
  return {
    scaleX: b.scaleX * a.scaleX,
    offsetX: b.scaleX * a.offsetX + b.offsetX,
    scaleY: b.scaleY * a.scaleY,
    offsetY: b.scaleY * a.offsetY + b.offsetY,
  };
}

/** The map between two pictures covering the same area at different sizes. */
export function scaleBetween(from: Size, to: Size): AxisAffine {
  return { scaleX: to.width / from.width, offsetX: 0, scaleY: to.height / from.height, offsetY: 0 };
}

/** The continuous map as OpenCV's 2x3 matrix between pixel indices (index centres at i + 0.5). */
export function indexMatrix(map: AxisAffine): number[][] {
  const { scaleX, offsetX, scaleY, offsetY } = map;
  return [
    [scaleX, 0, offsetX + 0.5 * scaleX - 0.5],
    [0, scaleY, offsetY + 0.5 * scaleY - 0.5],
  ];
}
