import { describe, expect, it } from 'vitest';
import { samePadding } from '../../../src/convert/same-padding.js';

describe('samePadding', () => {
  it.each([
    // input, kernel, stride, dilation -> begin, end, output
    [256, 3, 2, 1, 0, 1, 128], // the models' first conv: the odd pixel goes at the end
    [144, 3, 2, 1, 0, 1, 72],
    [32, 5, 2, 1, 1, 2, 16],
    [18, 5, 2, 1, 1, 2, 9],
    [16, 3, 1, 1, 1, 1, 16],
    [9, 5, 1, 1, 2, 2, 9],
    [7, 3, 2, 1, 1, 1, 4],
    [10, 3, 1, 2, 2, 2, 10],
    [64, 1, 1, 1, 0, 0, 64],
    [8, 1, 2, 1, 0, 0, 4], // kernel smaller than stride: nothing to pad
  ])('input %i, kernel %i, stride %i, dilation %i: pads %i + %i, output %i', (input, kernel, stride, dilation, begin, end, output) => {
    expect(samePadding(input, kernel, stride, dilation)).toEqual({ begin, end, outputSize: output });
  });

  it('keeps the output size a convolution with those pads gives', () => {
    for (let input = 1; input <= 40; input++) {
      for (const kernel of [1, 2, 3, 5, 7]) {
        for (const stride of [1, 2, 3]) {
          const { begin, end, outputSize } = samePadding(input, kernel, stride);
          expect(Math.floor((input + begin + end - kernel) / stride) + 1).toBe(outputSize);
          expect(end - begin === 0 || end - begin === 1).toBe(true);
        }
      }
    }
  });
});
