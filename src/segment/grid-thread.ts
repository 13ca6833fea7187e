/**
 * The live path's grid work (live-grid.ts: everything after the model on the grid) on a thread of its own
 * (grid-worker.ts), so the main thread can prepare the frame's background meanwhile. The main thread runs the model,
 * fills the frame's planes in shared memory (the views' probabilities and the colours on the grid), asks for the
 * frame with its plan (video-views.ts; 'all' also starts the grid work over), prepares the background, and waits
 * for the answer. One frame at a time. Both ways go through shared words and Atomics (grid-signal.ts), not
 * messages.
 *
 * Why the model is not on this thread too: onnxruntime-node's `run` holds its thread for the whole inference, so
 * there the thread had to be woken for each frame while the main thread blurred the background; on these 2-core
 * machines the wake-up alone took 0.1 to 2 ms, and the inference was no faster for running beside the blur
 * (docs/segmentation.md, "Threads").
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ANSWER, CONTROL_WORDS, REQUEST, STOP, WANTS_MESSAGE, writePlan } from './grid-signal.js';
import type { GridThreadReply, GridThreadSetup } from './grid-worker.js';
import type { GridFrame, VideoViews } from './live-grid.js';
import type { Size } from './preprocess.js';
import type { FramePlan } from './video-views.js';

/**
 * How long the main thread waits for an answer on the shared word before it waits on its event loop instead. The
 * answer usually comes within a millisecond of the background being ready (the two take about as long); a thread
 * slower than this, or gone, is waited for where its error, exit or message can reach the main thread.
 */
const BLOCKING_WAIT_MS = 5;

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
  /** The smoothed probability on the grid after the last answer(). */
  readonly prob: Float32Array;
  private readonly control: Int32Array;
  /** The number of the last frame asked for. */
  private asked = 0;
  private awaitingAnswer = false;
  /** Wakes answer() when it waits on the event loop. */
  private wake: { resolve: () => void; reject: (error: Error) => void } | undefined;
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
    this.control = new Int32Array(setup.control);
    worker.on('message', (reply: GridThreadReply) => {
      if (reply.kind === 'answered') this.wake?.resolve();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the grid thread stopped')));
    // An idle thread must not keep blurcam running; one answer() waits for on the event loop must (it refs the
    // worker meanwhile). After the listeners: adding a 'message' listener refs the worker again.
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
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
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
   * Asks for the grid work on `planes` as `plan` says and returns at once, so whatever the caller does next
   * overlaps with it; answer() then waits for it. False when the thread has failed (nothing was asked). One frame
   * at a time.
   */
  frame(plan: FramePlan): boolean {
    if (this.failure) return false;
    if (this.awaitingAnswer) throw new Error('GridThread.frame: the previous frame has not been answered');
    writePlan(this.control, plan);
    this.asked++;
    this.awaitingAnswer = true;
    Atomics.store(this.control, REQUEST, this.asked);
    Atomics.notify(this.control, REQUEST);
    return true;
  }

  /** Resolves once `prob` holds the answer to the last frame(); rejects when the work failed or the thread is gone. */
  async answer(): Promise<void> {
    if (!this.awaitingAnswer) throw new Error('GridThread.answer: no frame was asked for');
    const { control, asked } = this;
    const answered = () => {
      const answer = Atomics.load(control, ANSWER);
      return answer === asked || answer === -asked;
    };
    try {
      // Blocking, briefly: cheaper than the event loop's wake-up for a message when the answer is about to come.
      Atomics.wait(control, ANSWER, asked - 1, BLOCKING_WAIT_MS);
      if (!answered()) await this.answerOnEventLoop(answered);
    } finally {
      this.awaitingAnswer = false;
    }
    if (Atomics.load(control, ANSWER) !== asked) throw new Error('the grid thread failed on the frame');
  }

  async close(): Promise<void> {
    this.fail(new Error('the grid thread was closed'));
    // Ends the worker's wait for a frame; terminate() ends whatever it was doing.
    Atomics.store(this.control, REQUEST, STOP);
    Atomics.notify(this.control, REQUEST);
    await this.worker.terminate();
  }

  private async answerOnEventLoop(answered: () => boolean): Promise<void> {
    // Set before looking again: a thread that answers after this reads it and posts a message.
    Atomics.store(this.control, WANTS_MESSAGE, 1);
    this.worker.ref();
    try {
      while (!answered()) {
        if (this.failure) throw this.failure;
        await new Promise<void>((resolve, reject) => (this.wake = { resolve, reject }));
      }
    } finally {
      this.wake = undefined;
      Atomics.store(this.control, WANTS_MESSAGE, 0);
      this.worker.unref();
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.wake?.reject(error);
  }
}
