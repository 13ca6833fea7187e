/**
 * `npm run models`: converts the selfie segmentation models shipped by @mediapipe/selfie_segmentation into
 * models/*.onnx (build outputs, rebuilt by `prepare` after every install). Prints one line per model.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLED_MODELS as MODELS_BY_NAME, DEFAULT_MODELS_DIR, MODEL_PACKAGE } from '../segment/model-files.js';
import { convertTfliteToOnnx } from './convert-tflite-to-onnx.js';

export interface BundledModel {
  /** File name inside MODEL_PACKAGE. */
  source: string;
  /** File name in models/. */
  target: string;
}

export const BUNDLED_MODELS: readonly BundledModel[] = Object.values(MODELS_BY_NAME).map(({ source, file }) => ({ source, target: file }));

/** Where the package keeps a model file, e.g. bundledModelPath('selfie_segmentation.tflite'). */
export function bundledModelPath(fileName: string): string {
  return join(dirname(createRequire(import.meta.url).resolve(`${MODEL_PACKAGE}/package.json`)), fileName);
}

function packageVersion(packageJsonPath: string): string {
  return (JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string }).version;
}

/** Converts one bundled model in memory, with the metadata docs/model-contract.md describes. */
export function convertBundledModel(model: BundledModel): Uint8Array {
  const source = `${MODEL_PACKAGE}@${packageVersion(bundledModelPath('package.json'))}/${model.source}`;
  return convertTfliteToOnnx(readFileSync(bundledModelPath(model.source)), {
    fileName: model.source,
    producerVersion: packageVersion(fileURLToPath(new URL('../../package.json', import.meta.url))),
    metadata: {
      'blurcam.contract': '1',
      'blurcam.input': 'rgb-unit',
      'blurcam.output': 'probability',
      'blurcam.source': source,
    },
  });
}

/** Writes every bundled model into `modelsDir`, returning one report line per model. */
export function convertModels(modelsDir: string = DEFAULT_MODELS_DIR): string[] {
  mkdirSync(modelsDir, { recursive: true });
  return BUNDLED_MODELS.map((model) => {
    const startMs = performance.now();
    const onnx = convertBundledModel(model);
    const target = join(modelsDir, model.target);
    // Write then rename, so that a running blurcam never loads a half-written model.
    const partial = target.replace(/\.onnx$/, '.partial.onnx');
    writeFileSync(partial, onnx);
    renameSync(partial, target);
    const elapsedMs = performance.now() - startMs;
    return `${relative(process.cwd(), target)}: ${Math.round(onnx.byteLength / 1024)} KB from ${MODEL_PACKAGE}/${model.source} in ${elapsedMs.toFixed(0)} ms`;
  });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const line of convertModels()) console.log(line);
}
