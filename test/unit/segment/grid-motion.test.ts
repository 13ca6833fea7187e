import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cv, type Mat } from '../../../src/opencv.js';
import { composeMatrices, GridMotion, largestDisplacement, matrixMotion, type Motion, motionMatrix } from '../../../src/segment/grid-motion.js';
import { ViewFusion } from '../../../src/segment/view-fusion.js';

const ASTRONAUT = fileURLToPath(new URL('../../../assets/demo/astronaut.jpg', import.meta.url));
const GRID = { width: 256, height: 144 };
// The grid is a fifth of a 1280x720 frame.
const SCALE = 5;

/** A real photo as a 1280x720 camera frame. */
const frame = cv.imread(ASTRONAUT).resize(720, 1280);

/** A frame's brightness on the grid (0..1), as the live path makes it. */
function brightness(image: Mat): Float32Array {
  const grey = image.resize(GRID.height, GRID.width, 0, 0, cv.INTER_AREA).cvtColor(cv.COLOR_BGR2GRAY).convertTo(cv.CV_32F, 1 / 255);
  return new Float32Array(grey.getData().buffer.slice(0));
}

/** The camera turned by `roll` degrees and zoomed by `zoom` about the centre, then panned by (dx, dy) frame pixels. */
function moved(zoom: number, roll: number, dx: number, dy: number): Mat {
  const matrix = cv.getRotationMatrix2D(new cv.Point2(639.5, 359.5), roll, zoom);
  const values = matrix.getDataAsArray();
  values[0][2] += dx;
  values[1][2] += dy;
  return frame.warpAffine(new cv.Mat(values, cv.CV_64F), new cv.Size(1280, 720), cv.INTER_LINEAR, cv.BORDER_REFLECT);
}

/** Where the grid point (x, y) of the new frame lies in the earlier one, by `motion`. */
function source(motion: Motion, x: number, y: number): [number, number] {
  const dx = x - (GRID.width - 1) / 2;
  const dy = y - (GRID.height - 1) / 2;
  return [x + motion[0] * dx + motion[1] * dy + motion[2], y + motion[3] * dx + motion[4] * dy + motion[5]];
}

describe('GridMotion', () => {
  it("finds a camera's pan, zoom and roll between two real frames, to a tenth of a grid pixel", () => {
    const zoom = 1.012;
    const roll = 0.15;
    const [dx, dy] = [6, -4];
    const motion = new GridMotion(GRID.width, GRID.height).estimate(brightness(frame), brightness(moved(zoom, roll, dx, dy)));
    expect(motion).toBeDefined();
    // The truth: the new frame's pixel p came from the earlier frame's inverse(A) * p, A the warp above (frame pixels).
    const a = cv.getRotationMatrix2D(new cv.Point2(639.5, 359.5), roll, zoom).getDataAsArray();
    a[0][2] += dx;
    a[1][2] += dy;
    const det = a[0][0] * a[1][1] - a[0][1] * a[1][0];
    const back = (px: number, py: number): [number, number] => {
      const u = px - a[0][2];
      const v = py - a[1][2];
      return [(a[1][1] * u - a[0][1] * v) / det, (-a[1][0] * u + a[0][0] * v) / det];
    };
    for (const [x, y] of [[20, 20], [235, 20], [20, 123], [235, 123], [128, 72]]) {
      // Grid pixel centres in frame pixels, and back.
      const [fx, fy] = back((x + 0.5) * SCALE - 0.5, (y + 0.5) * SCALE - 0.5);
      const [ex, ey] = source(motion as Motion, x, y);
      expect(Math.hypot(ex - ((fx + 0.5) / SCALE - 0.5), ey - ((fy + 0.5) / SCALE - 0.5))).toBeLessThan(0.1);
    }
  });

  it('sees no motion in a still camera with sensor noise and an exposure drift', () => {
    // Gaussian noise of 3 levels (a webcam's), from a seeded generator so the test is the same every run.
    const noisy = (gain: number, seed: number) => {
      let state = seed;
      const uniform = () => ((state = (state * 1103515245 + 12345) % 2147483648) + 1) / 2147483649;
      const noise = Float32Array.from({ length: 1280 * 720 * 3 }, () => 3 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()));
      const noiseMat = new cv.Mat(Buffer.from(noise.buffer), 720, 1280, cv.CV_32FC3);
      return frame.convertTo(cv.CV_32FC3, gain).add(noiseMat).convertTo(cv.CV_8UC3);
    };
    const [before, now] = [noisy(1, 1), noisy(1.03, 2)];
    expect(before.absdiff(frame).mean().x).toBeGreaterThan(1);
    expect(new GridMotion(GRID.width, GRID.height).estimate(brightness(before), brightness(now))).toBeUndefined();
  });

  it('judges the camera on the background: a person moving alone is not taken for a camera move', () => {
    // The right half is the person, who moves 10 px; the background stays.
    const now = frame.copy();
    moved(1, 0, 10, 0).getRegion(new cv.Rect(640, 0, 640, 720)).copyTo(now.getRegion(new cv.Rect(640, 0, 640, 720)));
    const person = Float32Array.from({ length: GRID.width * GRID.height }, (_, i) => (i % GRID.width >= GRID.width / 2 - 4 ? 1 : 0));
    expect(new GridMotion(GRID.width, GRID.height).estimate(brightness(frame), brightness(now), person)).toBeUndefined();
  });

  it('measures the largest displacement at the corners', () => {
    expect(largestDisplacement(Float64Array.from([0, 0, 3, 0, 0, 4]), 256, 144)).toBeCloseTo(5, 6);
    expect(largestDisplacement(Float64Array.from([0.01, 0, 0, 0, 0.01, 0]), 256, 144)).toBeCloseTo(0.01 * Math.hypot(127.5, 71.5), 6);
  });
});

