import { describe, expect, it } from 'vitest';
import { tileLayout } from '../../../src/segment/detail-tiles.js';
import { brightnessOf, detailTiles, LiveGrid, type VideoViews, wholeViews } from '../../../src/segment/live-grid.js';
import { type FramePlan, FrameSchedule, ViewRunner } from '../../../src/segment/video-views.js';

const WIDTH = 64;
const HEIGHT = 36;
const SIZE = { width: WIDTH, height: HEIGHT };

/**
 * A scene panning right by one pixel a frame: stripes on the left for the motion to be seen, flat grey on the right,
 * and a person (a disc) on the grey whose colour is as bright as the grey: where person and background look alike
 * in brightness, only the camera's motion can tell an earlier view's edge from today's.
 */
function scene(t: number): { frame: SceneFrame; person: (x: number, y: number) => boolean } {
  const person = (x: number, y: number) => Math.hypot(x - t - 40, y - 18) < 9;
  const small = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = y * WIDTH + x;
      const stripes = x - t < 24 ? Math.round(128 + 60 * Math.sin((x - t) / 1.5) * Math.cos(y / 2)) : 128;
      // BGR; the person's colour has the grey's brightness (0.114 B + 0.587 G + 0.299 R = 128, brightnessOf gives 128 / 255).
      const [b, g, r] = person(x, y) ? [140, 105, 167] : [stripes, stripes, stripes];
      small.set([b, g, r], i * 3);
    }
  }
  return { frame: { small, colours: small }, person };
}

/** A frame of the scene: its picture at the model's input size (here the grid's), and its colours on the grid. */
interface SceneFrame {
  small: Uint8Array;
  colours: Uint8Array;
}

/**
 * The grid work as the segmenter does it: the model run on the views `plan` looks at (ViewRunner; a tile's input
 * is the tile enlarged to the input size, here the grid's: each tile pixel twice, nearest), then the grid work.
 */
class GridUnderTest {
  readonly grid: LiveGrid;
  private readonly runner: ViewRunner;
  private readonly views: Float32Array;

  constructor(views: VideoViews) {
    const cycle = wholeViews(views);
    const tiles = detailTiles(views, SIZE).length;
    this.grid = new LiveGrid(SIZE, views, 0.45);
    this.runner = new ViewRunner(SIZE, SIZE, cycle, tiles);
    this.views = new Float32Array((cycle.length + tiles) * WIDTH * HEIGHT);
  }

  /** The frame's probability (a copy) and how many inferences it took. */
  async frame(frame: SceneFrame, plan: FramePlan): Promise<{ prob: Float32Array; inferences: number }> {
    const inferences = await this.runner.run(plan, frame.small, (index) => tileOf(frame.small, index), runModel, this.views);
    const prob = this.grid.frame({ views: this.views, colours: frame.colours }, plan);
    return { prob: Float32Array.from(prob), inferences };
  }
}

function tileOf(small: Uint8Array, index: number): Uint8Array {
  const { x, y, width, height } = tileLayout(SIZE)[index];
  const out = new Uint8Array(WIDTH * HEIGHT * 3);
  for (let v = 0; v < HEIGHT; v++) {
    for (let u = 0; u < WIDTH; u++) {
      const from = ((y + Math.floor((v * height) / HEIGHT)) * WIDTH + x + Math.floor((u * width) / WIDTH)) * 3;
      out.set(small.subarray(from, from + 3), (v * WIDTH + u) * 3);
    }
  }
  return out;
}

/** A model that knows the person by colour: the same for a view and its mirror image, as a good model would be. */
async function runModel(bgr: Uint8Array): Promise<Float32Array> {
  return Float32Array.from({ length: WIDTH * HEIGHT }, (_, i) => (bgr[i * 3 + 2] > 150 && bgr[i * 3 + 1] < 130 ? 1 : 0));
}

