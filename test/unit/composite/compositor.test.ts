import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../../src/capture/demo-scene.js';
import { Compositor } from '../../../src/composite/compositor.js';
import { coverImage } from '../../../src/composite/cover-image.js';
import { javascriptPixelLoops } from '../../../src/composite/pixel-loops.js';
import { type PixelLoops, nativePixels } from '../../../src/native/native-pixels.js';
import { cv, type Mat } from '../../../src/opencv.js';
import { FrameImage } from '../../../src/frame-image.js';

const SPACE = fileURLToPath(new URL('../../../assets/demo/space.jpg', import.meta.url));

/** Pixels (indices) where `mask` is 255 after shrinking it by `margin`, or 0 after growing it by `margin`. */
function region(mask: Mat, which: 'person' | 'background', margin: number): number[] {
  const kernel = cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(2 * margin + 1, 2 * margin + 1));
  const shaped = which === 'person' ? mask.erode(kernel) : mask.dilate(kernel);
  const data = shaped.getData();
  const wanted = which === 'person' ? 255 : 0;
  const pixels: number[] = [];
  for (let i = 0; i < data.length; i++) if (data[i] === wanted) pixels.push(i);
  return pixels;
}

/** How many of `pixels` differ between the BGRA output and a BGR picture. */
function differingPixels(bgra: Buffer, image: Mat, pixels: number[]): number {
  const bgr = image.getData();
  let differing = 0;
  for (const i of pixels) {
    if (bgra[i * 4] !== bgr[i * 3] || bgra[i * 4 + 1] !== bgr[i * 3 + 1] || bgra[i * 4 + 2] !== bgr[i * 3 + 2]) differing++;
  }
  return differing;
}

/** Mean absolute Laplacian (edge energy) of a BGR picture over some pixels: high when sharp, low when blurred. */
function sharpness(image: Mat, pixels: number[]): number {
  const laplacian = image.cvtColor(cv.COLOR_BGR2GRAY).laplacian(cv.CV_16S).convertTo(cv.CV_32F);
  const values = new Float32Array(laplacian.getData().buffer.slice(0));
  return pixels.reduce((sum, i) => sum + Math.abs(values[i]), 0) / pixels.length;
}

function bgraToBgr(bgra: Buffer, width: number, height: number): Mat {
  return new cv.Mat(bgra, height, width, cv.CV_8UC4).cvtColor(cv.COLOR_BGRA2BGR);
}

/** Both ways of compositing: the native loops (where built: always on CI) and the OpenCV and JavaScript ones. */
const PIXEL_LOOPS: Array<[string, PixelLoops]> = [
  ['OpenCV and JavaScript loops', javascriptPixelLoops],
  ...(nativePixels.pixels ? [['native loops', nativePixels.pixels] as [string, PixelLoops]] : []),
];

