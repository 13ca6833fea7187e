import { describe, expect, it } from 'vitest';
import { blurSigmaPx, maskedBlur } from '../../../src/composite/masked-blur.js';
import { cv, type Mat } from '../../../src/opencv.js';

const WIDTH = 640;
const HEIGHT = 360;
const CENTRE = { x: 320, y: 180 };
const RADIUS = 100;

/** Blue and green stripes (no red at all) behind a pure red disc: any red in the background is a halo. */
function stripedScene(): { image: Mat; mask: Mat } {
  const image = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC3, [0, 160, 0]);
  for (let x = 0; x < WIDTH; x += 16) image.drawRectangle(new cv.Rect(x, 0, 8, HEIGHT), new cv.Vec3(255, 0, 0), -1);
  image.drawCircle(new cv.Point2(CENTRE.x, CENTRE.y), RADIUS, new cv.Vec3(0, 0, 255), -1);
  const mask = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC1, 0);
  mask.drawCircle(new cv.Point2(CENTRE.x, CENTRE.y), RADIUS, new cv.Vec3(255, 255, 255), -1);
  return { image, mask: mask.gaussianBlur(new cv.Size(5, 5), 0) };
}

/** Pixels whose distance outside the disc's edge lies in [from, to). */
function ring(from: number, to: number): number[] {
  const pixels: number[] = [];
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const outside = Math.hypot(x - CENTRE.x, y - CENTRE.y) - RADIUS;
      if (outside >= from && outside < to) pixels.push(y * WIDTH + x);
    }
  }
  return pixels;
}

function channelStats(image: Mat, pixels: number[], channel: number): { max: number; mean: number; sd: number } {
  const data = image.getData();
  const values = pixels.map((i) => data[i * 3 + channel]);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
  return { max: Math.max(...values), mean, sd };
}

const RED = 2;
const GREEN = 1;

describe('maskedBlur', () => {
  const { image, mask } = stripedScene();

  it('keeps the person colour out of the blurred background (no halo)', () => {
    const near = ring(1, 12);
    const blurred = maskedBlur(image, mask, 0.5);
    expect(channelStats(blurred, near, RED).max).toBeLessThan(8);
    // A plain blur of the same strength smears the red far into the background: what users call the halo.
    const sigma = blurSigmaPx(0.5, HEIGHT);
    const plain = image.gaussianBlur(new cv.Size(0, 0), sigma, sigma);
    expect(channelStats(plain, near, RED).mean).toBeGreaterThan(40);
  });

  it('blurs the background, more with more strength', () => {
    const far = ring(120, 1000);
    const original = channelStats(image, far, GREEN).sd;
    const weak = channelStats(maskedBlur(image, mask, 0), far, GREEN).sd;
    const strong = channelStats(maskedBlur(image, mask, 1), far, GREEN).sd;
    expect(original).toBeGreaterThan(70);
    expect(weak).toBeLessThan(original * 0.75);
    expect(strong).toBeLessThan(weak / 4);
    // Averaging keeps the background's mean colour.
    expect(channelStats(maskedBlur(image, mask, 1), far, GREEN).mean).toBeCloseTo(channelStats(image, far, GREEN).mean, -1);
  });

  it('returns a frame of the input size and type', () => {
    const blurred = maskedBlur(image, mask, 0.5);
    expect([blurred.cols, blurred.rows, blurred.type]).toEqual([WIDTH, HEIGHT, cv.CV_8UC3]);
  });

  it('fills the person with nearby background colours, and copes with a frame that is all person', () => {
    const inside = maskedBlur(image, mask, 0.5).getData();
    const centre = (CENTRE.y * WIDTH + CENTRE.x) * 3;
    expect(inside[centre + RED]).toBeLessThan(12);
    const everywhere = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC1, 255);
    const grey = maskedBlur(image, everywhere, 0.5).getData();
    expect(Math.max(...grey.subarray(0, 3000))).toBeLessThanOrEqual(128);
    expect(Math.min(...grey.subarray(0, 3000))).toBeGreaterThanOrEqual(126);
  });

  it('maps strength to a radius proportional to the frame height', () => {
    expect(blurSigmaPx(0.5, 720)).toBeCloseTo(17.3, 1);
    expect(blurSigmaPx(0.5, 1080) / blurSigmaPx(0.5, 720)).toBeCloseTo(1.5);
    expect(blurSigmaPx(1, 720)).toBeGreaterThan(blurSigmaPx(0, 720) * 5);
  });
});
