/**
 * The live path's grid work (live-grid.ts: everything after the model on the grid) on a thread of its own
 * (grid-worker.ts), so the main thread can prepare the frame's background meanwhile. The main thread runs the model,
 * fills the frame's planes in shared memory (the views' probabilities and the colours on the grid), says
 * "frame" with the frame's plan (video-views.ts; 'all' also starts the grid work over), and is free until the thread
 * says "done". One frame at a time.
 *
 * Why the model is not on this thread too: onnxruntime-node's `run` holds its thread for the whole inference, so
 * there the thread had to be woken for each frame while the main thread blurred the background; on these 2-core
 * machines the wake-up alone took 0.1 to 2 ms, and the inference was no faster for running beside the blur
 * (docs/segmentation.md, "Threads").
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { GridThreadReply, GridThreadRequest, GridThreadSetup } from './grid-worker.js';
import type { GridFrame, VideoViews } from './live-grid.js';
import type { Size } from './preprocess.js';
import type { FramePlan } from './video-views.js';

/** The worker's script: beside this module once built; under the test runner this module runs from src/, so dist's. */
function workerScript(): URL | undefined {
  const beside = new URL('./grid-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/segment/grid-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export interface GridThreadOptions {
  /** The model's output size. */
  grid: Size;
  views: VideoViews;
  threshold: number;
  /** How many views a frame can run at most (every whole view and tile): planes for each in `planes.views`. */
  maxViews: number;
}

export class GridThread {
  /** The frame's planes, filled by the caller before frame(). */
  readonly planes: GridFrame;
  /** The smoothed probability on the grid after the last frame(). */
  readonly prob: Float32Array;
  private waiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    setup: GridThreadSetup,
  ) {
    this.planes = {
      views: new Float32Array(setup.viewPlanes),
      colours: new Uint8Array(setup.colours),
    };
    this.prob = new Float32Array(setup.prob);
    worker.on('message', (reply: GridThreadReply) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      worker.unref();
      if (reply.kind === 'failed') waiter?.reject(new Error(reply.message));
      else if (reply.kind === 'done') waiter?.resolve();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the grid thread stopped')));
    // An idle thread must not keep blurcam running; a frame in progress must (frame() refs it). After the
    // listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  /** Starts the thread; undefined when it cannot run (the caller then does the work itself). */
  static async start(options: GridThreadOptions): Promise<GridThread | undefined> {
    const script = workerScript();
    if (!script) return undefined;
    const { grid } = options;
    const gridPixels = grid.width * grid.height;
    const setup: GridThreadSetup = {
      grid,
      views: options.views,
      threshold: options.threshold,
      viewPlanes: new SharedArrayBuffer(options.maxViews * gridPixels * 4),
      colours: new SharedArrayBuffer(gridPixels * 3),
      prob: new SharedArrayBuffer(gridPixels * 4),
    };
    const worker = new Worker(script, { workerData: setup });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (reply: GridThreadReply) => resolve(reply.kind === 'ready'));
      worker.once('error', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return undefined;
    }
    return new GridThread(worker, setup);
  }

  /**
   * Runs the grid work on `planes` as `plan` says; resolves once `prob` holds the result. The work is asked for
   * before this returns (not in a later microtask), so whatever the caller does next overlaps with it. One frame at
   * a time.
   */
  frame(plan: FramePlan): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('GridThread.frame: the previous frame has not finished'));
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.worker.ref();
      this.post({ kind: 'frame', plan });
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the grid thread was closed');
    await this.worker.terminate();
  }

  private post(request: GridThreadRequest): void {
    this.worker.postMessage(request);
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }
}
