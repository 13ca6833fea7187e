import { describe, expect, it } from 'vitest';
import { TemporalSmoother } from '../../../src/segment/temporal-smoother.js';

/** Feeds one value per frame to a one-pixel smoother and returns what comes out. */
function run(values: number[], smoother = new TemporalSmoother(1)): number[] {
  return values.map((value) => {
    const frame = new Float32Array([value]);
    smoother.update(frame);
    return frame[0];
  });
}

describe('TemporalSmoother', () => {
  it('passes the first frame through', () => {
    expect(run([0.3])).toEqual([Math.fround(0.3)]);
  });

  it('steadies a pixel flickering around the threshold', () => {
    const flicker = Array.from({ length: 40 }, (_, i) => (i % 2 ? 0.62 : 0.38));
    // Once settled (the filter starts from the first value, 0.38, and drifts to the middle over ~15 frames).
    const out = run(flicker).slice(20);
    const swing = Math.max(...out) - Math.min(...out);
    expect(swing).toBeLessThan(0.24 / 8);
    expect(Math.abs(out[out.length - 1] - 0.5)).toBeLessThan(0.03);
  });

  it('follows a real motion step at once, both ways', () => {
    const out = run([0, 0, 0, 1, 1, 1, 0, 0]);
    expect(out[3]).toBeGreaterThanOrEqual(0.9);
    expect(out[6]).toBeLessThanOrEqual(0.1);
  });

  it('follows an edge sweeping across the pixel within two frames', () => {
    const ramp = [0, 0, 0.25, 0.5, 0.75, 1, 1];
    const out = run(ramp);
    // the smoothed value crosses 0.5 at most one frame after the input does, and ends within 0.1 of it
    expect(out[4]).toBeGreaterThanOrEqual(0.5);
    expect(out[6]).toBeGreaterThan(0.9);
  });

  it('forgets the past on reset', () => {
    const smoother = new TemporalSmoother(1);
    run([1, 1, 1], smoother);
    smoother.reset();
    expect(run([0.4], smoother)).toEqual([Math.fround(0.4)]);
  });

  it('smooths each pixel on its own', () => {
    const smoother = new TemporalSmoother(2);
    const frame = new Float32Array([0, 0]);
    smoother.update(frame);
    frame.set([0.1, 1]);
    smoother.update(frame);
    expect(frame[0]).toBeLessThan(0.05);
    expect(frame[1]).toBe(1);
  });
});