describe('ViewFusion.follow', () => {
  const width = 32;
  const height = 8;
  const texture = (x: number) => 0.3 + 0.2 * Math.sin(x / 2);
  const plane = (f: (x: number) => number) => Float32Array.from({ length: width * height }, (_, i) => f(i % width));

  it('carries a view seen before a pan to where the picture now is, so both views still count', () => {
    // The person's edge at x = 12 before the pan, at x = 14 after it: the camera panned 2 px to the left.
    const fusion = new ViewFusion(width, height, 2);
    fusion.add(0, plane((x) => (x < 12 ? 1 : 0)), plane(texture));
    fusion.follow(Float64Array.from([0, 0, -2, 0, 0, 0]));
    const fused = fusion.add(1, plane((x) => (x < 14 ? 0.8 : 0)), plane((x) => texture(x - 2)));
    // Both views agree on the edge, and the earlier one counts (1 and 0.8 average to 0.9) on both sides of it.
    expect(fused[13]).toBeCloseTo(0.9, 5);
    expect(fused[14]).toBeCloseTo(0, 5);
    expect(fused[20]).toBeCloseTo(0, 5);
  });

  it('carries a view over several frames of motion at once, when it is next read', () => {
    const fusion = new ViewFusion(width, height, 2);
    fusion.add(0, plane((x) => (x < 12 ? 1 : 0)), plane(texture));
    // Two frames of a 1 px pan (the views are not read between them), then the new view.
    fusion.follow(Float64Array.from([0, 0, -1, 0, 0, 0]));
    fusion.follow(Float64Array.from([0, 0, -1, 0, 0, 0]));
    const fused = fusion.add(1, plane((x) => (x < 14 ? 0.8 : 0)), plane((x) => texture(x - 2)));
    expect(fused[13]).toBeCloseTo(0.9, 5);
    expect(fused[14]).toBeCloseTo(0, 5);
  });
});

describe('motion matrices', () => {
  it('turn a motion into a matrix on grid coordinates and back, and compose in order', () => {
    const motion = Float64Array.from([0.01, -0.02, 1.5, 0.03, -0.01, -2]);
    expect([...matrixMotion(motionMatrix(motion, 256, 144), 256, 144)].map((v) => +v.toFixed(9))).toEqual([...motion]);
    const shift = motionMatrix(Float64Array.from([0, 0, 3, 0, 0, 0]), 256, 144);
    const zoom = motionMatrix(Float64Array.from([0.1, 0, 0, 0, 0.1, 0]), 256, 144);
    // A point mapped by the shift, then by the zoom: (10, 20) -> (13, 20) -> 1.1 * ((13, 20) - centre) + centre.
    const [a, b, c, d, e, f] = composeMatrices(zoom, shift);
    expect(a * 10 + b * 20 + c).toBeCloseTo(1.1 * (13 - 127.5) + 127.5, 9);
    expect(d * 10 + e * 20 + f).toBeCloseTo(1.1 * (20 - 71.5) + 71.5, 9);
  });
});
