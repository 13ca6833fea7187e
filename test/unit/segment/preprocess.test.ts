import { describe, expect, it } from 'vitest';
import { fillModelInput, inputLookup, placeView, regionToOutput, type Affine, type View } from '../../../src/segment/preprocess.js';

const apply = (m: Affine, x: number, y: number) => [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
const input = { width: 256, height: 256 };

describe('placeView', () => {
  it('stretches a region over the whole input', () => {
    const view: View = { rect: [10, 20, 640, 360], fit: 'stretch', flip: false };
    expect(placeView(view, input)).toEqual({ view, content: { width: 256, height: 256 }, offsetX: 0, offsetY: 0 });
  });

  it('letterboxes a wide region with its aspect kept, centred', () => {
    const placement = placeView({ rect: [0, 0, 640, 360], fit: 'pad', flip: false }, input);
    expect(placement.content).toEqual({ width: 256, height: 144 });
    expect([placement.offsetX, placement.offsetY]).toEqual([0, 56]);
  });

  it('pillarboxes a tall region', () => {
    const placement = placeView({ rect: [0, 0, 300, 600], fit: 'pad', flip: false }, { width: 256, height: 144 });
    expect(placement.content).toEqual({ width: 72, height: 144 });
    expect(placement.offsetX).toBe(92);
  });
});

describe('regionToOutput', () => {
  it('maps the region edges onto the output edges when stretched (pixel centres aligned)', () => {
    const placement = placeView({ rect: [0, 0, 512, 1024], fit: 'stretch', flip: false }, input);
    const m = regionToOutput(placement, input, input);
    // continuous edges: x = -0.5 (left edge of pixel 0) maps to u = -0.5 and x = 511.5 to u = 255.5
    expect(apply(m, -0.5, -0.5)).toEqual([-0.5, -0.5]);
    expect(apply(m, 511.5, 1023.5)).toEqual([255.5, 255.5]);
  });

  it('lands a letterboxed region inside the band and mirrors it when flipped', () => {
    const view: View = { rect: [100, 50, 640, 360], fit: 'pad', flip: false };
    const placement = placeView(view, input);
    const m = regionToOutput(placement, input, input);
    const [left, top] = apply(m, -0.5, -0.5);
    const [right, bottom] = apply(m, 639.5, 359.5);
    expect([left, top, right, bottom]).toEqual([-0.5, 55.5, 255.5, 199.5]);
    const flipped = regionToOutput(placeView({ ...view, flip: true }, input), input, input);
    expect(apply(flipped, -0.5, -0.5)[0]).toBeCloseTo(255.5, 9);
    expect(apply(flipped, 639.5, 0)[0]).toBeCloseTo(-0.5, 9);
  });

  it('scales onto an output smaller than the input', () => {
    const placement = placeView({ rect: [0, 0, 512, 512], fit: 'stretch', flip: false }, input);
    const m = regionToOutput(placement, input, { width: 64, height: 64 });
    expect(apply(m, -0.5, -0.5)).toEqual([-0.5, -0.5]);
    expect(apply(m, 511.5, 511.5)).toEqual([63.5, 63.5]);
  });
});

describe('fillModelInput', () => {
  const bgr = new Uint8Array([10, 20, 30, 255, 128, 0]);

  it('writes planar RGB in 0..1 for rgb-unit', () => {
    const out = new Float32Array(6);
    fillModelInput(bgr, 2, inputLookup('rgb-unit'), out);
    expect(Array.from(out)).toEqual([30 / 255, 0, 20 / 255, 128 / 255, 10 / 255, 1].map(Math.fround));
  });

  it('normalises with the ImageNet mean and deviation for rgb-imagenet', () => {
    const out = new Float32Array(6);
    fillModelInput(bgr, 2, inputLookup('rgb-imagenet'), out);
    expect(out[0]).toBeCloseTo((30 / 255 - 0.485) / 0.229, 5);
    expect(out[3]).toBeCloseTo((128 / 255 - 0.456) / 0.224, 5);
    expect(out[5]).toBeCloseTo((1 - 0.406) / 0.225, 5);
  });
});
