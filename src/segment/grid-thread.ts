/**
 * Runs a model's inferences on a thread of their own (model-worker.ts), so the main thread can do other work of
 * the frame meanwhile. onnxruntime-node's `run` is synchronous behind a setImmediate: on the main thread it holds
 * everything else for the length of an inference (1.5-3 ms a frame here), while a 2-core machine's second core
 * has little to do. Here the main thread fills the input, says "run", and is free until the thread says "done".
 * One inference at a time.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import type { ModelThreadReply, ModelThreadSetup } from './model-worker.js';

/** The worker's script: beside this module once built; under the test runner this module runs from src/, so dist's. */
function workerScript(): URL | undefined {
  const beside = new URL('./model-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/segment/model-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : undefined;
}

export interface ModelThreadOptions {
  path: string;
  sessionOptions: ort.InferenceSession.SessionOptions;
  inputName: string;
  outputName: string;
  inputShape: number[];
  /** Values in the raw output. */
  outputLength: number;
}

export class ModelThread {
  /** Filled by the caller before run(). */
  readonly input: Float32Array;
  /** The raw output of the last run. */
  readonly output: Float32Array;
  private waiter: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    input: SharedArrayBuffer,
    output: SharedArrayBuffer,
  ) {
    this.input = new Float32Array(input);
    this.output = new Float32Array(output);
    worker.on('message', (reply: ModelThreadReply) => {
      const waiter = this.waiter;
      this.waiter = undefined;
      worker.unref();
      if (reply.kind === 'failed') waiter?.reject(new Error(reply.message));
      else waiter?.resolve();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', () => this.fail(new Error('the model thread stopped')));
    // An idle model thread must not keep blurcam running; a run in progress must (run() refs it). After the
    // listeners: adding a 'message' listener refs the worker again.
    worker.unref();
  }

  /** Starts the thread and its session; undefined when it cannot run (the caller then runs the model itself). */
  static async start(options: ModelThreadOptions): Promise<ModelThread | undefined> {
    const script = workerScript();
    if (!script) return undefined;
    const inputLength = options.inputShape.reduce((product, side) => product * side, 1);
    const setup: ModelThreadSetup = {
      path: options.path,
      sessionOptions: options.sessionOptions,
      inputName: options.inputName,
      outputName: options.outputName,
      inputShape: options.inputShape,
      input: new SharedArrayBuffer(inputLength * 4),
      output: new SharedArrayBuffer(options.outputLength * 4),
    };
    const worker = new Worker(script, { workerData: setup });
    const ready = await new Promise<boolean>((resolve) => {
      worker.once('message', (reply: ModelThreadReply) => resolve(reply.kind === 'ready'));
      worker.once('error', () => resolve(false));
    });
    if (!ready) {
      await worker.terminate();
      return undefined;
    }
    return new ModelThread(worker, setup.input, setup.output);
  }

  /**
   * Runs the model on `input`; resolves once `output` holds the result. The run is asked for before this returns
   * (not in a later microtask), so whatever the caller does next overlaps with it. One run at a time.
   */
  run(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.waiter) return Promise.reject(new Error('ModelThread.run: the previous run has not finished'));
    return new Promise<void>((resolve, reject) => {
      this.waiter = { resolve, reject };
      this.worker.ref();
      this.worker.postMessage('run');
    });
  }

  async close(): Promise<void> {
    this.failure ??= new Error('the model thread was closed');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.waiter?.reject(error);
    this.waiter = undefined;
  }
}
