/**
 * Fuses the views the live path runs on consecutive frames (video-views.ts) into one person probability, with
 * weights that respect motion. Each view of the cycle keeps its newest probability and the brightness the frame
 * had when it ran; a pixel takes the views whose brightness there still matches today's (exposure changes taken
 * out), so where nothing moved all the views of the cycle are averaged, as the photo mode averages its views,
 * and where something moved the views that saw it before the move drop out and the newest view decides.
 * Everything works on one grid covering the frame (the model's output size): per frame a few passes over ~37k
 * values.
 */
import { composeMatrices, type Motion, matrixMotion, motionMatrix, warpPlanes } from './grid-motion.js';

export interface ViewFusionOptions {
  /**
   * Brightness difference (0..1) at which an older view stops counting at a pixel; below it the weight falls
   * off as (1 - difference / limit)^2. Sensor noise averaged down to the grid stays well under it.
   */
  matchLimit: number;
}

export const DEFAULT_FUSION: ViewFusionOptions = { matchLimit: 0.04 };

interface Slot {
  valid: boolean;
  prob: Float32Array;
  brightness: Float32Array;
  meanBrightness: number;
  /**
   * The camera's motion since the view was seen, not yet applied (motionMatrix in grid-motion.ts): the planes are
   * resampled only when the view is next read, once for all the motion since, and not at all if it is replaced first.
   */
  pending: Float64Array | undefined;
}

export class ViewFusion {
  private readonly slots: Slot[];
  private readonly sum: Float32Array;
  /** Planes follow() resamples into, then swaps with a view's. */
  private moved: { prob: Float32Array; brightness: Float32Array };
  private readonly weightSum: Float32Array;
  readonly fused: Float32Array;

  constructor(
    readonly width: number,
    readonly height: number,
    views: number,
    private readonly options: ViewFusionOptions = DEFAULT_FUSION,
  ) {
    const pixels = width * height;
    this.slots = Array.from({ length: views }, () => ({
      valid: false,
      prob: new Float32Array(pixels),
      brightness: new Float32Array(pixels),
      meanBrightness: 0,
      pending: undefined,
    }));
    this.sum = new Float32Array(pixels);
    this.moved = { prob: new Float32Array(pixels), brightness: new Float32Array(pixels) };
    this.weightSum = new Float32Array(pixels);
    this.fused = new Float32Array(pixels);
  }

  /**
   * Takes view `index`'s new probability and the frame's brightness (0..1), both on the grid, and returns the
   * fused probability (a buffer the next call reuses; the caller may change it in place).
   */
  add(index: number, prob: Float32Array, brightness: Float32Array): Float32Array {
    const { slots, sum, weightSum, fused } = this;
    const pixels = this.width * this.height;
    const slot = slots[index];
    slot.prob.set(prob.subarray(0, slot.prob.length));
    slot.brightness.set(brightness.subarray(0, slot.brightness.length));
    slot.meanBrightness = mean(brightness, slot.brightness.length);
    slot.valid = true;
    slot.pending = undefined;
    for (const other of slots) if (other.valid) this.catchUp(other);

    // The newest view counts in full everywhere; the others where the picture still matches theirs. The loops have
    // no branches that depend on the picture: an unpredictable branch per pixel cost twice the arithmetic.
    const newest = slot.prob;
    const others = slots.filter((other) => other.valid && other !== slot);
    if (others.length === 0) {
      fused.set(newest);
      return fused;
    }
    const inverseLimit = 1 / this.options.matchLimit;
    if (others.length === 1) {
      // One other view (the usual cycle of two): weighed and divided in the same pass.
      const [other] = others;
      const gain = exposureGain(brightness, other.brightness, slot.meanBrightness, other.meanBrightness, this.options.matchLimit);
      const { prob: otherProb, brightness: otherBrightness } = other;
      for (let i = 0; i < pixels; i++) {
        const closeness = Math.max(0, 1 - Math.abs(brightness[i] - gain * otherBrightness[i]) * inverseLimit);
        const weight = closeness * closeness;
        fused[i] = (newest[i] + weight * otherProb[i]) / (1 + weight);
      }
      return fused;
    }
    sum.set(newest);
    weightSum.fill(1);
    for (const other of others) {
      const gain = exposureGain(brightness, other.brightness, slot.meanBrightness, other.meanBrightness, this.options.matchLimit);
      const { prob: otherProb, brightness: otherBrightness } = other;
      for (let i = 0; i < pixels; i++) {
        const closeness = Math.max(0, 1 - Math.abs(brightness[i] - gain * otherBrightness[i]) * inverseLimit);
        const weight = closeness * closeness;
        sum[i] += weight * otherProb[i];
        weightSum[i] += weight;
      }
    }
    for (let i = 0; i < pixels; i++) fused[i] = sum[i] / weightSum[i];
    return fused;
  }

  /**
   * The picture moved by `motion` (grid-motion.ts) since the last frame: the views kept so far, with the brightness
   * each was seen at, are moved to where the picture now is before they are next read.
   */
  follow(motion: Motion): void {
    const step = motionMatrix(motion, this.width, this.height);
    for (const slot of this.slots) {
      if (slot.valid) slot.pending = slot.pending ? composeMatrices(slot.pending, step) : step;
    }
  }

  /** Resamples `slot` by the motion it has not followed yet. */
  private catchUp(slot: Slot): void {
    if (!slot.pending) return;
    const { prob, brightness } = this.moved;
    warpPlanes(slot.prob, slot.brightness, prob, brightness, this.width, this.height, matrixMotion(slot.pending, this.width, this.height));
    this.moved = { prob: slot.prob, brightness: slot.brightness };
    slot.prob = prob;
    slot.brightness = brightness;
    slot.pending = undefined;
  }

  /** Whether no view has been added since the start or the last reset. */
  get empty(): boolean {
    return this.slots.every((slot) => !slot.valid);
  }

  /** Forgets every view (a new scene or camera). */
  reset(): void {
    for (const slot of this.slots) slot.valid = false;
  }
}

/** Pixels sampled to estimate an exposure change: one in this many. */
const GAIN_SAMPLE_STEP = 4;

/**
 * How much brighter `now` is than `before` overall (exposure drift scales brightness), judged on the pixels that
 * did not change otherwise: of "no change" and the ratio of the means, the guess that more sampled pixels match
 * under, refined over those pixels. So a person moving across the picture does not pass for an exposure change.
 */
export function exposureGain(now: Float32Array, before: Float32Array, meanNow: number, meanBefore: number, limit: number): number {
  let best = { matches: -1, gain: 1 };
  for (const guess of [1, meanBefore > 0 ? meanNow / meanBefore : 1]) {
    let matches = 0;
    let sumNow = 0;
    let sumBefore = 0;
    for (let i = 0; i < now.length; i += GAIN_SAMPLE_STEP) {
      // 1 or 0 without a branch (see add()).
      const match = Number(Math.abs(now[i] - guess * before[i]) < limit);
      matches += match;
      sumNow += match * now[i];
      sumBefore += match * before[i];
    }
    if (matches > best.matches) best = { matches, gain: sumBefore > 0 ? sumNow / sumBefore : guess };
  }
  return best.gain;
}

/** The mean of one value in GAIN_SAMPLE_STEP: all an exposure guess needs. */
export function mean(values: Float32Array, count: number): number {
  let total = 0;
  let samples = 0;
  for (let i = 0; i < count; i += GAIN_SAMPLE_STEP, samples++) total += values[i];
  return samples > 0 ? total / samples : 0;
}
