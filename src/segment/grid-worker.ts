/**
 * The model's own thread (see ModelThread in onnx-session.ts): a second session of the same model, which runs
 * inferences asked for by the main thread. Input and output travel through shared memory; messages only say
 * "run" and "done".
 */
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

export interface ModelThreadSetup {
  path: string;
  sessionOptions: ort.InferenceSession.SessionOptions;
  inputName: string;
  outputName: string;
  inputShape: number[];
  /** Float32 input, filled by the main thread before each run. */
  input: SharedArrayBuffer;
  /** Float32 raw output, written here after each run. */
  output: SharedArrayBuffer;
}

export type ModelThreadReply = { kind: 'ready' } | { kind: 'done' } | { kind: 'failed'; message: string };

async function serve(setup: ModelThreadSetup): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const session = await ort.InferenceSession.create(setup.path, setup.sessionOptions);
  // onnxruntime refuses tensors over shared memory: the input is copied into this thread's own array first.
  const shared = new Float32Array(setup.input);
  const own = new Float32Array(shared.length);
  const tensor = new ort.Tensor('float32', own, setup.inputShape);
  const output = new Float32Array(setup.output);
  // The only message is 'run'; the main thread ends this thread with terminate().
  port.on('message', () => {
    own.set(shared);
    session
      .run({ [setup.inputName]: tensor })
      .then((results) => {
        output.set((results[setup.outputName].data as Float32Array).subarray(0, output.length));
        port.postMessage({ kind: 'done' } satisfies ModelThreadReply);
      })
      .catch((error: unknown) => port.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ModelThreadReply));
  });
  port.postMessage({ kind: 'ready' } satisfies ModelThreadReply);
}

serve(workerData as ModelThreadSetup).catch((error: unknown) =>
  parentPort?.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) } satisfies ModelThreadReply),
);
