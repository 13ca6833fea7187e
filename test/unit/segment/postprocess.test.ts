import { describe, expect, it } from 'vitest';
import { decodeOutput } from '../../../src/segment/postprocess/decode-output.js';
import { cv } from '../../../src/opencv.js';
import { boxMean } from '../../../src/segment/postprocess/box-mean.js';
import { enlargedSoftMask, softMask, softMaskValue } from '../../../src/segment/postprocess/soft-mask.js';

describe('decodeOutput', () => {
  it('clamps probabilities to 0..1', () => {
    const out = new Float32Array(3);
    decodeOutput(new Float32Array([-0.1, 0.25, 1.2]), 'probability', 3, out);
    expect(Array.from(out)).toEqual([0, 0.25, 1]);
  });

  it('applies the sigmoid to logits', () => {
    const out = new Float32Array(2);
    decodeOutput(new Float32Array([0, Math.log(3)]), 'logit', 2, out);
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(0.75, 6);
  });

  it("takes the person channel's softmax share of two class logits", () => {
    const out = new Float32Array(2);
    // planes: background [2, 0], person [2, ln 3]
    decodeOutput(new Float32Array([2, 0, 2, Math.log(3)]), 'two-class-logits', 2, out);
    expect(out[0]).toBeCloseTo(0.5, 6);
    expect(out[1]).toBeCloseTo(0.75, 6);
  });
});

describe('softMaskValue', () => {
  it('is a hard step at the threshold without softness', () => {
    expect([0.49, 0.5, 0.9].map((p) => softMaskValue(p, 0.5, 0))).toEqual([0, 255, 255]);
  });

  it('ramps linearly across the softness band and keeps >= 128 exactly at and above the threshold', () => {
    const values = [0.3, 0.45, 0.4999, 0.5, 0.55, 0.7].map((p) => softMaskValue(p, 0.5, 1 / 0.2));
    expect(values).toEqual([0, 64, 127, 128, 191, 255]);
  });

  it('softMask maps a whole plane', () => {
    const out = new Uint8Array(3);
    softMask(new Float32Array([0, 0.6, 1]), 0.6, 0.1, out);
    expect(Array.from(out)).toEqual([0, 128, 255]);
  });
});

describe('boxMean', () => {
  it('equals a brute-force mean over the window clipped to the picture', () => {
    const width = 7;
    const height = 5;
    const src = Float32Array.from({ length: width * height }, (_, i) => (i * 37) % 11);
    const out = new Float32Array(src.length);
    boxMean(src, width, height, 2, out, new Float32Array(src.length));
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let sum = 0;
        let count = 0;
        for (let v = Math.max(0, y - 2); v <= Math.min(height - 1, y + 2); v++) {
          for (let u = Math.max(0, x - 2); u <= Math.min(width - 1, x + 2); u++) {
            sum += src[v * width + u];
            count++;
          }
        }
        expect(out[y * width + x]).toBeCloseTo(sum / count, 4);
      }
    }
  });
});

describe('enlargedSoftMask', () => {
  // A 16-wide probability row rising from 0 to 1 across columns 4..12, to be enlarged 4x to 64 columns.
  const low = 16;
  const size = 64;
  const ramp = Float32Array.from({ length: low * low }, (_, i) => Math.min(1, Math.max(0, ((i % low) - 4) / 8)));
  const prob = new cv.Mat(Buffer.from(ramp.buffer), low, low, cv.CV_32FC1);
  const row = (mask: InstanceType<typeof cv.Mat>) => Array.from(mask.getRegion(new cv.Rect(0, 20, size, 1)).copy().getData());
  // Where bilinear enlargement (half-pixel centres) puts the probability `p` of this ramp, in output columns.
  const columnOf = (p: number) => (4 + 8 * p + 0.5) * 4 - 0.5;

  it('puts the edge where the enlarged probability crosses the threshold, between grid pixels', () => {
    for (const threshold of [0.35, 0.5, 0.6]) {
      const mask = enlargedSoftMask(prob, size, size, threshold, 0.1);
      expect([mask.cols, mask.rows, mask.type]).toEqual([size, size, cv.CV_8UC1]);
      const values = row(mask);
      for (let x = 1; x < size; x++) expect(values[x]).toBeGreaterThanOrEqual(values[x - 1]);
      // The first column at or past the crossing is the first one at 128 or more.
      expect(values.findIndex((v) => v >= 128)).toBe(Math.ceil(columnOf(threshold)));
      // The ramp is 0.1 of probability wide: 0.8 grid pixels here, about 3 output pixels.
      expect(values.filter((v) => v > 0 && v < 255).length).toBeLessThanOrEqual(4);
    }
  });

  it('gives a hard edge without softness, at the same place', () => {
    const values = row(enlargedSoftMask(prob, size, size, 0.35, 0));
    expect(new Set(values)).toEqual(new Set([0, 255]));
    expect(values.findIndex((v) => v === 255)).toBe(Math.ceil(columnOf(0.35)));
  });

  it('grows the person by whole pixels after the ramp, flat areas beside it staying out', () => {
    const grown = row(enlargedSoftMask(prob, size, size, 0.5, 0, 2));
    expect(grown.findIndex((v) => v === 255)).toBe(Math.ceil(columnOf(0.5)) - 2);
    // A plateau of 0.4 beside a person (0.9): at 0.5 plus 2 pixels of growth only 2 columns of it join the person,
    // where a threshold of 0.35 takes all of it.
    const plateau = Float32Array.from({ length: low * low }, (_, i) => (i % low < 8 ? 0.4 : 0.9));
    const plane = new cv.Mat(Buffer.from(plateau.buffer), low, low, cv.CV_32FC1);
    const person = (values: number[]) => values.filter((v) => v >= 128).length;
    const atHalf = person(row(enlargedSoftMask(plane, size, size, 0.5, 0)));
    expect(person(row(enlargedSoftMask(plane, size, size, 0.5, 0, 2)))).toBe(atHalf + 2);
    expect(person(row(enlargedSoftMask(plane, size, size, 0.35, 0)))).toBe(size);
  });

  it('ramps a plane already at the size without enlarging it', () => {
    const values = row(enlargedSoftMask(prob, low, low, 0.5, 0.1).resize(size, size, 0, 0, cv.INTER_NEAREST));
    expect(values.findIndex((v) => v >= 128)).toBe(8 * 4);
  });
});
