/**
 * Where the built-in demo person always is and never is in OBS's picture, and how sharp a region looks: what the
 * OBS tests measure to tell a blurred background from a sharp one.
 */
import { DemoScene } from '../../src/capture/demo-scene.js';
import { cv, type Mat } from '../../src/opencv.js';

/** Variance of the Laplacian (local sharpness) of the image's grey levels inside the mask. */
export function sharpness(image: Mat, mask: Mat): number {
  const laplacian = image.cvtColor(cv.COLOR_BGR2GRAY).laplacian(cv.CV_64F);
  const { stddev } = laplacian.meanStdDev(mask);
  return stddev.at(0, 0) ** 2;
}

/**
 * The demo person's true outline eroded (always person) or dilated (never person) by the reach of her sideways
 * sway and downward bob (src/capture/demo-scene.ts) plus a margin, so the regions hold for any frame OBS happens
 * to show.
 */
export function demoRegions(scene: DemoScene): { person: Mat; background: Mat } {
  const swayPx = Math.ceil(0.06 * scene.width) + 12;
  const bobPx = Math.ceil(0.02 * scene.height) + 12;
  const outline = scene.render(0, { withMask: true }).personMask as Mat;
  const reach = cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(2 * swayPx + 1, 2 * bobPx + 1));
  const person = outline.threshold(254, 255, cv.THRESH_BINARY).erode(reach);
  const background = outline.threshold(0, 255, cv.THRESH_BINARY).dilate(reach).bitwiseNot();
  return { person, background };
}
