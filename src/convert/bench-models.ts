/**
 * Times the converted models in onnxruntime-node on the CPU provider:
 * `npm run build && node dist/convert/bench-models.js [runs]`. Prints one line per model with the
 * median and 90th percentile of `runs` inferences (default 100) after a warm-up.
 */
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { DEFAULT_MODELS_DIR } from '../segment/model-files.js';
import { BUNDLED_MODELS } from './convert-models.js';

const WARM_UP_RUNS = 10;

export interface ModelTiming {
  file: string;
  inputShape: number[];
  loadMs: number;
  medianMs: number;
  p90Ms: number;
}

export async function benchModels(runs = 100, modelsDir: string = DEFAULT_MODELS_DIR): Promise<ModelTiming[]> {
  const timings: ModelTiming[] = [];
  for (const model of BUNDLED_MODELS) {
    const file = join(modelsDir, model.target);
    const loadStartMs = performance.now();
    const session = await ort.InferenceSession.create(file, { executionProviders: ['cpu'] });
    const loadMs = performance.now() - loadStartMs;
    const inputShape = session.inputMetadata[0].isTensor ? session.inputMetadata[0].shape.map(Number) : [];
    const count = inputShape.reduce((product, dim) => product * dim, 1);
    const image = new ort.Tensor('float32', Float32Array.from({ length: count }, () => Math.random()), inputShape);
    const elapsedMs: number[] = [];
    for (let run = 0; run < WARM_UP_RUNS + runs; run++) {
      const startMs = performance.now();
      await session.run({ [session.inputNames[0]]: image });
      if (run >= WARM_UP_RUNS) elapsedMs.push(performance.now() - startMs);
    }
    await session.release();
    elapsedMs.sort((a, b) => a - b);
    const percentile = (p: number) => elapsedMs[Math.min(elapsedMs.length - 1, Math.floor(p * elapsedMs.length))];
    timings.push({ file, inputShape, loadMs, medianMs: percentile(0.5), p90Ms: percentile(0.9) });
  }
  return timings;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const runs = Number(process.argv[2] ?? 100);
  for (const timing of await benchModels(runs)) {
    console.log(
      `${relative(process.cwd(), timing.file)}: input [${timing.inputShape}], cpu, ${runs} runs: median ${timing.medianMs.toFixed(2)} ms, ` +
        `p90 ${timing.p90Ms.toFixed(2)} ms (session created in ${timing.loadMs.toFixed(0)} ms)`,
    );
  }
}