describe.each(PIXEL_LOOPS)('Compositor on the demo scene, with its true person mask (%s)', (_, pixelLoops) => {
  let image: Mat;
  let mask: Mat;
  let person: number[];
  let background: number[];

  beforeAll(() => {
    const frame = DemoScene.create(1280, 720).render(1.3, { withMask: true });
    image = frame.image;
    mask = frame.personMask as Mat;
    person = region(mask, 'person', 3);
    background = region(mask, 'background', 60);
  });

  it('blur: keeps the person pixel for pixel and blurs the background', () => {
    const out = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops).composite(new FrameImage(image), mask);
    expect(out.length).toBe(1280 * 720 * 4);
    expect(differingPixels(out, image, person)).toBe(0);
    const before = sharpness(image, background);
    const after = sharpness(bgraToBgr(out, 1280, 720), background);
    expect(before).toBeGreaterThan(2);
    expect(after).toBeLessThan(before / 5);
    for (let i = 3; i < out.length; i += 4 * 997) expect(out[i]).toBe(255);
  });

  it('replace: puts the picture, scaled to cover, behind the person', () => {
    const picture = cv.imread(SPACE);
    const out = new Compositor({ kind: 'replace', image: picture }, pixelLoops).composite(new FrameImage(image), mask);
    expect(background.length).toBeGreaterThan(400_000);
    expect(differingPixels(out, coverImage(picture, 1280, 720), background)).toBe(0);
    expect(differingPixels(out, image, person)).toBe(0);
  });

  it('none: passes the frame through as BGRA', () => {
    const compositor = new Compositor({ kind: 'none' }, pixelLoops);
    expect(compositor.needsMask).toBe(false);
    const out = compositor.composite(new FrameImage(image));
    expect(out.equals(image.cvtColor(cv.COLOR_BGR2BGRA).getData())).toBe(true);
  });

  it('writes into a buffer given back through recycle(), with the same result as a fresh one', () => {
    const compositor = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops);
    const first = compositor.composite(new FrameImage(image), mask);
    const expected = Buffer.from(first);
    compositor.recycle(first);
    const second = compositor.composite(new FrameImage(image), mask);
    expect(second).toBe(first);
    expect(second.equals(expected)).toBe(true);
    // A buffer not given back is never written again. (Compared by identity: toBe on 3.7 MB buffers that differ
    // in identity but not content compares them element by element, which takes a minute.)
    expect(compositor.composite(new FrameImage(image), mask) === second).toBe(false);
  });

  it("prepare: lays the blurred background before the mask from the last frame's mask; the person stays exact", () => {
    const compositor = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops);
    const first = new FrameImage(image);
    // Nothing to prepare from before a frame was composited.
    compositor.prepare(first);
    const unprepared = Buffer.from(compositor.composite(first, mask));
    const next = new FrameImage(image.copy());
    compositor.prepare(next);
    const prepared = compositor.composite(next, mask);
    expect(differingPixels(prepared, image, person)).toBe(0);
    // The same frame and mask: only the person's margin for motion changes which pixels feed the blur, so far from
    // the person the background is the same to a level or two.
    let largest = 0;
    for (const i of background) for (let c = 0; c < 3; c++) largest = Math.max(largest, Math.abs(prepared[i * 4 + c] - unprepared[i * 4 + c]));
    expect(largest).toBeLessThanOrEqual(2);
    expect(sharpness(bgraToBgr(prepared, 1280, 720), background)).toBeLessThan(sharpness(image, background) / 5);

    // The blur really comes from the mask before: after a frame whose mask was empty, the person's colours are
    // averaged into the background beside them.
    const empty = new cv.Mat(720, 1280, cv.CV_8UC1, 0);
    compositor.composite(new FrameImage(image), empty);
    const afterEmpty = new FrameImage(image.copy());
    compositor.prepare(afterEmpty);
    const bled = compositor.composite(afterEmpty, mask);
    let bleed = 0;
    for (const i of region(mask, 'background', 12)) for (let c = 0; c < 3; c++) bleed = Math.max(bleed, Math.abs(bled[i * 4 + c] - unprepared[i * 4 + c]));
    expect(bleed).toBeGreaterThan(10);
  });

  it('prepare, then another effect: the frame gets the effect in force when it is composited', () => {
    const compositor = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops);
    compositor.composite(new FrameImage(image), mask);
    const frame = new FrameImage(image);
    compositor.prepare(frame);
    const picture = cv.imread(SPACE);
    compositor.setEffect({ kind: 'replace', image: picture });
    const out = compositor.composite(frame, mask);
    expect(differingPixels(out, coverImage(picture, 1280, 720), background)).toBe(0);
    expect(differingPixels(out, image, person)).toBe(0);
  });

  it('refuses a missing mask or one of another size', () => {
    const compositor = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops);
    expect(() => compositor.composite(new FrameImage(image))).toThrow(/needs a mask/);
    expect(() => compositor.composite(new FrameImage(image), mask.resize(360, 640))).toThrow(/does not match/);
  });
});

describe.runIf(nativePixels.pixels)('Compositor: the native loops against the OpenCV and JavaScript ones', () => {
  it('give the same frames: the person exact, the background within two levels, prepared or not', () => {
    const scene = DemoScene.create(1280, 720);
    const outputs = PIXEL_LOOPS.map(([, pixelLoops]) => {
      const compositor = new Compositor({ kind: 'blur', strength: 0.5 }, pixelLoops);
      // Three frames of a moving scene, each prepared from the mask before, as the live path does.
      return [0.5, 0.6, 0.7].map((time) => {
        const frame = scene.render(time, { withMask: true });
        const image = new FrameImage(frame.image);
        compositor.prepare(image);
        return { out: Buffer.from(compositor.composite(image, frame.personMask as Mat)), mask: (frame.personMask as Mat).getData() };
      });
    });
    const [javascript, native] = outputs;
    for (let f = 0; f < javascript.length; f++) {
      const { out: expected, mask } = javascript[f];
      const { out } = native[f];
      let largest = 0;
      let personDiffering = 0;
      for (let i = 0; i < mask.length; i++) {
        for (let c = 0; c < 4; c++) {
          const difference = Math.abs(out[i * 4 + c] - expected[i * 4 + c]);
          if (mask[i] === 255 && difference !== 0) personDiffering++;
          largest = Math.max(largest, difference);
        }
      }
      expect(personDiffering).toBe(0);
      expect(largest).toBeLessThanOrEqual(2);
      // The background really is compared: it differs somewhere (the enlargements round differently).
      expect(largest).toBeGreaterThan(0);
    }
  });
});
