import { describe, expect, it } from 'vitest';
import { permuteTensor } from '../../../src/convert/permute-tensor.js';

/** A tensor whose every value spells its own index, e.g. value 1203 sits at [1][2][0][3]. */
function indexCoded(shape: number[]): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from({ length: count }, (_, flat) => {
    let code = 0;
    let rest = flat;
    let scale = 1;
    for (let axis = shape.length - 1; axis >= 0; axis--) {
      code += (rest % shape[axis]) * scale;
      rest = Math.floor(rest / shape[axis]);
      scale *= 10;
    }
    return code;
  });
}

function at(data: Float32Array, shape: number[], index: number[]): number {
  return data[index.reduce((flat, i, axis) => flat * shape[axis] + i, 0)];
}

describe('permuteTensor', () => {
  it('transposes a matrix', () => {
    const { data, shape } = permuteTensor(Float32Array.of(1, 2, 3, 4, 5, 6), [2, 3], [1, 0]);
    expect(shape).toEqual([3, 2]);
    expect(Array.from(data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('moves a conv filter from OHWI to OIHW', () => {
    const ohwi = [2, 3, 2, 4];
    const { data, shape } = permuteTensor(indexCoded(ohwi), ohwi, [0, 3, 1, 2]);
    expect(shape).toEqual([2, 4, 3, 2]);
    for (let o = 0; o < 2; o++)
      for (let i = 0; i < 4; i++)
        for (let h = 0; h < 3; h++)
          for (let w = 0; w < 2; w++) expect(at(data, shape, [o, i, h, w])).toBe(o * 1000 + h * 100 + w * 10 + i);
  });

  it('moves a depthwise filter from 1HW(C*M) to (C*M)1HW', () => {
    const { data, shape } = permuteTensor(indexCoded([1, 3, 3, 6]), [1, 3, 3, 6], [3, 0, 1, 2]);
    expect(shape).toEqual([6, 1, 3, 3]);
    for (let c = 0; c < 6; c++)
      for (let h = 0; h < 3; h++) for (let w = 0; w < 3; w++) expect(at(data, shape, [c, 0, h, w])).toBe(h * 100 + w * 10 + c);
  });

  it('moves a transposed-conv filter from OHWI to IOHW', () => {
    const { data, shape } = permuteTensor(indexCoded([1, 2, 2, 5]), [1, 2, 2, 5], [3, 0, 1, 2]);
    expect(shape).toEqual([5, 1, 2, 2]);
    for (let i = 0; i < 5; i++)
      for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) expect(at(data, shape, [i, 0, h, w])).toBe(h * 100 + w * 10 + i);
  });

  it('returns the data unchanged for the identity permutation, and a copy', () => {
    const source = indexCoded([2, 2, 2]);
    const { data } = permuteTensor(source, [2, 2, 2], [0, 1, 2]);
    expect(data).toEqual(source);
    expect(data).not.toBe(source);
  });

  it('refuses a bad permutation or a shape that does not match the data', () => {
    expect(() => permuteTensor(new Float32Array(6), [2, 3], [0, 0])).toThrow(/not a permutation/);
    expect(() => permuteTensor(new Float32Array(6), [2, 3], [1])).toThrow(/not a permutation/);
    expect(() => permuteTensor(new Float32Array(5), [2, 3], [1, 0])).toThrow(/holds 6 values/);
  });
});
