/**
 * Which model file a --model value means. The bundled ones live in the repo's models/ folder
 * (made by `npm run models`); anything else is a path to a model that follows docs/model-contract.md.
 */
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Size } from './preprocess.js';

export interface ModelFile {
  /** Short name for reports: 'selfie', 'selfie-landscape' or the file's base name. */
  name: string;
  path: string;
  bundled: boolean;
}

/** The npm package whose TFLite models `npm run models` converts (src/convert/convert-models.ts). */
export const MODEL_PACKAGE = '@mediapipe/selfie_segmentation';

/** The bundled models by the name --model takes: the converted file in models/ and its source in MODEL_PACKAGE. */
export const BUNDLED_MODELS = {
  selfie: { file: 'selfie-square.onnx', source: 'selfie_segmentation.tflite' },
  'selfie-landscape': { file: 'selfie-landscape.onnx', source: 'selfie_segmentation_landscape.tflite' },
} as const;

type BundledName = keyof typeof BUNDLED_MODELS;

/** models/ at the top of the repo, from src/segment/ (tests) as from dist/segment/ (built). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../../models/', import.meta.url));

/**
 * The model to load. 'auto' in photo mode is the square model: photo mode looks at square tiles and
 * letterboxed views, and adding the landscape model's views did not help (docs/segmentation.md). In video
 * mode it is the model whose input shape is closest to the frame's.
 */
export function resolveModelFile(model: string, mode: 'photo' | 'video', frame: Size | undefined, modelsDir = DEFAULT_MODELS_DIR): ModelFile {
  const bundled = (name: BundledName): ModelFile => ({ name, path: resolve(modelsDir, BUNDLED_MODELS[name].file), bundled: true });
  if (model === 'auto') return bundled(mode === 'photo' || (frame !== undefined && !isWide(frame)) ? 'selfie' : 'selfie-landscape');
  if (model in BUNDLED_MODELS) return bundled(model as BundledName);
  return { name: basename(model), path: resolve(model), bundled: false };
}

/** Wider than the geometric middle of 1:1 and 16:9 (4:3): the landscape model's 256x144 fits it better. */
function isWide(frame: Size): boolean {
  return frame.width / frame.height >= 4 / 3;
}
