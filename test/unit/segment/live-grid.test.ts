import { describe, expect, it } from 'vitest';
import { tileLayout } from '../../../src/segment/detail-tiles.js';
import { detailTiles, type GridFrame, LiveGrid } from '../../../src/segment/live-grid.js';
import { type FramePlan, FrameSchedule } from '../../../src/segment/video-views.js';

const WIDTH = 64;
const HEIGHT = 36;
const SIZE = { width: WIDTH, height: HEIGHT };

/**
 * A scene panning right by one pixel a frame: stripes on the left for the motion to be seen, flat grey on the right,
 * and a person (a disc) on the grey whose colour is as bright as the grey: where person and background look alike
 * in brightness, only the camera's motion can tell an earlier view's edge from today's.
 */
function scene(t: number): { frame: GridFrame; person: (x: number, y: number) => boolean } {
  const person = (x: number, y: number) => Math.hypot(x - t - 40, y - 18) < 9;
  const small = new Uint8Array(WIDTH * HEIGHT * 3);
  const brightness = new Float32Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = y * WIDTH + x;
      const stripes = x - t < 24 ? Math.round(128 + 60 * Math.sin((x - t) / 1.5) * Math.cos(y / 2)) : 128;
      // BGR; the person's colour has the grey's brightness (0.114 B + 0.587 G + 0.299 R = 128).
      const [b, g, r] = person(x, y) ? [140, 112, 167] : [stripes, stripes, stripes];
      small.set([b, g, r], i * 3);
      brightness[i] = (0.114 * b + 0.587 * g + 0.299 * r) / 255;
    }
  }
  return { frame: { small, tiles: new Uint8Array(0), brightness, colours: small }, person };
}

/**
 * `frame` as the segmenter hands it over for `plan`: on a tile's frame the model's input is the tile, enlarged to the
 * input size (here the grid's: each tile pixel twice, nearest); on a frame that runs every view, every tile too.
 */
function planned(frame: GridFrame, plan: FramePlan): GridFrame {
  const rects = tileLayout(SIZE);
  const tile = (index: number) => {
    const { x, y, width, height } = rects[index];
    const out = new Uint8Array(WIDTH * HEIGHT * 3);
    for (let v = 0; v < HEIGHT; v++) {
      for (let u = 0; u < WIDTH; u++) {
        const from = ((y + Math.floor((v * height) / HEIGHT)) * WIDTH + x + Math.floor((u * width) / WIDTH)) * 3;
        out.set(frame.small.subarray(from, from + 3), (v * WIDTH + u) * 3);
      }
    }
    return out;
  };
  if (plan.kind === 'tile') return { ...frame, small: tile(plan.index) };
  if (plan.kind === 'all') {
    const tiles = new Uint8Array(rects.length * WIDTH * HEIGHT * 3);
    rects.forEach((_, index) => tiles.set(tile(index), index * WIDTH * HEIGHT * 3));
    return { ...frame, tiles };
  }
  return frame;
}

/** A model that knows the person by colour: the same for a view and its mirror image, as a good model would be. */
async function runModel(bgr: Uint8Array): Promise<Float32Array> {
  return Float32Array.from({ length: WIDTH * HEIGHT }, (_, i) => (bgr[i * 3 + 2] > 150 && bgr[i * 3 + 1] < 130 ? 1 : 0));
}

describe('LiveGrid', () => {
  it("keeps the person's edge sharp while the camera pans, carrying the earlier view along with the picture", async () => {
    const grid = new LiveGrid(SIZE, SIZE, 'cycle', 0.45);
    const schedule = new FrameSchedule(detailTiles('cycle', SIZE).length);
    let last: { prob: Float32Array; person: (x: number, y: number) => boolean } | undefined;
    // Whole frames and tiles in turn, as the segmenter runs them.
    for (let t = 0; t < 8; t++) {
      const { frame, person } = scene(t);
      const plan = schedule.take();
      const { prob } = await grid.frame(planned(frame, plan), plan, runModel);
      last = { prob: Float32Array.from(prob), person };
    }
    const { prob, person } = last as NonNullable<typeof last>;
    // Along the row through the disc's centre the edge stays sharp (within 0.05 here): without following the
    // motion, the earlier view, a pixel behind, counts where both look alike and smears the edge over 7 pixels
    // (errors up to 0.3).
    for (let x = 0; x < WIDTH; x++) expect(Math.abs(prob[18 * WIDTH + x] - (person(x, 18) ? 1 : 0))).toBeLessThan(0.1);
  });

  it('runs one view a frame after the first, which runs them all, the detail tiles too', async () => {
    const grid = new LiveGrid(SIZE, SIZE, 'cycle', 0.45);
    const tiles = detailTiles('cycle', SIZE).length;
    expect(tiles).toBe(9);
    const { frame } = scene(0);
    const run = (plan: FramePlan) => grid.frame(planned(frame, plan), plan, runModel);
    expect((await run({ kind: 'all' })).inferences).toBe(2 + tiles);
    expect((await run({ kind: 'whole' })).inferences).toBe(1);
    expect((await run({ kind: 'tile', index: 4 })).inferences).toBe(1);
    // 'all' starts over.
    expect((await run({ kind: 'all' })).inferences).toBe(2 + tiles);
    grid.reset();
    await expect(run({ kind: 'whole' })).rejects.toThrow(/before the first/);
  });

  it('without the tiles, runs the whole views only', async () => {
    const grid = new LiveGrid(SIZE, SIZE, 'whole', 0.45);
    expect(detailTiles('whole', SIZE)).toHaveLength(0);
    expect((await grid.frame(scene(0).frame, { kind: 'all' }, runModel)).inferences).toBe(2);
    await expect(grid.frame(scene(0).frame, { kind: 'tile', index: 0 }, runModel)).rejects.toThrow(/no tiles/);
  });
});
