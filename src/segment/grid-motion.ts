/**
 * How the picture moved between two frames, on the grid: one affine motion for the whole frame (a camera that
 * pans, zooms or rolls, as a laptop on a lap does), estimated from the two frames' brightness by Gauss-Newton
 * (Lucas-Kanade), and the resampling that carries what was known of the earlier frame to where it now lies. The
 * live path's fusion uses it to keep averaging its views while the camera moves (view-fusion.ts).
 *
 * A motion is six numbers [a, b, c, d, e, f]: the point (x, y) of the new frame lies at
 * (x + a*x + b*y + c, y + d*x + e*y + f) in the earlier one, with x and y in grid pixels from the grid's centre.
 */
export type Motion = Float64Array;

export interface GridMotionOptions {
  /** Gauss-Newton steps; the motion between two camera frames is at most a pixel or two of the grid. */
  iterations: number;
  /**
   * Below this largest displacement (grid pixels) anywhere in the frame, the picture is taken as still: the fusion's
   * brightness test copes with half a pixel, and following it costs a resampling of four planes. On the moving dev
   * clips 0.5 kept all but 0.0001 IoU of what following every motion from 0.15 px gives; 1 px kept half.
   */
  stillBelowPx: number;
  /** The estimate is kept only if it leaves at most this share of the difference that no motion leaves. */
  keepBelowShare: number;
  /**
   * Below this mean squared brightness difference between the frames (the person counting less), nothing is
   * estimated. On the eval clips a still camera's frames differ by 1e-6 to 1.1e-5, a moving camera's by 1.2e-5
   * (a slow pan over a plain wall) to 9e-3; a noisier camera above it only costs an estimate that finds no motion.
   */
  stillBelowDifference: number;
}

export const DEFAULT_GRID_MOTION: GridMotionOptions = { iterations: 3, stillBelowPx: 0.5, keepBelowShare: 0.8, stillBelowDifference: 2e-5 };

/** Estimates from pixels on every STEP-th row and column: 576 of the 256x144 grid, plenty for six numbers. */
const STEP = 8;

