import { describe, expect, it } from 'vitest';
import { decodeOutput } from '../../../src/segment/postprocess/decode-output.js';
import { cv } from '../../../src/opencv.js';
import { boxMean } from '../../../src/segment/postprocess/box-mean.js';
import { GuidedRefiner } from '../../../src/segment/postprocess/guided-refiner.js';
import { softMask, softMaskValue } from '../../../src/segment/postprocess/soft-mask.js';

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

describe('GuidedRefiner', () => {
  // A 64x64 picture, dark left of column 37 and bright from it; a 16x16 model output whose edge is blurred
  // over several of its pixels and sits at the wrong place (column 7.5 of 16 = picture column 32).
  const size = 64;
  const low = 16;
  const guideFull = new cv.Mat(size, size, cv.CV_8UC1, 30);
  guideFull.getRegion(new cv.Rect(37, 0, size - 37, size)).setTo(220);
  const guideLow = guideFull.resize(low, low, 0, 0, cv.INTER_AREA).convertTo(cv.CV_32F, 1 / 255);
  const ramp = Float32Array.from({ length: low * low }, (_, i) => 1 / (1 + Math.exp(-((i % low) - 7.5) / 1.2)));
  const prob = new cv.Mat(Buffer.from(ramp.buffer), low, low, cv.CV_32FC1);
  const row = (mask: InstanceType<typeof cv.Mat>) => Array.from(mask.getRegion(new cv.Rect(0, 20, size, 1)).copy().getData());

  it("moves a blurred edge onto the picture's edge and makes it sharp", () => {
    const mask = new GuidedRefiner({ radius: 2, eps: 2e-4 }).refine(guideLow, prob, guideFull, 0.5, 0.1);
    expect([mask.cols, mask.rows, mask.type]).toEqual([size, size, cv.CV_8UC1]);
    const values = row(mask);
    expect(Math.max(...values.slice(0, 37))).toBeLessThan(128);
    expect(Math.min(...values.slice(37))).toBeGreaterThanOrEqual(128);
    expect(values.filter((v) => v > 10 && v < 245).length).toBeLessThanOrEqual(1);
    // bilinear upscaling of the same output leaves the edge where the model put it, five pixels off
    const bilinear = row(prob.resize(size, size, 0, 0, cv.INTER_LINEAR).convertTo(cv.CV_8U, 255 / 0.1, (-0.45 * 255) / 0.1));
    expect(bilinear.findIndex((v) => v >= 128)).toBe(32);
  });

  it('leaves a flat picture with the smooth upscaled probability', () => {
    const flat = new cv.Mat(size, size, cv.CV_8UC1, 128);
    const mask = new GuidedRefiner({ radius: 2, eps: 2e-4 }).refine(new cv.Mat(low, low, cv.CV_32FC1, 128 / 255), prob, flat, 0.5, 0.5);
    const values = row(mask);
    for (let x = 1; x < size; x++) expect(values[x]).toBeGreaterThanOrEqual(values[x - 1]);
    const crossing = values.findIndex((v) => v >= 128);
    expect(crossing).toBe(32);
  });

  it('gives a hard edge without softness', () => {
    const mask = new GuidedRefiner({ radius: 2, eps: 2e-4 }).refine(guideLow, prob, guideFull, 0.5, 0);
    expect(new Set(mask.getData())).toEqual(new Set([0, 255]));
  });
});
