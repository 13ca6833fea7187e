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
  /** One upsampled row of a (already divided by 255) and of b. */
  private readonly rowA: Float32Array;
  private readonly rowB: Float32Array;
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
    this.rowA = new Float32Array(lowWidth);
    this.rowB = new Float32Array(lowWidth);
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

  /** Bilinear upsampling of a and b, done separably: rows first (at low width), then along each row. */
  private apply(guide: Uint8Array, width: number, height: number, threshold: number, softness: number, out: Uint8Array): void {
    const { lowWidth, lowHeight, a, b, rowA, rowB } = this;
    if (this.columns?.size !== width) this.columns = interpolation(lowWidth, width);
    if (this.rows?.size !== height) this.rows = interpolation(lowHeight, height);
    const { columns, rows } = this;
    const inverseSoftness = softness > 0 ? 1 / softness : 0;
    for (let y = 0; y < height; y++) {
      const row0 = rows.first[y] * lowWidth;
      const row1 = rows.second[y] * lowWidth;
      const wy = rows.weight[y];
      for (let x = 0; x < lowWidth; x++) {
        rowA[x] = (a[row0 + x] + (a[row1 + x] - a[row0 + x]) * wy) * (1 / 255);
        rowB[x] = b[row0 + x] + (b[row1 + x] - b[row0 + x]) * wy;
      }
      for (let x = 0, i = y * width; x < width; x++, i++) {
        const x0 = columns.first[x];
        const x1 = columns.second[x];
        const wx = columns.weight[x];
        const coefficient = rowA[x0] + (rowA[x1] - rowA[x0]) * wx;
        const offset = rowB[x0] + (rowB[x1] - rowB[x0]) * wx;
        out[i] = softMaskValue(coefficient * guide[i] + offset, threshold, inverseSoftness);
      }
    }
  }
}

/** Bilinear sampling positions (pixel centres aligned) from `from` samples to `size` samples. */
interface Interpolation {
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
  return { size, first, second, weight };
}

/**
 * Mean over the (2r+1)x(2r+1) window around each pixel, counting only the pixels inside the picture.
 * Running sums along rows, then running column sums down the rows (both passes walk memory in order).
 * `out` may be `src`; `scratch` holds the horizontal pass.
 */
export function boxMean(src: Float32Array, width: number, height: number, radius: number, out: Float32Array, scratch: Float32Array): void {
  const inverseX = inverseCounts(width, radius);
  const inverseY = inverseCounts(height, radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(radius, width); x++) sum += src[row + x];
    for (let x = 0; x < width; x++) {
      if (x + radius < width) sum += src[row + x + radius];
      if (x > radius) sum -= src[row + x - radius - 1];
      scratch[row + x] = sum * inverseX[x];
    }
  }
  const columns = new Float64Array(width);
  for (let y = 0; y < Math.min(radius, height); y++) {
    for (let x = 0, i = y * width; x < width; x++, i++) columns[x] += scratch[i];
  }
  for (let y = 0; y < height; y++) {
    const entering = (y + radius) * width;
    const leaving = (y - radius - 1) * width;
    if (y + radius < height) for (let x = 0; x < width; x++) columns[x] += scratch[entering + x];
    if (y > radius) for (let x = 0; x < width; x++) columns[x] -= scratch[leaving + x];
    const scale = inverseY[y];
    for (let x = 0, i = y * width; x < width; x++, i++) out[i] = columns[x] * scale;
  }
}

/** 1 / the number of positions within `radius` of each index in [0, length). */
function inverseCounts(length: number, radius: number): Float64Array {
  const inverse = new Float64Array(length);
  for (let i = 0; i < length; i++) inverse[i] = 1 / (Math.min(length - 1, i + radius) - Math.max(0, i - radius) + 1);
  return inverse;
}
