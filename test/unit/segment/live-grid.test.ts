import { describe, expect, it } from 'vitest';
import { type GridFrame, LiveGrid } from '../../../src/segment/live-grid.js';

const WIDTH = 64;
const HEIGHT = 36;
const SIZE = { width: WIDTH, height: HEIGHT };

/**
 * A scene panning right by one pixel a frame: stripes on the left for the motion to be seen, flat grey on the right,
 * and a person (a disc) on the grey whose colour is as bright as the grey: where person and background look alike
 * in brightness, only the camera's motion can tell an earlier view's edge from today's.
 */
function scene(t: number): { frame: GridFrame; person: (x: number, y: number) => boolean } {
  const person = (x: number, y: number) => Math.hypot(x - t - 40, y - 18) < 9;
  const small = new Uint8Array(WIDTH * HEIGHT * 3);
  const brightness = new Float32Array(WIDTH * HEIGHT);
  for (let y = 0; y < HEIGHT; y++) {
    for (let x = 0; x < WIDTH; x++) {
      const i = y * WIDTH + x;
      const stripes = x - t < 24 ? Math.round(128 + 60 * Math.sin((x - t) / 1.5) * Math.cos(y / 2)) : 128;
      // BGR; the person's colour has the grey's brightness (0.114 B + 0.587 G + 0.299 R = 128).
      const [b, g, r] = person(x, y) ? [140, 112, 167] : [stripes, stripes, stripes];
      small.set([b, g, r], i * 3);
      brightness[i] = (0.114 * b + 0.587 * g + 0.299 * r) / 255;
    }
  }
  return { frame: { small, brightness, colours: small }, person };
}

/** A model that knows the person by colour: the same for a view and its mirror image, as a good model would be. */
async function runModel(bgr: Uint8Array): Promise<Float32Array> {
  return Float32Array.from({ length: WIDTH * HEIGHT }, (_, i) => (bgr[i * 3 + 2] > 150 && bgr[i * 3 + 1] < 130 ? 1 : 0));
}

describe('LiveGrid', () => {
  it("keeps the person's edge sharp while the camera pans, carrying the earlier view along with the picture", async () => {
    const grid = new LiveGrid(SIZE, SIZE, 'cycle');
    let last: { prob: Float32Array; person: (x: number, y: number) => boolean } | undefined;
    for (let t = 0; t < 8; t++) {
      const { frame, person } = scene(t);
      const { prob } = await grid.frame(frame, runModel);
      last = { prob: Float32Array.from(prob), person };
    }
    const { prob, person } = last as NonNullable<typeof last>;
    // Along the row through the disc's centre the edge stays sharp (within 0.05 here): without following the
    // motion, the earlier view, a pixel behind, counts where both look alike and smears the edge over 7 pixels
    // (errors up to 0.3).
    for (let x = 0; x < WIDTH; x++) expect(Math.abs(prob[18 * WIDTH + x] - (person(x, 18) ? 1 : 0))).toBeLessThan(0.1);
  });

  it('runs one view a frame after the first, which runs them all', async () => {
    const grid = new LiveGrid(SIZE, SIZE, 'cycle');
    expect((await grid.frame(scene(0).frame, runModel)).inferences).toBe(2);
    expect((await grid.frame(scene(0).frame, runModel)).inferences).toBe(1);
    grid.reset();
    expect((await grid.frame(scene(0).frame, runModel)).inferences).toBe(2);
  });
});
