/**
 * The live path's grid thread (see GridThread in grid-thread.ts): the grid work (live-grid.ts) on frames the main
 * thread fills into shared memory, the model's views included. Messages only say "frame" (with the frame's plan,
 * video-views.ts) and "done". No OpenCV here: loading it in a worker thread breaks the main thread's Mat type checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LiveGrid, type VideoViews } from './live-grid.js';
import type { Size } from './preprocess.js';
import type { FramePlan } from './video-views.js';

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
}

export type GridThreadRequest = { kind: 'frame'; plan: FramePlan };

export type GridThreadReply = { kind: 'ready' } | { kind: 'done' } | { kind: 'failed'; message: string };

function serve(setup: GridThreadSetup): void {
  const port = parentPort;
  if (!port) return;
  const grid = new LiveGrid(setup.grid, setup.views, setup.threshold);
  const frame = {
    views: new Float32Array(setup.viewPlanes),
    colours: new Uint8Array(setup.colours),
  };
  const prob = new Float32Array(setup.prob);
  // One frame at a time: the main thread waits for each before it fills the next.
  port.on('message', (request: GridThreadRequest) => {
    try {
      prob.set(grid.frame(frame, request.plan));
      port.postMessage({ kind: 'done' } satisfies GridThreadReply);
    } catch (error) {
      port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies GridThreadReply);
    }
  });
  port.postMessage({ kind: 'ready' } satisfies GridThreadReply);
}

try {
  serve(workerData as GridThreadSetup);
} catch (error) {
  parentPort?.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies GridThreadReply);
}
