import { describe, expect, it } from 'vitest';
import { compose, frameToInput, indexMatrix, scaleBetween, videoViewCycle } from '../../../src/segment/video-views.js';

const LANDSCAPE_INPUT = { width: 256, height: 144 };
const SQUARE_INPUT = { width: 256, height: 256 };

/** Where pixel index (x, y) goes under a 2x3 index matrix. */
function apply(matrix: number[][], x: number, y: number): [number, number] {
  return [matrix[0][0] * x + matrix[0][1] * y + matrix[0][2], matrix[1][0] * x + matrix[1][1] * y + matrix[1][2]];
}

describe('videoViewCycle', () => {
  it('mirrors and shifts a frame of the model\'s own shape, and adds letterboxed views for another shape', () => {
    const wide = videoViewCycle({ width: 640, height: 360 }, LANDSCAPE_INPUT);
    expect(wide.map((view) => [view.fit, view.flip, view.shiftX])).toEqual([
      ['stretch', false, 0],
      ['stretch', true, 0],
      ['stretch', false, 0.5],
      ['stretch', true, 0.5],
    ]);
    const tall = videoViewCycle({ width: 480, height: 640 }, SQUARE_INPUT);
    expect(tall.filter((view) => view.fit === 'pad')).toHaveLength(2);
  });
});

describe('frameToInput', () => {
  const frame = { width: 640, height: 360 };

  it('squeezes the frame onto the input with pixel centres lined up', () => {
    const matrix = indexMatrix(frameToInput({ fit: 'stretch', flip: false, shiftX: 0, shiftY: 0 }, frame, LANDSCAPE_INPUT));
    expect(apply(matrix, 0, 0)).toEqual([-0.3, -0.3]);
    expect(apply(matrix, 639, 359)[0]).toBeCloseTo(255.3, 5);
  });

  it('mirrors left and right', () => {
    const matrix = indexMatrix(frameToInput({ fit: 'stretch', flip: true, shiftX: 0, shiftY: 0 }, frame, LANDSCAPE_INPUT));
    expect(apply(matrix, 0, 0)[0]).toBeCloseTo(255.3, 5);
    expect(apply(matrix, 639, 0)[0]).toBeCloseTo(-0.3, 5);
  });

  it('letterboxes a tall frame into the middle of a square input', () => {
    const tall = { width: 480, height: 640 };
    const map = frameToInput({ fit: 'pad', flip: false, shiftX: 0, shiftY: 0 }, tall, SQUARE_INPUT);
    expect(map.scaleX).toBeCloseTo(map.scaleY, 2);
    expect(map.offsetX).toBe(32);
    expect(map.offsetY).toBe(0);
  });

  it('lays a shifted view back onto the grid half a pixel off, and the plain view exactly', () => {
    const grid = LANDSCAPE_INPUT;
    const toGrid = (shift: number) =>
      indexMatrix(compose(compose(scaleBetween(grid, frame), frameToInput({ fit: 'stretch', flip: false, shiftX: shift, shiftY: shift }, frame, grid)), scaleBetween(grid, grid)));
    expect(apply(toGrid(0), 10, 20)).toEqual([10, 20]);
    expect(apply(toGrid(0.5), 10, 20)).toEqual([10.5, 20.5]);
  });
});
