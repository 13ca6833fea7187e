import { describe, expect, it } from 'vitest';
import { float16ToFloat32 } from '../../../src/convert/float16.js';

describe('float16ToFloat32', () => {
  it('widens normal, subnormal, zero, infinite and NaN half floats exactly', () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x3555, 0.333251953125],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x03ff, 1023 * 2 ** -24],
      [0x0001, 2 ** -24],
      [0x0000, 0],
      [0x8000, -0],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const widened = float16ToFloat32(Uint16Array.from(cases.map(([bits]) => bits)));
    expect(Array.from(widened)).toEqual(cases.map(([, value]) => value));
    expect(Object.is(widened[8], -0)).toBe(true);
    expect(float16ToFloat32(Uint16Array.of(0x7e00))[0]).toBeNaN();
  });

  it('agrees with float32 rounding for every finite half float', () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const widened = float16ToFloat32(all);
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00) continue;
      // Every half float is exactly representable in float32.
      expect(Math.fround(widened[bits])).toBe(widened[bits]);
    }
    // Consecutive positive half floats increase strictly.
    for (let bits = 1; bits < 0x7c00; bits++) expect(widened[bits]).toBeGreaterThan(widened[bits - 1]);
  });
});
