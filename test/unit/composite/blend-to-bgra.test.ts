import { describe, expect, it } from 'vitest';
import { blendToBgra } from '../../../src/composite/blend-to-bgra.js';

describe('blendToBgra', () => {
  it('takes the person where the mask is 255, the background where it is 0, and mixes in between', () => {
    const foreground = Uint8Array.from([10, 20, 30, 10, 20, 30, 200, 100, 0, 255, 255, 255]);
    const background = Uint8Array.from([90, 80, 70, 90, 80, 70, 0, 100, 200, 0, 0, 0]);
    const mask = Uint8Array.from([255, 0, 128, 51]);
    const out = new Uint8Array(16);
    blendToBgra(foreground, background, mask, out);
    expect([...out]).toEqual([10, 20, 30, 255, 90, 80, 70, 255, 100, 100, 100, 255, 51, 51, 51, 255]);
  });

  it('stays within 1 of the exact blend for every mask level', () => {
    const levels = 256;
    const foreground = new Uint8Array(levels * 3).fill(250);
    const background = new Uint8Array(levels * 3).fill(3);
    const mask = Uint8Array.from({ length: levels }, (_, i) => i);
    const out = new Uint8Array(levels * 4);
    blendToBgra(foreground, background, mask, out);
    for (let i = 0; i < levels; i++) {
      const exact = (250 * i + 3 * (255 - i)) / 255;
      expect(Math.abs(out[i * 4] - exact)).toBeLessThanOrEqual(1);
    }
  });

  it('refuses buffers that do not match the mask', () => {
    expect(() => blendToBgra(new Uint8Array(6), new Uint8Array(6), new Uint8Array(3), new Uint8Array(12))).toThrow(RangeError);
  });
});
