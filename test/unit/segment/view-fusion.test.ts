import { describe, expect, it } from 'vitest';
import { ViewFusion } from '../../../src/segment/view-fusion.js';

const WIDTH = 8;
const HEIGHT = 4;

function plane(value: number | ((i: number) => number)): Float32Array {
  return Float32Array.from({ length: WIDTH * HEIGHT }, (_, i) => (typeof value === 'number' ? value : value(i)));
}

describe('ViewFusion', () => {
  it('averages the views of a still scene, as the photo mode averages its views', () => {
    const fusion = new ViewFusion(WIDTH, HEIGHT, 3);
    const brightness = plane(0.5);
    fusion.add(0, plane(0.3), brightness);
    fusion.add(1, plane(0.6), brightness);
    const fused = fusion.add(2, plane(0.9), brightness);
    expect(fused[0]).toBeCloseTo(0.6, 5);
    // the next cycle replaces view 0's old result
    expect(fusion.add(0, plane(0.0), brightness)[5]).toBeCloseTo(0.5, 5);
  });

  it('takes only the newest view where the picture changed since the others ran', () => {
    const fusion = new ViewFusion(WIDTH, HEIGHT, 2);
    const scene = (i: number) => 0.4 + 0.02 * (i % 5);
    fusion.add(0, plane(0.9), plane(scene));
    // the left half now shows something else (someone moved in front of it)
    const moved = plane((i) => (i % WIDTH < WIDTH / 2 ? 0.9 : scene(i)));
    const fused = fusion.add(1, plane(0.1), moved);
    expect(fused[0]).toBeCloseTo(0.1, 3);
    expect(fused[WIDTH - 1]).toBeCloseTo(0.5, 5);
  });

  it('keeps averaging through a slow exposure change', () => {
    const fusion = new ViewFusion(WIDTH, HEIGHT, 2);
    fusion.add(0, plane(0.8), plane((i) => 0.3 + 0.01 * i));
    // 10 % brighter everywhere: a gain, not a change of scene
    const fused = fusion.add(1, plane(0.4), plane((i) => 1.1 * (0.3 + 0.01 * i)));
    expect(fused[3]).toBeCloseTo(0.6, 5);
  });

  it('forgets every view on reset', () => {
    const fusion = new ViewFusion(WIDTH, HEIGHT, 2);
    fusion.add(0, plane(0.7), plane(0.5));
    fusion.reset();
    expect(fusion.add(1, plane(0.4), plane(0.5))[9]).toBeCloseTo(0.4, 5);
  });
});
