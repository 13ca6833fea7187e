/**
 * Edge-aware refinement of a low-resolution person probability against the full-resolution picture:
 * a fast guided filter (He & Sun, 2015). Inside each window the mask is modelled as a * brightness + b,
 * fitted at low resolution where it is cheap; a and b are then upsampled and applied to the full-resolution
 * brightness, so the mask edge follows the picture's edges (hair, shoulders, fingers) instead of the model's
 * coarse grid, and stays soft where the picture has no edge. Plain loops over typed arrays: no allocation
 * per frame once the sizes are known.
 */
import { softMaskValue } from './soft-mask.js';

export interface GuidedRefinerOptions {
  /** Window radius at the low resolution, in low-resolution pixels. */
  radius: number;
  /** Regularisation on brightness variance (brightness in 0..1): larger keeps the mask smoother. */
  eps: number;
}

export class GuidedRefiner {
  private readonly pixels: number;
  private readonly meanGuide: Float32Array;
  private readonly meanProb: Float32Array;
  private readonly product: Float32Array;
  private readonly square: Float32Array;
  private readonly a: Float32Array;
  private readonly b: Float32Array;
  private readonly scratch: Float32Array;
  private columns?: Interpolation;
  private rows?: Interpolation;

  constructor(
    readonly lowWidth: number,
    readonly lowHeight: number,
    private readonly options: GuidedRefinerOptions,
  ) {
    this.pixels = lowWidth * lowHeight;
    const plane = (): Float32Array => new Float32Array(this.pixels);
    this.meanGuide = plane();
    this.meanProb = plane();
    this.product = plane();
    this.square = plane();
    this.a = plane();
    this.b = plane();
    this.scratch = plane();
  }

  /**
   * `guideLow` (brightness 0..1) and `prob` (0..1) at the low resolution; `guideFull` 8-bit brightness at
   * full resolution. Writes the refined soft mask (0..255, 255 = person) into `out` (fullWidth*fullHeight).
   */
  refine(
    guideLow: Float32Array,
    prob: Float32Array,
    guideFull: Uint8Array,
    fullWidth: number,
    fullHeight: number,
    threshold: number,
    softness: number,
    out: Uint8Array,
  ): void {
    this.fit(guideLow, prob);
    this.apply(guideFull, fullWidth, fullHeight, threshold, softness, out);
  }

  /** The linear coefficients a, b per low-resolution pixel (the averaged per-window fits). */
  private fit(guide: Float32Array, prob: Float32Array): void {
    const { lowWidth: width, lowHeight: height, pixels, scratch } = this;
    const { radius, eps } = this.options;
    const { meanGuide, meanProb, product, square, a, b } = this;
    for (let i = 0; i < pixels; i++) {
      product[i] = guide[i] * prob[i];
      square[i] = guide[i] * guide[i];
    }
    boxMean(guide, width, height, radius, meanGuide, scratch);
    boxMean(prob, width, height, radius, meanProb, scratch);
    boxMean(product, width, height, radius, product, scratch);
    boxMean(square, width, height, radius, square, scratch);
    for (let i = 0; i < pixels; i++) {
      const variance = square[i] - meanGuide[i] * meanGuide[i];
      const covariance = product[i] - meanGuide[i] * meanProb[i];
      a[i] = covariance / (variance + eps);
      b[i] = meanProb[i] - a[i] * meanGuide[i];
    }
    boxMean(a, width, height, radius, a, scratch);
    boxMean(b, width, height, radius, b, scratch);
  }

  private apply(guide: Uint8Array, width: number, height: number, threshold: number, softness: number, out: Uint8Array): void {
    const lowWidth = this.lowWidth;
    if (this.columns?.size !== width || this.columns.from !== lowWidth) this.columns = interpolation(lowWidth, width);
    if (this.rows?.size !== height || this.rows.from !== this.lowHeight) this.rows = interpolation(this.lowHeight, height);
    const { a, b, columns, rows } = this;
    const inverseSoftness = softness > 0 ? 1 / softness : 0;
    for (let y = 0; y < height; y++) {
      const row0 = rows.first[y] * lowWidth;
      const row1 = rows.second[y] * lowWidth;
      const wy = rows.weight[y];
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const x0 = columns.first[x];
        const x1 = columns.second[x];
        const wx = columns.weight[x];
        const top = a[row0 + x0] + (a[row0 + x1] - a[row0 + x0]) * wx;
        const bottom = a[row1 + x0] + (a[row1 + x1] - a[row1 + x0]) * wx;
        const topB = b[row0 + x0] + (b[row0 + x1] - b[row0 + x0]) * wx;
        const bottomB = b[row1 + x0] + (b[row1 + x1] - b[row1 + x0]) * wx;
        const coefficient = top + (bottom - top) * wy;
        const offset = topB + (bottomB - topB) * wy;
        out[i] = softMaskValue(coefficient * guide[i] * (1 / 255) + offset, threshold, inverseSoftness);
      }
    }
  }
}

/** Bilinear sampling positions (pixel centres aligned) from `from` samples to `size` samples. */
interface Interpolation {
  from: number;
  size: number;
  first: Int32Array;
  second: Int32Array;
  weight: Float32Array;
}

function interpolation(from: number, size: number): Interpolation {
  const first = new Int32Array(size);
  const second = new Int32Array(size);
  const weight = new Float32Array(size);
  const scale = from / size;
  for (let i = 0; i < size; i++) {
    const position = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
    first[i] = Math.floor(position);
    second[i] = Math.min(from - 1, first[i] + 1);
    weight[i] = position - first[i];
  }
  return { from, size, first, second, weight };
}

/**
 * Mean over the (2r+1)x(2r+1) window around each pixel, counting only the pixels inside the picture.
 * `out` may be `src`; `scratch` holds the horizontal pass.
 */
export function boxMean(src: Float32Array, width: number, height: number, radius: number, out: Float32Array, scratch: Float32Array): void {
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(radius, width); x++) sum += src[row + x];
    for (let x = 0; x < width; x++) {
      if (x + radius < width) sum += src[row + x + radius];
      if (x - radius - 1 >= 0) sum -= src[row + x - radius - 1];
      scratch[row + x] = sum / (Math.min(width - 1, x + radius) - Math.max(0, x - radius) + 1);
    }
  }
  for (let x = 0; x < width; x++) {
    let sum = 0;
    for (let y = 0; y < Math.min(radius, height); y++) sum += scratch[y * width + x];
    for (let y = 0; y < height; y++) {
      if (y + radius < height) sum += scratch[(y + radius) * width + x];
      if (y - radius - 1 >= 0) sum -= scratch[(y - radius - 1) * width + x];
      out[y * width + x] = sum / (Math.min(height - 1, y + radius) - Math.max(0, y - radius) + 1);
    }
  }
}