describe('LiveGrid', () => {
  it("keeps the person's edge sharp while the camera pans, carrying the earlier view along with the picture", async () => {
    const grid = new GridUnderTest('cycle');
    const schedule = new FrameSchedule(2, detailTiles('cycle', SIZE).length);
    let last: { prob: Float32Array; person: (x: number, y: number) => boolean } | undefined;
    // Whole frames and tiles in turn, as the segmenter runs them.
    for (let t = 0; t < 8; t++) {
      const { frame, person } = scene(t);
      const { prob } = await grid.frame(frame, schedule.take());
      last = { prob, person };
    }
    const { prob, person } = last as NonNullable<typeof last>;
    // Along the row through the disc's centre the edge stays sharp (within 0.05 here): without following the
    // motion, the earlier view, a pixel behind, counts where both look alike and smears the edge over 7 pixels
    // (errors up to 0.3).
    for (let x = 0; x < WIDTH; x++) expect(Math.abs(prob[18 * WIDTH + x] - (person(x, 18) ? 1 : 0))).toBeLessThan(0.1);
  });

  it('runs one view a frame after the first, which runs them all, the detail tiles too', async () => {
    const grid = new GridUnderTest('cycle');
    const tiles = detailTiles('cycle', SIZE).length;
    expect(tiles).toBe(9);
    const { frame } = scene(0);
    const run = (plan: FramePlan) => grid.frame(frame, plan);
    expect((await run({ kind: 'all' })).inferences).toBe(2 + tiles);
    expect((await run({ kind: 'whole', view: 1 })).inferences).toBe(1);
    expect((await run({ kind: 'tile', index: 4 })).inferences).toBe(1);
    // 'all' starts over.
    expect((await run({ kind: 'all' })).inferences).toBe(2 + tiles);
    await expect(run({ kind: 'whole', view: 2 })).rejects.toThrow(/no whole view 2/);
    grid.grid.reset();
    await expect(run({ kind: 'whole', view: 0 })).rejects.toThrow(/before the first/);
  });

  it('a mirrored view is turned back onto the grid: the same probability as the plain view for a symmetric model', async () => {
    const grid = new GridUnderTest('whole');
    const { frame, person } = scene(0);
    await grid.frame(frame, { kind: 'all' });
    // Ten frames of the mirrored view alone would move the fusion towards a mirrored disc if it were not turned back.
    let prob: Float32Array = new Float32Array(0);
    for (let i = 0; i < 10; i++) prob = (await grid.frame(frame, { kind: 'whole', view: 1 })).prob;
    let wrong = 0;
    for (let y = 0; y < HEIGHT; y++) for (let x = 0; x < WIDTH; x++) if (prob[y * WIDTH + x] > 0.5 !== person(x, y)) wrong++;
    expect(wrong).toBe(0);
  });

  it('without the tiles, runs the whole views only', async () => {
    const grid = new GridUnderTest('whole');
    expect(detailTiles('whole', SIZE)).toHaveLength(0);
    expect((await grid.frame(scene(0).frame, { kind: 'all' })).inferences).toBe(2);
    await expect(grid.frame(scene(0).frame, { kind: 'tile', index: 0 })).rejects.toThrow(/no tiles/);
  });
});

describe('brightnessOf', () => {
  it("gives OpenCV's grey levels over 255, to the last bit", async () => {
    const { cv } = await import('../../../src/opencv.js');
    const bytes = Buffer.alloc(64 * 36 * 3);
    // Every byte value in every channel, and then some.
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919 + (i >> 3)) % 256;
    const expected = new cv.Mat(bytes, 36, 64, cv.CV_8UC3).cvtColor(cv.COLOR_BGR2GRAY).convertTo(cv.CV_32F, 1 / 255).getData();
    const out = new Float32Array(64 * 36);
    brightnessOf(new Uint8Array(bytes), out);
    expect(Buffer.from(out.buffer)).toEqual(expected);
  });
});
