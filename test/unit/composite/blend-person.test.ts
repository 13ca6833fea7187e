import { describe, expect, it } from 'vitest';
import { blendPerson as javascriptBlend } from '../../../src/composite/blend-person.js';
import { nativePixels } from '../../../src/native/native-pixels.js';

type Blend = typeof javascriptBlend;
/** The JavaScript blend and the native one (where built: always on CI) answer to the same tests. */
const BLENDS: Array<[string, Blend]> = [['JavaScript', javascriptBlend], ...(nativePixels.pixels ? [['native', nativePixels.pixels.blendPerson] as [string, Blend]] : [])];

/** A BGRA buffer holding `bgr` at every pixel. */
function filled(pixels: number, bgr: [number, number, number]): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) out.set([...bgr, 255], i * 4);
  return out;
}

describe.each(BLENDS)('blendPerson (%s)', (_, blendPerson) => {
  it('copies the person, mixes the soft edge and leaves the background as it is', () => {
    // Five pixels: background, person, and three edge levels; the last one falls outside the four-pixel words, so
    // the tail loop is exercised too.
    const out = filled(5, [90, 80, 70]);
    const foreground = Uint8Array.from([1, 2, 3, 255, 10, 20, 30, 255, 200, 100, 0, 255, 255, 255, 255, 255, 0, 0, 0, 255]);
    const mask = Uint8Array.from([0, 255, 128, 51, 102]);
    blendPerson(out, foreground, mask);
    expect([...out]).toEqual([90, 80, 70, 255, 10, 20, 30, 255, 145, 90, 35, 255, 123, 115, 107, 255, 54, 48, 42, 255]);
  });

  it('copies whole words of person pixels, the same on buffers that are not 4-byte aligned', () => {
    // 4 background, 10 person (two whole words and part of a third), 3 edge, 3 background: 20 pixels.
    const levels = [0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 40, 128, 250, 0, 0, 0];
    const pixels = levels.length;
    const foreground = Uint8Array.from({ length: pixels * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));
    const aligned = filled(pixels, [5, 6, 7]);
    blendPerson(aligned, foreground, Uint8Array.from(levels));
    for (let i = 0; i < pixels; i++) {
      const pixel = [...aligned.subarray(i * 4, i * 4 + 4)];
      if (levels[i] === 255) expect(pixel).toEqual([...foreground.subarray(i * 4, i * 4 + 4)]);
      if (levels[i] === 0) expect(pixel).toEqual([5, 6, 7, 255]);
    }
    // Each buffer one byte into a larger one: the pixel-by-pixel path.
    const shifted = (data: Uint8Array) => {
      const backing = new Uint8Array(data.length + 1);
      backing.set(data, 1);
      return backing.subarray(1);
    };
    const out = shifted(filled(pixels, [5, 6, 7]));
    blendPerson(out, shifted(foreground), shifted(Uint8Array.from(levels)));
    expect([...out]).toEqual([...aligned]);
  });

  it('copies a run of person words that reaches the last whole word, and the pixels after it', () => {
    // 13 pixels: three whole person words (one run up to the end of the words) and a tail pixel.
    const pixels = 13;
    const foreground = Uint8Array.from({ length: pixels * 4 }, (_, i) => (i * 11) % 256);
    const out = filled(pixels, [5, 6, 7]);
    blendPerson(out, foreground, new Uint8Array(pixels).fill(255));
    expect([...out]).toEqual([...foreground]);
  });

  it('stays within 1 of the exact blend for every mask level', () => {
    const levels = 256;
    const out = filled(levels, [3, 3, 3]);
    const foreground = new Uint8Array(levels * 4).fill(250);
    const mask = Uint8Array.from({ length: levels }, (_, i) => i);
    blendPerson(out, foreground, mask);
    for (let i = 1; i < levels - 1; i++) {
      const exact = (250 * i + 3 * (255 - i)) / 255;
      expect(Math.abs(out[i * 4] - exact)).toBeLessThanOrEqual(1);
    }
  });

  it('handles a mask that does not start on a 4-byte boundary', () => {
    const backing = new Uint8Array(9);
    const mask = backing.subarray(1, 9).fill(128);
    const out = filled(8, [0, 0, 0]);
    blendPerson(out, new Uint8Array(32).fill(200), mask);
    expect(out[0]).toBe(100);
    expect(out[7 * 4 + 2]).toBe(100);
  });

  it('refuses buffers that do not match the mask', () => {
    expect(() => blendPerson(new Uint8Array(12), new Uint8Array(8), new Uint8Array(3))).toThrow(RangeError);
  });
});