export class GridMotion {
  /** The sampled pixels: index, and offset from the grid's centre. */
  private readonly samples: { index: Int32Array; dx: Float32Array; dy: Float32Array };
  /** Per sample, for one estimate: its weight, the new frame's gradient, and the difference the motion leaves. */
  private readonly weights: Float32Array;
  private readonly gradientX: Float32Array;
  private readonly gradientY: Float32Array;
  private readonly differences: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly options: GridMotionOptions = DEFAULT_GRID_MOTION,
  ) {
    // Every STEP-th pixel, two pixels in from the edges: what moved in from outside the frame matches nothing.
    const index: number[] = [];
    for (let y = 2; y < height - 2; y += STEP) for (let x = 2; x < width - 2; x += STEP) index.push(y * width + x);
    const cx = (width - 1) / 2;
    const cy = (height - 1) / 2;
    this.samples = {
      index: Int32Array.from(index),
      dx: Float32Array.from(index, (i) => (i % width) - cx),
      dy: Float32Array.from(index, (i) => Math.floor(i / width) - cy),
    };
    this.weights = new Float32Array(index.length);
    this.gradientX = new Float32Array(index.length);
    this.gradientY = new Float32Array(index.length);
    this.differences = new Float32Array(index.length);
  }

  /**
   * The motion from `before` to `now` (brightness planes, 0..1), or undefined when the picture did not move (or no
   * motion explains the change better than none). `person` (0..1 a pixel, the earlier frame's person probability)
   * makes the person count less: the camera's motion is judged on the background, not on someone moving on their own.
   */
  estimate(before: Float32Array, now: Float32Array, person?: Float32Array): Motion | undefined {
    const { width, weights, gradientX, gradientY, differences } = this;
    const { index, dx, dy } = this.samples;
    const count = index.length;
    for (let n = 0; n < count; n++) weights[n] = person ? 1 - person[index[n]] : 1;
    // Exposure drift scales the whole picture: compare the frames at the same mean brightness.
    const nowMean = meanOf(now);
    const gain = nowMean > 0 ? meanOf(before) / nowMean : 1;
    const motion: Motion = new Float64Array(6);
    const still = this.residual(before, now, gain, motion);
    if (still < this.options.stillBelowDifference) return undefined;

    // The normal equations' matrix, from the new frame's gradient: the same for every step. The derivative of the
    // moved brightness by the six numbers at a pixel (x, y) from the centre is (gx x, gx y, gx, gy x, gy y, gy).
    const hessian = new Float64Array(36);
    const row = new Float64Array(6);
    for (let n = 0; n < count; n++) {
      const i = index[n];
      const gx = ((now[i + 1] - now[i - 1]) / 2) * gain;
      const gy = ((now[i + width] - now[i - width]) / 2) * gain;
      gradientX[n] = gx;
      gradientY[n] = gy;
      const w = weights[n];
      if (w <= 0) continue;
      const x = dx[n];
      const y = dy[n];
      row[0] = gx * x;
      row[1] = gx * y;
      row[2] = gx;
      row[3] = gy * x;
      row[4] = gy * y;
      row[5] = gy;
      for (let r = 0; r < 6; r++) {
        const weighted = w * row[r];
        for (let c = r; c < 6; c++) hessian[r * 6 + c] += weighted * row[c];
      }
    }
    for (let r = 0; r < 6; r++) for (let c = 0; c < r; c++) hessian[r * 6 + c] = hessian[c * 6 + r];

    const gradient = new Float64Array(6);
    for (let step = 0; step < this.options.iterations; step++) {
      this.difference(before, now, gain, motion);
      gradient.fill(0);
      for (let n = 0; n < count; n++) {
        const x = dx[n];
        const y = dy[n];
        const gx = gradientX[n] * weights[n] * differences[n];
        const gy = gradientY[n] * weights[n] * differences[n];
        gradient[0] += gx * x;
        gradient[1] += gx * y;
        gradient[2] += gx;
        gradient[3] += gy * x;
        gradient[4] += gy * y;
        gradient[5] += gy;
      }
      const delta = solve6(hessian, gradient);
      if (!delta) return undefined;
      for (let r = 0; r < 6; r++) motion[r] -= delta[r];
    }
    if (largestDisplacement(motion, width, this.height) < this.options.stillBelowPx) return undefined;
    return this.residual(before, now, gain, motion) <= this.options.keepBelowShare * still ? motion : undefined;
  }

  /** Fills `differences`: per sample, `before` moved by `motion` less `now` (at the same exposure). */
  private difference(before: Float32Array, now: Float32Array, gain: number, motion: Motion): void {
    const { width, height, differences } = this;
    const { index, dx, dy } = this.samples;
    const [a, b, c, d, e, f] = motion;
    const cx = (width - 1) / 2;
    const cy = (height - 1) / 2;
    for (let n = 0; n < index.length; n++) {
      const x = dx[n];
      const y = dy[n];
      differences[n] = sample(before, width, height, x + cx + a * x + b * y + c, y + cy + d * x + e * y + f) - now[index[n]] * gain;
    }
  }

  /** The weighted mean squared difference `motion` leaves between the frames over the samples. */
  private residual(before: Float32Array, now: Float32Array, gain: number, motion: Motion): number {
    this.difference(before, now, gain, motion);
    const { weights, differences } = this;
    let sum = 0;
    let total = 0;
    for (let n = 0; n < differences.length; n++) {
      sum += weights[n] * differences[n] * differences[n];
      total += weights[n];
    }
    return total > 0 ? sum / total : 0;
  }
}

/** `plane` at the point (x, y), bilinearly; points outside take the nearest edge pixel. */
export function sample(plane: Float32Array, width: number, height: number, x: number, y: number): number {
  const maxX = width - 1;
  const maxY = height - 1;
  const sx = x < 0 ? 0 : x > maxX ? maxX : x;
  const sy = y < 0 ? 0 : y > maxY ? maxY : y;
  const x0 = sx | 0;
  const y0 = sy | 0;
  const x1 = x0 < maxX ? x0 + 1 : x0;
  const y1 = y0 < maxY ? y0 + 1 : y0;
  const fx = sx - x0;
  const fy = sy - y0;
  const top = plane[y0 * width + x0] * (1 - fx) + plane[y0 * width + x1] * fx;
  const bottom = plane[y1 * width + x0] * (1 - fx) + plane[y1 * width + x1] * fx;
  return top * (1 - fy) + bottom * fy;
}

/**
 * Two planes of the earlier frame (`first`, `second`) resampled where `motion` says each pixel of the new frame came
 * from, bilinearly, into `firstTo` and `secondTo`; points outside take the nearest edge pixel. Two at once: the
 * live path mostly moves planes in pairs (a view's probability and brightness, the smoother's two memories), and
 * the source points are worked out once for both. Without `second`, the first plane alone.
 */
