/**
 * The grid thread itself (src/segment/grid-thread.ts, the built grid-worker.js): frames asked for and answered
 * through shared words, the same answers as the grid work on this thread, on the quick path (answered within the
 * blocking wait) and on the slow one (answered on the event loop), and a clear refusal when the work fails or the
 * thread is gone.
 */
import { describe, expect, it } from 'vitest';
import { GridThread } from '../../src/segment/grid-thread.js';
import { detailTiles, LiveGrid, wholeViews } from '../../src/segment/live-grid.js';
import type { Size } from '../../src/segment/preprocess.js';

const THRESHOLD = 0.45;

/** Bit for bit, without the element-by-element comparison that takes seconds on half a million values. */
const sameBits = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

/** A frame on `grid`: every view sees a disc (a little further right in each), on a room with a gradient. */
function fillFrame(planes: { views: Float32Array; colours: Uint8Array }, grid: Size, shift: number): void {
  const { width, height } = grid;
  const pixels = width * height;
  const views = planes.views.length / pixels;
  for (let view = 0; view < views; view++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const distance = Math.hypot(x - width * 0.5 - shift - view, y - height * 0.55) / (height * 0.3);
        planes.views[view * pixels + y * width + x] = Math.min(1, Math.max(0, 1.5 - distance));
      }
    }
  }
  for (let i = 0; i < pixels; i++) planes.colours.set([(i * 7) % 256, (i >> 8) % 256, 90], i * 3);
}

async function withThread(grid: Size, work: (thread: GridThread, here: LiveGrid) => Promise<void>): Promise<void> {
  const maxViews = wholeViews('cycle').length + detailTiles('cycle', grid).length;
  const thread = await GridThread.start({ grid, views: 'cycle', threshold: THRESHOLD, maxViews });
  if (!thread) throw new Error('the grid thread did not start (is dist/ built?)');
  try {
    await work(thread, new LiveGrid(grid, 'cycle', THRESHOLD));
  } finally {
    await thread.close();
  }
}

describe('GridThread', () => {
  it('answers each frame with the grid work of this thread, to the bit', () =>
    withThread({ width: 256, height: 144 }, async (thread, here) => {
      const plans = [{ kind: 'all' }, { kind: 'whole', view: 1 }, { kind: 'tile', index: 3 }, { kind: 'whole', view: 0 }] as const;
      for (const [index, plan] of plans.entries()) {
        fillFrame(thread.planes, { width: 256, height: 144 }, index * 2);
        expect(thread.frame(plan)).toBe(true);
        await thread.answer();
        expect(thread.prob).toEqual(here.frame(thread.planes, plan));
      }
    }));

  it('answers a frame slower than its blocking wait on the event loop, with the same result', () =>
    // A grid this large takes tens of milliseconds for a frame that runs every view.
    withThread({ width: 1024, height: 576 }, async (thread, here) => {
      fillFrame(thread.planes, { width: 1024, height: 576 }, 0);
      thread.frame({ kind: 'all' });
      await thread.answer();
      expect(sameBits(thread.prob, here.frame(thread.planes, { kind: 'all' }))).toBe(true);
      thread.frame({ kind: 'whole', view: 1 });
      await thread.answer();
      expect(sameBits(thread.prob, here.frame(thread.planes, { kind: 'whole', view: 1 }))).toBe(true);
    }));

  it('refuses the answer when the work failed, and one frame at a time', () =>
    withThread({ width: 64, height: 36 }, async (thread) => {
      // The grid work refuses a tile before the first frame, which runs every view.
      expect(thread.frame({ kind: 'tile', index: 0 })).toBe(true);
      expect(() => thread.frame({ kind: 'all' })).toThrow(/previous frame has not been answered/);
      await expect(thread.answer()).rejects.toThrow(/failed on the frame/);
      await expect(thread.answer()).rejects.toThrow(/no frame was asked for/);
    }));

  it('refuses the answer when the thread is gone in the middle of a frame, and asks nothing more of it', () =>
    withThread({ width: 1024, height: 576 }, async (thread) => {
      fillFrame(thread.planes, { width: 1024, height: 576 }, 0);
      thread.frame({ kind: 'all' });
      const answer = thread.answer();
      // Gone as if it had crashed, while answer() waits on the event loop.
      await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      await expect(answer).rejects.toThrow(/the grid thread stopped/);
      expect(thread.frame({ kind: 'all' })).toBe(false);
    }));
});
