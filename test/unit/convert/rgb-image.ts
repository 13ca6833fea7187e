/** Test images as the converted models take them: RGB in 0..1, in NCHW (ONNX) and NHWC (TFLite, tfjs) layouts. */
import { fileURLToPath } from 'node:url';
import { cv, type Mat } from '../../../src/opencv.js';

export const ASTRONAUT_PATH = fileURLToPath(new URL('../../../assets/demo/astronaut.jpg', import.meta.url));

export interface RgbImage {
  height: number;
  width: number;
  nchw: Float32Array;
  nhwc: Float32Array;
}

export function rgbImage(height: number, width: number, pixel: (y: number, x: number) => [number, number, number]): RgbImage {
  const plane = height * width;
  const nchw = new Float32Array(3 * plane);
  const nhwc = new Float32Array(3 * plane);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const rgb = pixel(y, x);
      for (let c = 0; c < 3; c++) {
        nchw[c * plane + y * width + x] = rgb[c];
        nhwc[(y * width + x) * 3 + c] = rgb[c];
      }
    }
  }
  return { height, width, nchw, nhwc };
}

/** An 8-bit BGR picture (optionally a region of it) resized to the model's input. */
export function rgbImageFromMat(bgr: Mat, height: number, width: number): RgbImage {
  const data = bgr.resize(height, width, 0, 0, cv.INTER_AREA).getData();
  return rgbImage(height, width, (y, x) => {
    const at = (y * width + x) * 3;
    return [data[at + 2] / 255, data[at + 1] / 255, data[at] / 255];
  });
}

export function readAstronaut(): Mat {
  return cv.imread(ASTRONAUT_PATH);
}

function pixelOf(image: RgbImage, y: number, x: number): [number, number, number] {
  const at = (y * image.width + x) * 3;
  return [image.nhwc[at], image.nhwc[at + 1], image.nhwc[at + 2]];
}

/** A reproducible stream of numbers in [0, 1) (a linear congruential generator). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function seededNoise(height: number, width: number, seed: number): RgbImage {
  const next = seededRandom(seed);
  return rgbImage(height, width, () => [next(), next(), next()]);
}

/** The astronaut mirrored and shrunk to 5/8, standing at the bottom of a colour gradient: a new layout and backdrop. */
export function astronautOnGradient(size: number): RgbImage {
  const inset = Math.round((size * 5) / 8);
  const photo = rgbImageFromMat(readAstronaut().flip(1), inset, inset);
  const top = size - inset;
  const left = Math.round((size - inset) / 2);
  return rgbImage(size, size, (y, x) =>
    y >= top && x >= left && x < left + inset ? pixelOf(photo, y - top, x - left) : [0.3 + (0.4 * x) / size, 0.5, 0.8 - (0.4 * y) / size],
  );
}

/** The astronaut at half brightness with seeded noise: a dim, grainy webcam. */
export function dimNoisyAstronaut(size: number, seed: number): RgbImage {
  const photo = rgbImageFromMat(readAstronaut(), size, size);
  const next = seededRandom(seed);
  return rgbImage(size, size, (y, x) => {
    const [r, g, b] = pixelOf(photo, y, x).map((value) => Math.min(1, Math.max(0, value * 0.5 + (next() - 0.5) * 0.2)));
    return [r, g, b];
  });
}
