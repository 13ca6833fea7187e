import { describe, expect, it } from 'vitest';
import { DetailTiles, tileLayout } from '../../../src/segment/detail-tiles.js';
import { FrameSchedule } from '../../../src/segment/video-views.js';

const GRID = { width: 64, height: 36 };
const PIXELS = GRID.width * GRID.height;
const THRESHOLD = 0.45;
/** The threshold as a Float32Array holds it. */
const STORED = Math.fround(THRESHOLD);

/** A plane of `value` everywhere, or of `at(x, y)`. */
function plane(at: number | ((x: number, y: number) => number)): Float32Array {
  return Float32Array.from({ length: PIXELS }, (_, i) => (typeof at === 'number' ? at : at(i % GRID.width, Math.floor(i / GRID.width))));
}

/** The model's output for a tile (the grid's size, covering the tile): `at(x, y)` in the tile's own grid pixels. */
function tileOutput(at: (x: number, y: number) => number): Float32Array {
  // The output has twice the tile's pixels each way: output pixel (u, v) lies on tile pixel (u / 2, v / 2).
  return plane((u, v) => at(Math.floor(u / 2), Math.floor(v / 2)));
}

describe('tileLayout', () => {
  it('lays nine half-size tiles a quarter of the grid apart, covering all of it', () => {
    const rects = tileLayout(GRID);
    expect(rects).toHaveLength(9);
    expect(rects.map(({ x, y }) => [x, y])).toEqual([0, 9, 18].flatMap((y) => [0, 16, 32].map((x) => [x, y])));
    const covered = new Set<number>();
    for (const { x, y, width, height } of rects) {
      expect([width, height]).toEqual([32, 18]);
      for (let v = y; v < y + height; v++) for (let u = x; u < x + width; u++) covered.add(v * GRID.width + u);
    }
    expect(covered.size).toBe(PIXELS);
  });
});

describe('DetailTiles', () => {
  it('mixes a tile in only where the whole views are unsure, inside the tile, most at the threshold', () => {
    const tiles = new DetailTiles(GRID, { threshold: THRESHOLD });
    const brightness = plane(0.5);
    // The top-left tile says "person" everywhere it looks.
    tiles.add(0, tileOutput(() => 1), GRID, brightness);
    // Unsure (at the threshold) on the left half, sure on the right; a little unsure at 0.6.
    const prob = plane((x) => (x < 32 ? THRESHOLD : x < 48 ? 0.95 : 0.6));
    tiles.apply(prob, brightness);
    const at = (x: number, y: number) => prob[y * GRID.width + x];
    // Well inside the tile (past its fading border): half the tile's say at the threshold.
    expect(at(12, 8)).toBeCloseTo(0.5 * THRESHOLD + 0.5, 5);
    // Near the tile's border it fades in: less than inside, more than nothing.
    expect(at(0, 8)).toBeGreaterThan(THRESHOLD);
    expect(at(0, 8)).toBeLessThan(at(12, 8));
    // Outside the tile, and where the whole views are sure, nothing changes.
    expect(at(12, 30)).toBe(STORED);
    expect(at(40, 8)).toBeCloseTo(0.95, 6);
  });

  it("drops a tile where the picture no longer looks as it did when the tile ran (someone moved)", () => {
    const tiles = new DetailTiles(GRID, { threshold: THRESHOLD });
    tiles.add(4, tileOutput(() => 1), GRID, plane(0.5));
    const prob = plane(THRESHOLD);
    // Brighter by 0.1 on the left half of the grid (more than the match limit), as before on the right.
    tiles.apply(prob, plane((x) => (x < 32 ? 0.6 : 0.5)));
    expect(prob[18 * GRID.width + 28]).toBe(STORED);
    expect(prob[18 * GRID.width + 40]).toBeGreaterThan(0.6);
  });

  it('reads a tile where the camera has carried it since it ran', () => {
    const tiles = new DetailTiles(GRID, { threshold: THRESHOLD });
    // The centre tile (x 16..47) sees the person from its own column 16 (grid column 32) rightwards.
    const [, , , , centre] = tileLayout(GRID);
    tiles.add(4, tileOutput((x) => (x >= 16 ? 1 : 0)), GRID, plane(0.5));
    // The camera turns: what was at grid column x + 4 is now at column x (grid-motion.ts: c = 4).
    tiles.follow(Float64Array.of(0, 0, 4, 0, 0, 0));
    const prob = plane(THRESHOLD);
    tiles.apply(prob, plane(0.5));
    const row = 18 * GRID.width;
    // The edge moved 4 columns left with the picture: person from column 28, background before it.
    expect(prob[row + 29]).toBeGreaterThan(THRESHOLD + 0.2);
    expect(prob[row + 26]).toBeLessThan(THRESHOLD - 0.1);
    expect(centre.x + 16 - 4).toBe(28);
  });

  it('forgets its tiles on reset', () => {
    const tiles = new DetailTiles(GRID, { threshold: THRESHOLD });
    tiles.add(0, tileOutput(() => 1), GRID, plane(0.5));
    expect(tiles.empty).toBe(false);
    tiles.reset();
    expect(tiles.empty).toBe(true);
    const prob = plane(THRESHOLD);
    tiles.apply(prob, plane(0.5));
    expect(prob.every((value) => value === STORED)).toBe(true);
  });
});

describe('FrameSchedule', () => {
  it('runs every view first, then the whole views and the tiles in turn, and starts over on restart', () => {
    const schedule = new FrameSchedule(2, 3);
    const plans = Array.from({ length: 9 }, () => schedule.take());
    expect(plans).toEqual([
      { kind: 'all' },
      { kind: 'whole', view: 0 },
      { kind: 'tile', index: 0 },
      { kind: 'whole', view: 1 },
      { kind: 'tile', index: 1 },
      { kind: 'whole', view: 0 },
      { kind: 'tile', index: 2 },
      { kind: 'whole', view: 1 },
      { kind: 'tile', index: 0 },
    ]);
    schedule.restart();
    expect(schedule.take()).toEqual({ kind: 'all' });
    const wholeOnly = new FrameSchedule(1, 0);
    expect([wholeOnly.take(), wholeOnly.take(), wholeOnly.take()]).toEqual([{ kind: 'all' }, { kind: 'whole', view: 0 }, { kind: 'whole', view: 0 }]);
  });
});
