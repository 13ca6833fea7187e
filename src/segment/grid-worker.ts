/**
 * The live path's grid thread (see GridThread in grid-thread.ts): the grid work (live-grid.ts) on frames the main
 * thread fills into shared memory, the model's views included. Frames are asked for and answered through shared
 * words (grid-signal.ts): this thread does nothing else, so it waits on them instead of on its event loop. No
 * OpenCV here: loading it in a worker thread breaks the main thread's Mat type checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ANSWER, readPlan, REQUEST, STOP, WANTS_MESSAGE } from './grid-signal.js';
import { LiveGrid, type VideoViews } from './live-grid.js';
import type { Size } from './preprocess.js';

export interface GridThreadSetup {
  grid: Size;
  views: VideoViews;
  /** The mask's threshold (LiveGrid's). */
  threshold: number;
  /** The model's probability of each view the frame ran, Float32 planes on the grid, filled by the main thread. */
  viewPlanes: SharedArrayBuffer;
  /** The frame's colours on the grid, 8-bit BGR. */
  colours: SharedArrayBuffer;
  /** The smoothed probability on the grid, Float32, written here after each frame. */
  prob: SharedArrayBuffer;
  /** The words frames are asked for and answered with (grid-signal.ts). */
  control: SharedArrayBuffer;
}

/** 'answered' only while the main thread waits on its event loop (WANTS_MESSAGE); 'failed' only at the start. */
export type GridThreadReply = { kind: 'ready' } | { kind: 'answered' } | { kind: 'failed'; message: string };

function serve(setup: GridThreadSetup): void {
  const port = parentPort;
  if (!port) return;
  const grid = new LiveGrid(setup.grid, setup.views, setup.threshold);
  const frame = {
    views: new Float32Array(setup.viewPlanes),
    colours: new Uint8Array(setup.colours),
  };
  const prob = new Float32Array(setup.prob);
  const control = new Int32Array(setup.control);
  port.postMessage({ kind: 'ready' } satisfies GridThreadReply);
  // One frame at a time: the main thread waits for each answer before it fills the next frame.
  for (let seen = 0; ; ) {
    Atomics.wait(control, REQUEST, seen);
    const asked = Atomics.load(control, REQUEST);
    if (asked === seen) continue;
    if (asked === STOP) return;
    seen = asked;
    let answer = seen;
    try {
      prob.set(grid.frame(frame, readPlan(control)));
    } catch {
      answer = -seen;
    }
    Atomics.store(control, ANSWER, answer);
    Atomics.notify(control, ANSWER);
    if (Atomics.load(control, WANTS_MESSAGE) === 1) port.postMessage({ kind: 'answered' } satisfies GridThreadReply);
  }
}

try {
  serve(workerData as GridThreadSetup);
} catch (error) {
  parentPort?.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies GridThreadReply);
}
