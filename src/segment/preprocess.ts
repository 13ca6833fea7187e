/**
 * Pre-processing as pure functions: how a view of a picture is laid onto the model input, how its
 * output is laid back onto the picture, and how 8-bit BGR becomes the model's planar float input.
 */
import type { InputEncoding } from './model-contract.js';

export interface Size {
  width: number;
  height: number;
}

/** An axis-aligned rectangle in pixels: x, y, width, height. */
export type Rect = readonly [number, number, number, number];

/**
 * One look at a picture: a region of it, squeezed to the model input ('stretch') or scaled with its aspect
 * kept and bordered ('pad'), optionally mirrored. Several views of one photo are averaged (see photo-views.ts).
 */
export interface View {
  rect: Rect;
  fit: 'stretch' | 'pad';
  flip: boolean;
}

/** Where a view's pixels land in the model input: the region is resized to `content` and placed at `offset`. */
export interface ViewPlacement {
  view: View;
  content: Size;
  offsetX: number;
  offsetY: number;
}

export function placeView(view: View, input: Size): ViewPlacement {
  const [, , width, height] = view.rect;
  if (view.fit === 'stretch') return { view, content: { ...input }, offsetX: 0, offsetY: 0 };
  const scale = Math.min(input.width / width, input.height / height);
  const content = {
    width: Math.min(input.width, Math.max(1, Math.round(width * scale))),
    height: Math.min(input.height, Math.max(1, Math.round(height * scale))),
  };
  return {
    view,
    content,
    offsetX: Math.floor((input.width - content.width) / 2),
    offsetY: Math.floor((input.height - content.height) / 2),
  };
}

/** A 2x3 affine matrix, row-major: [a, b, c, d, e, f] maps (x, y) to (a x + b y + c, d x + e y + f). */
export type Affine = readonly [number, number, number, number, number, number];

/**
 * Maps pixel indices of the view's region (0,0 = its top-left pixel) to indices of a model output of size
 * `output` (which covers the same frame as the input, possibly at a lower resolution). Pixel centres line up:
 * index i covers [i, i+1) in continuous coordinates.
 */
export function regionToOutput(placement: ViewPlacement, input: Size, output: Size): Affine {
  const { view, content, offsetX, offsetY } = placement;
  const [, , width, height] = view.rect;
  const toOutputX = output.width / input.width;
  const toOutputY = output.height / input.height;
  let a = (content.width / width) * toOutputX;
  let c = offsetX * toOutputX;
  const e = (content.height / height) * toOutputY;
  const f = offsetY * toOutputY;
  if (view.flip) {
    a = -a;
    c = output.width - c;
  }
  // continuous U = a (x + 0.5) + c, index u = U - 0.5
  return [a, 0, a * 0.5 + c - 0.5, 0, e, e * 0.5 + f - 0.5];
}

/** Per-channel lookup tables (R, G, B) from an 8-bit value to the model's input value. */
export function inputLookup(encoding: InputEncoding): [Float32Array, Float32Array, Float32Array] {
  const mean = encoding === 'rgb-imagenet' ? [0.485, 0.456, 0.406] : [0, 0, 0];
  const std = encoding === 'rgb-imagenet' ? [0.229, 0.224, 0.225] : [1, 1, 1];
  return [0, 1, 2].map((channel) => {
    const table = new Float32Array(256);
    for (let value = 0; value < 256; value++) table[value] = (value / 255 - mean[channel]) / std[channel];
    return table;
  }) as [Float32Array, Float32Array, Float32Array];
}

/** Packed 8-bit BGR (width*height*3 bytes) to planar RGB floats [3][height][width], written into `out`. */
export function fillModelInput(
  bgr: Uint8Array,
  pixels: number,
  lookup: readonly [Float32Array, Float32Array, Float32Array],
  out: Float32Array,
): void {
  const [red, green, blue] = lookup;
  const greenPlane = pixels;
  const bluePlane = 2 * pixels;
  for (let i = 0, j = 0; i < pixels; i++, j += 3) {
    out[i] = red[bgr[j + 2]];
    out[greenPlane + i] = green[bgr[j + 1]];
    out[bluePlane + i] = blue[bgr[j]];
  }
}
