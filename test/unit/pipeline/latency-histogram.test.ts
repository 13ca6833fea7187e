import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../../src/pipeline/latency-histogram.js';

describe('LatencyHistogram', () => {
  it('gives percentiles within 1 % of the exact ones', () => {
    const histogram = new LatencyHistogram();
    const values = Array.from({ length: 1000 }, (_, i) => 0.5 + i * 0.02);
    for (const value of values) histogram.record(value);
    expect(histogram.count).toBe(1000);
    const exact = (fraction: number) => values[Math.ceil(fraction * values.length) - 1];
    for (const fraction of [0.5, 0.95, 0.99]) {
      expect(Math.abs(histogram.percentile(fraction) / exact(fraction) - 1)).toBeLessThan(0.01);
    }
  });

  it('handles tiny, huge and no values', () => {
    const histogram = new LatencyHistogram();
    expect(histogram.percentile(0.5)).toBeNaN();
    histogram.record(0);
    histogram.record(1e9);
    expect(histogram.percentile(0.5)).toBeLessThanOrEqual(0.0011);
    expect(histogram.percentile(1)).toBeGreaterThan(99_000);
    histogram.reset();
    expect(histogram.count).toBe(0);
  });
});
