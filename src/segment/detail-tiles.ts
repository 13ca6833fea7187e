/**
 * The live path's detail views: the model run on half the frame at a time, nine tiles a quarter of the frame apart
 * (3 x 3), so it sees the person at twice the resolution of the whole-frame views, in other surroundings. As the
 * photo mode does with its tiles, what they say is mixed in only where the whole views are unsure (around the
 * outline), and several overlapping tiles average out each other's mistakes. The live path runs one tile every
 * other frame, in turn (video-views.ts), and keeps each tile's answer with the brightness the frame had: like the
 * whole views in the fusion (view-fusion.ts), a tile counts only where the picture still matches what it saw
 * (exposure changes taken out), so a moving person drops it at once. A moving camera does not: each tile keeps the
 * camera's motion since it ran (grid-motion.ts) and is read through it.
 *
 * On the eval clips (docs/segmentation.md, Video mode): IoU 0.9242 -> 0.9311, boundary F1 0.593 -> 0.605, flicker
 * 0.134 -> 0.135 %; the photo mode's IoU is 0.9264.
 */
import { composeMatrices, type Motion, motionMatrix, sample } from './grid-motion.js';
import type { Size } from './preprocess.js';
import { exposureGain, mean } from './view-fusion.js';

/** A tile's place on the grid, in grid pixels. */
export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface DetailTilesOptions {
  /** Probability at which the outline lies (the mask's threshold): the tiles count most there. */
  threshold: number;
  /** Distance in probability from the threshold beyond which the whole views are sure enough alone. */
  band: number;
  /** The tiles' share at the threshold, when they fully cover the pixel and still match it. */
  share: number;
  /** Brightness difference (0..1) at which a tile stops counting at a pixel, as in the fusion. */
  matchLimit: number;
  /** Grid pixels over which a tile fades in from its border (a tile's border sees the person cut off). */
  feather: number;
}

export const DEFAULT_DETAIL_TILES: Omit<DetailTilesOptions, 'threshold'> = { band: 0.3, share: 0.5, matchLimit: 0.04, feather: 6 };

/**
 * A frame whose mean brightness is within this share of what it was when a tile ran kept its exposure (a person
 * moving about changes it less); past it the exposure change is judged on the tile as the fusion does.
 */
const EXPOSURE_STILL = 0.02;

/** Tiles per side: 3 x 3 half-size tiles, a quarter of the frame apart. */
const TILES_PER_SIDE = 3;

/** The nine tiles' places on a grid of `grid`: each half its width and height, a quarter of it apart. */
export function tileLayout(grid: Size): TileRect[] {
  const width = Math.round(grid.width / 2);
  const height = Math.round(grid.height / 2);
  const rects: TileRect[] = [];
  for (let row = 0; row < TILES_PER_SIDE; row++) {
    for (let column = 0; column < TILES_PER_SIDE; column++) {
      const x = Math.round(((grid.width - width) * column) / (TILES_PER_SIDE - 1));
      const y = Math.round(((grid.height - height) * row) / (TILES_PER_SIDE - 1));
      rects.push({ x, y, width, height });
    }
  }
  return rects;
}

interface Tile {
  rect: TileRect;
  valid: boolean;
  /** The tile's probability and the frame's brightness, over its rect (rows of rect.width). */
  prob: Float32Array;
  brightness: Float32Array;
  /** The mean of `brightness` (sampled), and of the whole frame's, for the exposure change since. */
  meanBrightness: number;
  frameMean: number;
  /**
   * Where a pixel of today's grid lay on the grid the tile ran on, as a 2x3 affine matrix on grid coordinates;
   * undefined while the camera has not moved since.
   */
  toTile: Float64Array | undefined;
}

export class DetailTiles {
  readonly rects: TileRect[];
  private readonly tiles: Tile[];
  private readonly options: DetailTilesOptions;
  /** A tile's rect of today's brightness, for the exposure change. */
  private readonly rectScratch: Float32Array;
  /** For one apply(): the grid pixels where the whole views are unsure, and per such pixel the tiles' weights and sum. */
  private readonly unsurePixels: Int32Array;
  /** For one apply(): per grid row (and one past the last), where its pixels start in `unsurePixels`. */
  private readonly rowStarts: Int32Array;
  private readonly weightSums: Float32Array;
  private readonly sums: Float32Array;