export function warpPlanes(
  first: Float32Array,
  second: Float32Array | undefined,
  firstTo: Float32Array,
  secondTo: Float32Array | undefined,
  width: number,
  height: number,
  motion: Motion,
): void {
  const [a, b, c, d, e, f] = motion;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const maxX = width - 1;
  const maxY = height - 1;
  // Along a row the source point moves by a constant step: (1 + a, d) per pixel.
  const stepX = 1 + a;
  for (let y = 0, row = 0; y < height; y++, row += width) {
    const dy = y - cy;
    let sx = -cx * a + b * dy + c;
    let sy = y - cx * d + e * dy + f;
    for (let x = 0; x < width; x++, sx += stepX, sy += d) {
      const px = sx < 0 ? 0 : sx > maxX ? maxX : sx;
      const py = sy < 0 ? 0 : sy > maxY ? maxY : sy;
      const x0 = px | 0;
      const y0 = py | 0;
      const fx = px - x0;
      const fy = py - y0;
      const i = y0 * width + x0;
      const right = i + (x0 < maxX ? 1 : 0);
      const below = i + (y0 < maxY ? width : 0);
      const belowRight = below + (right - i);
      let top = first[i] + (first[right] - first[i]) * fx;
      let bottom = first[below] + (first[belowRight] - first[below]) * fx;
      firstTo[row + x] = top + (bottom - top) * fy;
      if (!second || !secondTo) continue;
      top = second[i] + (second[right] - second[i]) * fx;
      bottom = second[below] + (second[belowRight] - second[below]) * fx;
      secondTo[row + x] = top + (bottom - top) * fy;
    }
  }
}

/**
 * A motion as a 2x3 matrix on plain grid coordinates (not offsets from the centre), for composing: where a point of
 * the new frame lay in the earlier one.
 */
export function motionMatrix(motion: Motion, width: number, height: number): Float64Array {
  const [a, b, c, d, e, f] = motion;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return Float64Array.of(1 + a, b, c - a * cx - b * cy, d, 1 + e, f - d * cx - e * cy);
}

/** The motion a 2x3 matrix on plain grid coordinates (motionMatrix) stands for. */
export function matrixMotion(matrix: Float64Array, width: number, height: number): Motion {
  const [p, q, r, s, t, u] = matrix;
  const a = p - 1;
  const e = t - 1;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return Float64Array.of(a, q, r + a * cx + q * cy, s, e, u + s * cx + e * cy);
}

/** `first` after `second` (2x3 matrices): a point is mapped by `second`, then by `first`. */
export function composeMatrices(first: Float64Array, second: Float64Array): Float64Array {
  const [a, b, c, d, e, f] = first;
  const [p, q, r, s, t, u] = second;
  return Float64Array.of(a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f);
}

/** The largest displacement `motion` makes anywhere in the frame, in grid pixels (at the corners, being affine). */
export function largestDisplacement(motion: Motion, width: number, height: number): number {
  const [a, b, c, d, e, f] = motion;
  let largest = 0;
  for (const dx of [-(width - 1) / 2, (width - 1) / 2]) {
    for (const dy of [-(height - 1) / 2, (height - 1) / 2]) {
      largest = Math.max(largest, Math.hypot(a * dx + b * dy + c, d * dx + e * dy + f));
    }
  }
  return largest;
}

function meanOf(values: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i += 4) sum += values[i];
  return sum / Math.ceil(values.length / 4);
}

/** Solves the 6x6 system `matrix` * x = `vector` by Gaussian elimination with pivoting; undefined if singular. */
function solve6(matrix: Float64Array, vector: Float64Array): Float64Array | undefined {
  const m = Float64Array.from(matrix);
  const v = Float64Array.from(vector);
  for (let col = 0; col < 6; col++) {
    let pivot = col;
    for (let row = col + 1; row < 6; row++) if (Math.abs(m[row * 6 + col]) > Math.abs(m[pivot * 6 + col])) pivot = row;
    if (Math.abs(m[pivot * 6 + col]) < 1e-12) return undefined;
    if (pivot !== col) {
      for (let k = 0; k < 6; k++) [m[col * 6 + k], m[pivot * 6 + k]] = [m[pivot * 6 + k], m[col * 6 + k]];
      [v[col], v[pivot]] = [v[pivot], v[col]];
    }
    for (let row = col + 1; row < 6; row++) {
      const factor = m[row * 6 + col] / m[col * 6 + col];
      for (let k = col; k < 6; k++) m[row * 6 + k] -= factor * m[col * 6 + k];
      v[row] -= factor * v[col];
    }
  }
  const x = new Float64Array(6);
  for (let row = 5; row >= 0; row--) {
    let sum = v[row];
    for (let k = row + 1; k < 6; k++) sum -= m[row * 6 + k] * x[k];
    x[row] = sum / m[row * 6 + row];
  }
  return x;
}
