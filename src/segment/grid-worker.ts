/**
 * The live path's grid thread (see GridThread in grid-thread.ts): a session of the model of its own and the grid
 * work after it (live-grid.ts), on frames the main thread fills into shared memory. Messages only say "frame" (with
 * the frame's plan, video-views.ts) and "done". No OpenCV here: loading it in a worker thread breaks the main thread's Mat type checks.
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { LiveGrid, type VideoViews } from './live-grid.js';
import type { FramePlan } from './video-views.js';
import type { ModelContract } from './model-contract.js';
import { sessionRunner } from './onnx-session.js';

export interface GridThreadSetup {
  path: string;
  sessionOptions: ort.InferenceSession.SessionOptions;
  contract: ModelContract;
  views: VideoViews;
  /** The mask's threshold (LiveGrid's). */
  threshold: number;
  /** What the model runs on, at its input size, 8-bit BGR, filled by the main thread before each frame. */
  small: SharedArrayBuffer;
  /** Every detail tile at the model's input size, filled for a frame that runs every view. */
  tiles: SharedArrayBuffer;
  /** The frame's brightness on the grid, Float32. */
  brightness: SharedArrayBuffer;
  /** The frame's colours on the grid, 8-bit BGR. */
  colours: SharedArrayBuffer;
  /** The smoothed probability on the grid, Float32, written here after each frame. */
  prob: SharedArrayBuffer;
}

export type GridThreadRequest = { kind: 'frame'; plan: FramePlan };

export type GridThreadReply = { kind: 'ready' } | { kind: 'done'; inferences: number } | { kind: 'failed'; message: string };

async function serve(setup: GridThreadSetup): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const { contract } = setup;
  const session = await ort.InferenceSession.create(setup.path, setup.sessionOptions);
  const runModel = sessionRunner(session, contract);
  const input = { width: contract.inputWidth, height: contract.inputHeight };
  const grid = new LiveGrid(input, { width: contract.outputWidth, height: contract.outputHeight }, setup.views, setup.threshold);
  const frame = {
    small: new Uint8Array(setup.small),
    tiles: new Uint8Array(setup.tiles),
    brightness: new Float32Array(setup.brightness),
    colours: new Uint8Array(setup.colours),
  };
  const prob = new Float32Array(setup.prob);
  // Requests are handled one after the other (the main thread waits for each frame anyway).
  let queue = Promise.resolve();
  port.on('message', (request: GridThreadRequest) => {
    queue = queue.then(async () => {
      try {
        const result = await grid.frame(frame, request.plan, runModel);
        prob.set(result.prob);
        port.postMessage({ kind: 'done', inferences: result.inferences } satisfies GridThreadReply);
      } catch (error) {
        port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies GridThreadReply);
      }
    });
  });
  port.postMessage({ kind: 'ready' } satisfies GridThreadReply);
}

serve(workerData as GridThreadSetup).catch((error: unknown) =>
  parentPort?.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies GridThreadReply),
);
