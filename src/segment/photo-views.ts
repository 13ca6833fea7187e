/**
 * Which views of a photo the photo mode averages, and how it merges them (pure functions, measured in
 * docs/segmentation.md). Whole-photo views (squeezed and letterboxed, each also mirrored) decide where
 * people are; a zoom on the people found repeats that at a higher resolution; square tiles at two scales
 * see the edges at a higher resolution still, but are trusted only near the boundary found by the
 * whole-photo views, since a tile that cuts a person in half can be wrong about whole regions, and less
 * near their own inner edges, where the model lacks the context beyond the tile.
 */
import { boxMean } from './postprocess/box-mean.js';
import type { Rect, Size, View } from './preprocess.js';

/** Margin added around the people found before zooming on them, as a share of their box. */
const ZOOM_MARGIN = 0.15;
/** Tile sides as shares of the photo's shorter side. */
const TILE_SCALES = [1, 0.7];
/** Tiles start every third of their side. */
const TILE_STEPS_PER_SIDE = 3;
/** Fewer pixels than this across, a tile shows the model too little; more tile positions than this per axis
 * (very long panoramas) are spread out instead, leaving gaps that the whole-photo views still cover. */
const MIN_TILE_SIDE = 32;
const MAX_TILE_POSITIONS = 12;
/** A tile's weight grows from TILE_EDGE_WEIGHT at its inner edges to 1 at this share of its side. */
export const TILE_FEATHER = 0.25;
const TILE_EDGE_WEIGHT = 0.05;
/** Half-width of the band where tiles are trusted, in model pixels of the whole-photo views. */
const BAND_MODEL_PIXELS = 10;

function mirrored(views: View[]): View[] {
  return views.flatMap((view) => [view, { ...view, flip: true }]);
}

/** The whole photo, squeezed to the model input and letterboxed into it, each also mirrored. */
export function wholePhotoViews(size: Size): View[] {
  const rect: Rect = [0, 0, size.width, size.height];
  return mirrored([
    { rect, fit: 'stretch', flip: false },
    { rect, fit: 'pad', flip: false },
  ]);
}

/** A letterboxed look at the people found, mirrored too. */
export function zoomViews(box: Rect | null): View[] {
  return box === null ? [] : mirrored([{ rect: box, fit: 'pad', flip: false }]);
}

/** Square tiles whose side is `scale` x the shorter side, a third of a side apart, covering the photo; mirrored. */
export function tileViews(size: Size, scales: readonly number[] = TILE_SCALES): View[] {
  const views: View[] = [];
  for (const scale of scales) {
    const side = Math.round(Math.min(size.width, size.height) * scale);
    if (side < MIN_TILE_SIDE) continue;
    const across = positions(size.width, side);
    const down = positions(size.height, side);
    for (const y of down) for (const x of across) views.push({ rect: [x, y, side, side], fit: 'stretch', flip: false });
  }
  return mirrored(views);
}

/** Start positions of windows of `side` over `length`, at most a third of a side apart, the last one flush. */
function positions(length: number, side: number): number[] {
  if (side >= length) return [0];
  const count = Math.min(MAX_TILE_POSITIONS, Math.ceil((length / side - 1) * TILE_STEPS_PER_SIDE) + 1);
  return Array.from({ length: count }, (_, i) => Math.round(((length - side) * i) / (count - 1)));
}

/** The bounding box of pixels at or above `threshold`, grown by ZOOM_MARGIN and clipped; null if none. */
export function personBox(prob: Float32Array, size: Size, threshold: number): Rect | null {
  const { width, height } = size;
  let left = width;
  let top = height;
  let right = -1;
  let bottom = -1;
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i++) {
      if (prob[i] < threshold) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  if (right < 0) return null;
  const marginX = (right - left + 1) * ZOOM_MARGIN;
  const marginY = (bottom - top + 1) * ZOOM_MARGIN;
  const x0 = Math.max(0, Math.round(left - marginX));
  const y0 = Math.max(0, Math.round(top - marginY));
  const x1 = Math.min(width, Math.round(right + 1 + marginX));
  const y1 = Math.min(height, Math.round(bottom + 1 + marginY));
  return [x0, y0, x1 - x0, y1 - y0];
}

/** Sums of view probabilities and of their coverage per pixel, over a photo of `size`. */
export class ViewAccumulator {
  readonly sum: Float32Array;
  readonly count: Float32Array;

  constructor(readonly size: Size) {
    this.sum = new Float32Array(size.width * size.height);
    this.count = new Float32Array(size.width * size.height);
  }

  /**
   * Adds a view's probability over its region (`values` is rect width x height, row-major). With `feather`,
   * the view counts less near the region's edges inside the photo (not at the photo's own edges).
   */
  add(rect: Rect, values: Float32Array, feather = 0): void {
    const [x0, y0, width, height] = rect;
    const stride = this.size.width;
    const across = edgeWeights(width, feather, x0 > 0, x0 + width < stride);
    const down = edgeWeights(height, feather, y0 > 0, y0 + height < this.size.height);
    for (let y = 0; y < height; y++) {
      const row = (y0 + y) * stride + x0;
      const from = y * width;
      const rowWeight = down[y];
      for (let x = 0; x < width; x++) {
        const weight = Math.min(rowWeight, across[x]);
        this.sum[row + x] += weight * values[from + x];
        this.count[row + x] += weight;
      }
    }
  }

  /** Merges another accumulator's sums into this one. */
  addAll(other: ViewAccumulator): void {
    for (let i = 0; i < this.sum.length; i++) {
      this.sum[i] += other.sum[i];
      this.count[i] += other.count[i];
    }
  }

  mean(): Float32Array {
    const mean = new Float32Array(this.sum.length);
    for (let i = 0; i < mean.length; i++) mean[i] = this.count[i] > 0 ? this.sum[i] / this.count[i] : 0;
    return mean;
  }
}

/** Per position along a side of `length`: 1, ramping down to TILE_EDGE_WEIGHT towards the feathered ends. */
function edgeWeights(length: number, feather: number, startInside: boolean, endInside: boolean): Float32Array {
  const weights = new Float32Array(length).fill(1);
  const ramp = feather * length;
  if (ramp <= 0) return weights;
  for (let i = 0; i < length; i++) {
    const distance = Math.min(startInside ? i : Infinity, endInside ? length - 1 - i : Infinity);
    weights[i] = Math.max(TILE_EDGE_WEIGHT, Math.min(1, distance / ramp));
  }
  return weights;
}

/**
 * Takes `detailed` where it lies within the band around `global`'s boundary (at `threshold`) and `global`
 * elsewhere. The band is BAND_MODEL_PIXELS model pixels wide each side, `modelPixel` photo pixels each.
 */
export function mergeNearBoundary(global: Float32Array, detailed: Float32Array, size: Size, threshold: number, modelPixel: number): Float32Array {
  const radius = Math.max(1, Math.round(BAND_MODEL_PIXELS * Math.max(1, modelPixel)));
  const inside = new Float32Array(global.length);
  for (let i = 0; i < inside.length; i++) inside[i] = global[i] >= threshold ? 1 : 0;
  const share = new Float32Array(global.length);
  boxMean(inside, size.width, size.height, radius, share, new Float32Array(global.length));
  const merged = new Float32Array(global.length);
  // A window holding both sides of the boundary has a mean strictly between 0 and 1.
  for (let i = 0; i < merged.length; i++) merged[i] = share[i] > 1e-6 && share[i] < 1 - 1e-6 ? detailed[i] : global[i];
  return merged;
}
