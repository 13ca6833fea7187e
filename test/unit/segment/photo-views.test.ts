import { describe, expect, it } from 'vitest';
import { mergeNearBoundary, personBox, tileViews, ViewAccumulator, wholePhotoViews, zoomViews } from '../../../src/segment/photo-views.js';

describe('photo views', () => {
  it('looks at the whole photo squeezed and letterboxed, each also mirrored', () => {
    const views = wholePhotoViews({ width: 640, height: 480 });
    expect(views.map((view) => `${view.fit}${view.flip ? ' mirrored' : ''}`)).toEqual(['stretch', 'stretch mirrored', 'pad', 'pad mirrored']);
    for (const view of views) expect(view.rect).toEqual([0, 0, 640, 480]);
  });

  it('zooms on the people found, or not at all', () => {
    expect(zoomViews(null)).toEqual([]);
    expect(zoomViews([10, 20, 100, 200]).map((view) => [view.rect, view.fit, view.flip])).toEqual([
      [[10, 20, 100, 200], 'pad', false],
      [[10, 20, 100, 200], 'pad', true],
    ]);
  });

  it('tiles the photo with squares at two scales, a third of a side apart, inside it and covering every pixel', () => {
    const size = { width: 640, height: 480 };
    const views = tileViews(size);
    const covered = new Uint8Array(size.width * size.height);
    for (const { rect, fit } of views) {
      const [x, y, width, height] = rect;
      expect(fit).toBe('stretch');
      expect(width).toBe(height);
      expect(x >= 0 && y >= 0 && x + width <= size.width && y + height <= size.height).toBe(true);
      for (let v = y; v < y + height; v++) covered.fill(1, v * size.width + x, v * size.width + x + width);
    }
    expect(covered.every((value) => value === 1)).toBe(true);
    const sides = new Set(views.map((view) => view.rect[2]));
    expect([...sides].sort((a, b) => a - b)).toEqual([336, 480]);
    // 480-squares: 2 across; 336-squares: 4 across x 3 down; all mirrored too
    expect(views).toHaveLength(2 * (2 + 12));
    const across = [...new Set(views.filter((view) => view.rect[2] === 336).map((view) => view.rect[0]))];
    expect(across).toEqual([0, 101, 203, 304]);
  });

  it('makes no tiles too small for the model and spreads them out along a panorama', () => {
    expect(tileViews({ width: 500, height: 30 })).toHaveLength(0);
    expect(tileViews({ width: 500, height: 40 }).every((view) => view.rect[2] === 40)).toBe(true);
    const panorama = tileViews({ width: 8000, height: 400 });
    const starts = panorama.filter((view) => view.rect[2] === 400 && !view.flip).map((view) => view.rect[0]);
    expect(starts).toHaveLength(12);
    expect(starts[11]).toBe(7600);
  });

  it('boxes the pixels above the threshold with a margin, clipped to the photo', () => {
    const size = { width: 20, height: 10 };
    const prob = new Float32Array(200);
    for (let y = 2; y <= 5; y++) for (let x = 8; x <= 17; x++) prob[y * 20 + x] = 0.9;
    // 10x4 box grown by 15% (1.5 and 0.6 pixels) each side
    expect(personBox(prob, size, 0.5)).toEqual([7, 1, 13, 6]);
    expect(personBox(new Float32Array(200).fill(0.2), size, 0.5)).toBeNull();
  });
});

describe('ViewAccumulator', () => {
  it('averages views over the pixels each one covers', () => {
    const all = new ViewAccumulator({ width: 3, height: 2 });
    all.add([0, 0, 3, 2], new Float32Array([1, 1, 1, 1, 1, 1]));
    const part = new ViewAccumulator({ width: 3, height: 2 });
    part.add([1, 0, 2, 2], new Float32Array([0, 0, 0, 0]));
    part.addAll(all);
    expect(Array.from(part.mean())).toEqual([1, 0.5, 0.5, 1, 0.5, 0.5]);
  });

  it('feathers a view towards its edges inside the photo, not at the photo border', () => {
    const views = new ViewAccumulator({ width: 10, height: 1 });
    views.add([2, 0, 8, 1], new Float32Array(8).fill(1), 0.25);
    // ramp over 2 pixels from the inner (left) edge at x = 2; the right edge is the photo's
    expect(Array.from(views.count).map((w) => Math.round(w * 100) / 100)).toEqual([0, 0, 0.05, 0.5, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(views.mean().subarray(2))).toEqual(new Array(8).fill(1));
  });
});

describe('mergeNearBoundary', () => {
  it('takes the detailed views only in a band around the whole-photo boundary', () => {
    const size = { width: 60, height: 1 };
    const global = new Float32Array(60).map((_, x) => (x >= 30 ? 0.9 : 0.1));
    const detailed = new Float32Array(60).fill(0.55);
    const merged = mergeNearBoundary(global, detailed, size, 0.5, 1);
    // band: pixels with the edge (between 29 and 30) within 10 model pixels
    expect(Array.from(merged.subarray(20, 40)).every((value) => Math.abs(value - 0.55) < 1e-6)).toBe(true);
    expect(merged[19]).toBeCloseTo(0.1);
    expect(merged[40]).toBeCloseTo(0.9);
  });
});
