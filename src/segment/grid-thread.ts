/**
 * The live path's grid work (live-grid.ts: the model and everything after it on the grid) on a thread of its own
 * (grid-worker.ts), so the main thread can do other work of the frame meanwhile: onnxruntime-node's `run` is
 * synchronous behind a setImmediate, so on the main thread it holds everything else for the length of an
 * inference, while a 2-core machine's second core has little to do. The main thread fills the frame's planes in
 * shared memory, says "frame" with the frame's plan (video-views.ts; 'all' also starts the grid work over), and is
 * free until the thread says "done". One frame at a time.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import type { GridThreadReply, GridThreadRequest, GridThreadSetup } from './grid-worker.js';
import type { GridFrame, VideoViews } from './live-grid.js';
import type { ModelContract } from './model-contract.js';
import type { FramePlan } from './video-views.js';

/** The worker's script: beside this module once built; under the test runner this module runs from src/, so dist's. */
function workerScript(): URL | undefined {
  const beside = new URL('./grid-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/segment/grid-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export interface GridThreadOptions {
  path: string;
  sessionOptions: ort.InferenceSession.SessionOptions;
  contract: ModelContract;
  views: VideoViews;
  threshold: number;
  /** How many detail tiles the grid work keeps (detailTiles in live-grid.ts): room for each in `planes.tiles`. */
  tiles: number;
}

export class GridThread {
  /** The frame's planes, filled by the caller before frame(). */
  readonly planes: GridFrame;
  /** The smoothed probability on the grid after the last frame(). */
  readonly prob: Float32Array;
  private waiter: { resolve: (inferences: number) => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    setup: GridThreadSetup,
  ) {
    this.planes = {
      small: new Uint8Array(setup.small),
      tiles: new Uint8Array(setup.tiles),
      brightness: new Float32Array(setup.brightness),
      colours: new Uint8Array(setup.colours),
    };
    this.prob = new Float32Array(setup.prob);
    worker.on('message', (reply: GridThreadReply) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      worker.unref();
      if (reply.kind === 'failed') waiter?.reject(new Error(reply.message));
      else if (reply.kind === 'done') waiter?.resolve(reply.inferences);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the model thread stopped')));
    // An idle thread must not keep blurcam running; a frame in progress must (frame() refs it). After the
    // listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  /** Starts the thread and its session; undefined when it cannot run (the caller then does the work itself). */
  static async start(options: GridThreadOptions): Promise<GridThread | undefined> {
    const script = workerScript();
    if (!script) return undefined;
    const { contract } = options;
    const inputPixels = contract.inputWidth * contract.inputHeight;
    const gridPixels = contract.outputWidth * contract.outputHeight;
    const setup: GridThreadSetup = {
      path: options.path,
      sessionOptions: options.sessionOptions,
      contract,
      views: options.views,
      threshold: options.threshold,
      small: new SharedArrayBuffer(inputPixels * 3),
      tiles: new SharedArrayBuffer(Math.max(1, options.tiles * inputPixels * 3)),
      brightness: new SharedArrayBuffer(gridPixels * 4),
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
   * Runs the grid work on `planes` as `plan` says; resolves with the number of inferences once `prob` holds the
   * result. The work is asked for before this returns (not in a later microtask), so whatever the caller does next
   * overlaps with it. One frame at a time.
   */
  frame(plan: FramePlan): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('GridThread.frame: the previous frame has not finished'));
    return new Promise<number>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.worker.ref();
      this.post({ kind: 'frame', plan });
    });
  }

  /** Whether the thread still works. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the model thread was closed');
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