  constructor(
    private readonly grid: Size,
    options: Partial<DetailTilesOptions> & Pick<DetailTilesOptions, 'threshold'>,
  ) {
    this.options = { ...DEFAULT_DETAIL_TILES, ...options };
    this.rects = tileLayout(grid);
    this.tiles = this.rects.map((rect) => ({
      rect,
      valid: false,
      prob: new Float32Array(rect.width * rect.height),
      brightness: new Float32Array(rect.width * rect.height),
      meanBrightness: 0,
      frameMean: 0,
      toTile: undefined,
    }));
    const pixels = grid.width * grid.height;
    this.rectScratch = new Float32Array(Math.max(...this.rects.map((rect) => rect.width * rect.height)));
    this.unsurePixels = new Int32Array(pixels);
    this.rowStarts = new Int32Array(grid.height + 1);
    this.weightSums = new Float32Array(pixels);
    this.sums = new Float32Array(pixels);
  }

  /**
   * Takes tile `index`'s model output (the model's output size, covering the tile's rect, shrunk onto the rect by
   * averaging) and the frame's brightness on the grid.
   */
  add(index: number, output: Float32Array, outputSize: Size, brightness: Float32Array): void {
    const tile = this.tiles[index];
    const { rect, prob } = tile;
    const stepX = outputSize.width / rect.width;
    const stepY = outputSize.height / rect.height;
    for (let y = 0; y < rect.height; y++) {
      const top = Math.floor(y * stepY);
      const bottom = Math.max(top + 1, Math.floor((y + 1) * stepY));
      for (let x = 0; x < rect.width; x++) {
        const left = Math.floor(x * stepX);
        const right = Math.max(left + 1, Math.floor((x + 1) * stepX));
        let sum = 0;
        for (let v = top; v < bottom; v++) for (let u = left; u < right; u++) sum += output[v * outputSize.width + u];
        prob[y * rect.width + x] = sum / ((bottom - top) * (right - left));
      }
      tile.brightness.set(brightness.subarray((rect.y + y) * this.grid.width + rect.x, (rect.y + y) * this.grid.width + rect.x + rect.width), y * rect.width);
    }
    tile.meanBrightness = mean(tile.brightness, tile.brightness.length);
    tile.frameMean = mean(brightness, brightness.length);
    tile.valid = true;
    tile.toTile = undefined;
  }

  /** The camera moved by `motion` (grid-motion.ts) since the last frame: the tiles are read through it from now on. */
  follow(motion: Motion): void {
    const step = motionMatrix(motion, this.grid.width, this.grid.height);
    for (const tile of this.tiles) {
      if (tile.valid) tile.toTile = tile.toTile ? composeMatrices(tile.toTile, step) : step;
    }
  }

