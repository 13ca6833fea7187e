import { cv, type Mat } from '../opencv.js';

/**
 * `image` scaled to cover a width x height frame, keeping its proportions, with what overflows cut equally from
 * both sides (like CSS `background-size: cover`).
 */
export function coverImage(image: Mat, width: number, height: number): Mat {
  const scale = Math.max(width / image.cols, height / image.rows);
  const scaledWidth = Math.max(width, Math.round(image.cols * scale));
  const scaledHeight = Math.max(height, Math.round(image.rows * scale));
  const interpolation = scale < 1 ? cv.INTER_AREA : cv.INTER_LINEAR;
  const scaled = image.resize(scaledHeight, scaledWidth, 0, 0, interpolation);
  const left = Math.floor((scaledWidth - width) / 2);
  const top = Math.floor((scaledHeight - height) / 2);
  return scaled.getRegion(new cv.Rect(left, top, width, height)).copy();
}
