/**
 * Steadies a video's person probability from frame to frame without lagging behind real motion.
 * Per pixel, an exponential filter whose weight depends on the change:
 * - a jump of at least `motionDelta` (someone moving) is taken whole, at once;
 * - a smaller change speeds the filter up in proportion only when the previous frame already moved the same
 *   way (an edge sweeping across the pixel);
 * - a change that reverses the previous one (model noise, a pixel hovering around the threshold) gets the
 *   lowest weight, so flicker is damped rather than followed.
 * Runs at the model's output resolution (~37k values): a few hundredths of a millisecond.
 */
import { type Motion, warpPlanes } from './grid-motion.js';

export interface TemporalSmootherOptions {
  /** Weight of the new value for flicker: lower steadies more. */
  minWeight: number;
  /** Change at and above which the new value is taken whole. */
  motionDelta: number;
}

export const DEFAULT_SMOOTHING: TemporalSmootherOptions = { minWeight: 0.12, motionDelta: 0.5 };

export class TemporalSmoother {
  private smoothed: Float32Array;
  private previous: Float32Array;
  private primed = false;
  /** Planes follow() resamples into, then swaps with the memories; made on first use: a still camera never needs them. */
  private moved: [Float32Array, Float32Array] | undefined;

  constructor(
    readonly pixels: number,
    private readonly options: TemporalSmootherOptions = DEFAULT_SMOOTHING,
  ) {
    this.smoothed = new Float32Array(pixels);
    this.previous = new Float32Array(pixels);
  }

  /** Smooths `prob` in place (and remembers it for the next frame). */
  update(prob: Float32Array): void {
    const { smoothed, previous, pixels } = this;
    if (!this.primed) {
      smoothed.set(prob.subarray(0, pixels));
      previous.set(prob.subarray(0, pixels));
      this.primed = true;
      return;
    }
    const { minWeight, motionDelta } = this.options;
    const slope = (1 - minWeight) / motionDelta;
    for (let i = 0; i < pixels; i++) {
      const value = prob[i];
      const change = value - smoothed[i];
      const magnitude = Math.abs(change);
      // The three cases of the header as one expression, without branches that depend on the picture (they cost
      // more than the arithmetic): a same-way change ramps from minWeight to 1 at motionDelta; any change from
      // motionDelta up is taken whole; a reversing one below it gets minWeight.
      const sameWay = Number((previous[i] - smoothed[i]) * change > 0);
      const weight = Math.min(1, minWeight + sameWay * slope * magnitude + Number(magnitude >= motionDelta));
      previous[i] = value;
      const result = smoothed[i] + weight * change;
      smoothed[i] = result;
      prob[i] = result;
    }
  }

  /** The last smoothed result (what update() returned last), or undefined before the first update or after a reset. */
  get last(): Float32Array | undefined {
    return this.primed ? this.smoothed : undefined;
  }

  /** Moves what it remembers to where the picture now is (grid-motion.ts), so a moving camera does not make it lag. */
  follow(motion: Motion, width: number, height: number): void {
    if (!this.primed) return;
    const [smoothed, previous] = (this.moved ??= [new Float32Array(this.pixels), new Float32Array(this.pixels)]);
    warpPlanes(this.smoothed, this.previous, smoothed, previous, width, height, motion);
    this.moved = [this.smoothed, this.previous];
    this.smoothed = smoothed;
    this.previous = previous;
  }

  reset(): void {
    this.primed = false;
  }
}