  /**
   * Mixes the tiles into `prob` (the whole views' probability, changed in place) where it is unsure: the tiles'
   * share falls off linearly from `share` at the threshold to nothing `band` away from it, and counts each tile by
   * how much of it covers the pixel and how well the frame's `brightness` still matches what it saw.
   */
  apply(prob: Float32Array, brightness: Float32Array): void {
    if (this.empty) return;
    const { threshold, band, share, matchLimit, feather } = this.options;
    const { width } = this.grid;
    const pixels = width * this.grid.height;
    // The unsure pixels, listed once (usually a few thousand of the grid's tens of thousands); the tiles' weights and
    // sums are gathered per listed pixel, one tile at a time.
    const { unsurePixels, weightSums, sums } = this;
    let count = 0;
    for (let i = 0; i < pixels; i++) if (Math.abs(prob[i] - threshold) < band) unsurePixels[count++] = i;
    // Where each grid row's unsure pixels start in the list, so a tile walks only the rows it covers.
    const { rowStarts } = this;
    for (let y = 0, k = 0; y <= this.grid.height; y++) {
      while (k < count && unsurePixels[k] < y * width) k++;
      rowStarts[y] = k;
    }
    weightSums.fill(0, 0, count);
    sums.fill(0, 0, count);
    const inverseLimit = 1 / matchLimit;
    const inverseFeather = 1 / feather;
    const meanNow = mean(brightness, pixels);
    for (const tile of this.tiles) {
      if (!tile.valid) continue;
      const { prob: tileProb, brightness: tileBrightness } = tile;
      const { x: rectX, y: rectY, width: rectWidth, height: rectHeight } = tile.rect;
      const { left, top, right, bottom } = this.areaNow(tile);
      // Today's grid to the tile's own pixels (the identity shifted to the tile while the camera has not moved).
      const [a, b, c, d, e, f] = tile.toTile ?? [1, 0, 0, 0, 1, 0];
      const still = tile.toTile === undefined;
      const gain = this.exposureSince(tile, brightness, meanNow);
      for (let k = rowStarts[top], end = rowStarts[bottom]; k < end; k++) {
        const i = unsurePixels[k];
        const y = (i / width) | 0;
        const x = i - y * width;
        if (x < left || x >= right) continue;
        const tx = a * x + b * y + c - rectX;
        const ty = d * x + e * y + f - rectY;
        const edge = Math.min(tx + 1, rectWidth - tx, ty + 1, rectHeight - ty);
        if (edge <= 0) continue;
        // The brightness test takes the nearest pixel (it only needs to tell a change), the probability is resampled.
        const nearestX = (Math.min(rectWidth - 1, Math.max(0, tx)) + 0.5) | 0;
        const nearest = ((Math.min(rectHeight - 1, Math.max(0, ty)) + 0.5) | 0) * rectWidth + nearestX;
        const closeness = Math.max(0, 1 - Math.abs(brightness[i] - gain * tileBrightness[nearest]) * inverseLimit);
        const weight = Math.min(1, edge * inverseFeather) * closeness * closeness;
        weightSums[k] += weight;
        sums[k] += weight * (still ? tileProb[nearest] : sample(tileProb, rectWidth, rectHeight, tx, ty));
      }
    }
    for (let k = 0; k < count; k++) {
      const total = weightSums[k];
      if (total === 0) continue;
      const i = unsurePixels[k];
      const p = prob[i];
      const mix = share * (1 - Math.abs(p - threshold) / band) * Math.min(1, total);
      prob[i] = (1 - mix) * p + (mix * sums[k]) / total;
    }
  }

  /**
   * How much brighter the frame is now than when `tile` ran, as the fusion judges it for its views (view-fusion.ts),
   * on the tile's rect (where the camera has not moved it far: enough for an exposure change).
   */
  private exposureSince(tile: Tile, brightness: Float32Array, meanNow: number): number {
    // Most frames the exposure has not changed: the frame's mean says so without looking closer.
    if (Math.abs(meanNow - tile.frameMean) <= EXPOSURE_STILL * tile.frameMean) return 1;
    const { rect } = tile;
    const now = this.rectScratch.subarray(0, rect.width * rect.height);
    for (let y = 0; y < rect.height; y++) {
      const start = (rect.y + y) * this.grid.width + rect.x;
      now.set(brightness.subarray(start, start + rect.width), y * rect.width);
    }
    return exposureGain(now, tile.brightness, mean(now, now.length), tile.meanBrightness, this.options.matchLimit);
  }

  /** The grid pixels `tile` covers today (its rect, carried by the camera's motion since it ran), as a box. */
  private areaNow(tile: Tile): { left: number; top: number; right: number; bottom: number } {
    const { rect, toTile } = tile;
    const { width, height } = this.grid;
    if (!toTile) return { left: rect.x, top: rect.y, right: rect.x + rect.width, bottom: rect.y + rect.height };
    // The rect's corners mapped back to today's grid: toTile inverted.
    const [a, b, c, d, e, f] = toTile;
    const determinant = a * e - b * d;
    const xs: number[] = [];
    const ys: number[] = [];
    for (const [u, v] of [
      [rect.x - 1, rect.y - 1],
      [rect.x + rect.width, rect.y - 1],
      [rect.x - 1, rect.y + rect.height],
      [rect.x + rect.width, rect.y + rect.height],
    ]) {
      xs.push((e * (u - c) - b * (v - f)) / determinant);
      ys.push((a * (v - f) - d * (u - c)) / determinant);
    }
    const clamp = (value: number, limit: number) => Math.min(limit, Math.max(0, value));
    return {
      left: clamp(Math.floor(Math.min(...xs)), width),
      top: clamp(Math.floor(Math.min(...ys)), height),
      right: clamp(Math.ceil(Math.max(...xs)) + 1, width),
      bottom: clamp(Math.ceil(Math.max(...ys)) + 1, height),
    };
  }

  /** Whether any tile has run since the start or the last reset. */
  get empty(): boolean {
    return this.tiles.every((tile) => !tile.valid);
  }

  /** Forgets every tile (a new scene or camera). */
  reset(): void {
    for (const tile of this.tiles) tile.valid = false;
  }
}
