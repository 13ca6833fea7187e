import { describe, expect, it } from 'vitest';
import { blendEdges } from '../../../src/composite/blend-edges.js';

/** A BGRA buffer holding `bgr` at every pixel. */
function filled(pixels: number, bgr: [number, number, number]): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) out.set([...bgr, 255], i * 4);
  return out;
}

describe('blendEdges', () => {
  it('mixes the person into the soft edge and leaves the solid areas as they are', () => {
    // Five pixels: background, person (already laid down), and three edge levels; the last one falls outside the
    // four-pixel words, so the tail loop is exercised too.
    const out = filled(5, [90, 80, 70]);
    out.set([10, 20, 30, 255], 4);
    const foreground = Uint8Array.from([1, 2, 3, 10, 20, 30, 200, 100, 0, 255, 255, 255, 0, 0, 0]);
    const mask = Uint8Array.from([0, 255, 128, 51, 102]);
    blendEdges(out, foreground, mask);
    expect([...out]).toEqual([90, 80, 70, 255, 10, 20, 30, 255, 145, 90, 35, 255, 123, 115, 107, 255, 54, 48, 42, 255]);
  });

  it('stays within 1 of the exact blend for every mask level', () => {
    const levels = 256;
    const out = filled(levels, [3, 3, 3]);
    const foreground = new Uint8Array(levels * 3).fill(250);
    const mask = Uint8Array.from({ length: levels }, (_, i) => i);
    blendEdges(out, foreground, mask);
    for (let i = 1; i < levels - 1; i++) {
      const exact = (250 * i + 3 * (255 - i)) / 255;
      expect(Math.abs(out[i * 4] - exact)).toBeLessThanOrEqual(1);
    }
  });

  it('handles a mask that does not start on a 4-byte boundary', () => {
    const backing = new Uint8Array(9);
    const mask = backing.subarray(1, 9).fill(128);
    const out = filled(8, [0, 0, 0]);
    blendEdges(out, new Uint8Array(24).fill(200), mask);
    expect(out[0]).toBe(100);
    expect(out[7 * 4 + 2]).toBe(100);
  });

  it('refuses buffers that do not match the mask', () => {
    expect(() => blendEdges(new Uint8Array(12), new Uint8Array(6), new Uint8Array(3))).toThrow(RangeError);
  });
});
