import type { OutputEncoding } from '../model-contract.js';

/**
 * Turns a model's raw output into a person probability per pixel (0..1), written into `out`.
 * For 'two-class-logits' `raw` holds two planes (background, person): softmax's person share is
 * sigmoid(person - background).
 */
export function decodeOutput(raw: Float32Array, encoding: OutputEncoding, pixels: number, out: Float32Array): void {
  switch (encoding) {
    case 'probability':
      for (let i = 0; i < pixels; i++) {
        const value = raw[i];
        out[i] = value < 0 ? 0 : value > 1 ? 1 : value;
      }
      return;
    case 'logit':
      for (let i = 0; i < pixels; i++) out[i] = 1 / (1 + Math.exp(-raw[i]));
      return;
    case 'two-class-logits':
      for (let i = 0; i < pixels; i++) out[i] = 1 / (1 + Math.exp(raw[i] - raw[pixels + i]));
      return;
  }
}
