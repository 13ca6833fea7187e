import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { blendPerson } from '../../../src/composite/blend-person.js';
import { describePixelLoops, loadNativePixels, NATIVE_ADDON_PATH, nativePixels } from '../../../src/native/native-pixels.js';
import { cv } from '../../../src/opencv.js';

const SPACE = fileURLToPath(new URL('../../../assets/demo/space.jpg', import.meta.url));
const native = nativePixels.pixels;

describe('loading the native pixel loops', () => {
  // The install builds them (npm install runs build:native); on CI a failed build must fail the run, not
  // quietly leave the slower loops in place.
  it.runIf(process.env.CI)('are built and load on CI', () => {
    expect(nativePixels.reason).toBeUndefined();
    expect(describePixelLoops()).toBe('native');
  });

  it('say why the JavaScript loops run instead: turned off, not built, or not loadable', () => {
    expect(loadNativePixels({ BLURCAM_NATIVE: '0' }).reason).toMatch(/turned off by BLURCAM_NATIVE=0/);
    const missing = loadNativePixels({}, join(tmpdir(), 'no-such-dir', 'blurcam_native.node'));
    expect(missing.pixels).toBeUndefined();
    expect(missing.reason).toBe('not built');
    expect(describePixelLoops(missing)).toMatch(/^JavaScript \(native addon not built: run `npm run build:native`/);
    const junk = join(mkdtempSync(join(tmpdir(), 'blurcam-native-')), 'blurcam_native.node');
    writeFileSync(junk, 'not an addon');
    const broken = loadNativePixels({}, junk);
    expect(broken.reason).toMatch(/did not load/);
    expect(describePixelLoops(broken)).toMatch(/did not load .*npm run build:native/);
    expect(describePixelLoops({ turnedOff: true, reason: 'turned off by BLURCAM_NATIVE=0' })).toBe('JavaScript (native addon turned off by BLURCAM_NATIVE=0)');
  });

  it('load from where npm run build:native writes them', () => {
    expect(NATIVE_ADDON_PATH).toMatch(/src[/\\]native[/\\]build[/\\]Release[/\\]blurcam_native\.node$/);
  });
});

/** A mask with what a real one has: long runs of background and of person, and soft edges of every level between. */
function runsMask(pixels: number, seed: number): Uint8Array {
  const mask = new Uint8Array(pixels);
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < pixels; ) {
    const kind = random();
    const length = 1 + Math.floor(random() * (kind < 0.8 ? 60 : 6));
    for (let end = Math.min(pixels, i + length); i < end; i++) mask[i] = kind < 0.4 ? 0 : kind < 0.8 ? 255 : Math.floor(random() * 256);
  }
  return mask;
}

describe.runIf(native)('native blendPerson', () => {
  it('gives the same bytes as the JavaScript blend, on any alignment', () => {
    for (const [pixels, offset] of [[10_007, 0], [4_099, 1], [17, 3], [1, 0]]) {
      const mask = runsMask(pixels + offset, pixels).subarray(offset);
      const foreground = Uint8Array.from({ length: pixels * 4 }, (_, i) => (i * 37 + 11) % 256);
      const background = Uint8Array.from({ length: pixels * 4 }, (_, i) => (i * 53 + 7) % 256);
      const expected = Uint8Array.from(background);
      blendPerson(expected, foreground, mask);
      const out = Uint8Array.from(background);
      native?.blendPerson(out, foreground, mask);
      expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true);
    }
  });

  it('refuses what does not fit the mask, and anything but bytes, without touching memory', () => {
    const mask = new Uint8Array(100).fill(255);
    expect(() => native?.blendPerson(new Uint8Array(399), new Uint8Array(400), mask)).toThrow(/out holds 399 bytes, the sizes given need 400/);
    expect(() => native?.blendPerson(new Uint8Array(400), new Uint8Array(16), mask)).toThrow(RangeError);
    expect(() => native?.blendPerson(new Uint8Array(400), new Uint8Array(400), new Float32Array(100) as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => native?.blendPerson(new Uint8Array(400), 'pixels' as unknown as Uint8Array, mask)).toThrow(/foreground must be a Buffer or Uint8Array/);
    expect(() => (native?.blendPerson as unknown as (...args: unknown[]) => void)(new Uint8Array(4))).toThrow(/wrong number of arguments/);
  });
});

describe.runIf(native)('native layBackground', () => {
  const photo = cv.imread(SPACE);

  it('enlarges as OpenCV does (bilinear, pixel centres aligned): within one level at whole ratios, two at others', () => {
    const cases = [
      [160, 90, 1280, 720],
      [320, 180, 1280, 720],
      [171, 96, 1366, 768],
      [240, 135, 1920, 1080],
      [64, 48, 64, 48],
      [1, 1, 8, 6],
    ];
    for (const [sourceWidth, sourceHeight, width, height] of cases) {
      const source = photo.resize(sourceHeight, sourceWidth, 0, 0, cv.INTER_AREA).cvtColor(cv.COLOR_BGR2BGRA);
      const expected = source.resize(height, width, 0, 0, cv.INTER_LINEAR).getData();
      const out = Buffer.alloc(width * height * 4);
      native?.layBackground(out, width, height, source.getData(), sourceWidth, sourceHeight);
      let largest = 0;
      for (let i = 0; i < out.length; i++) largest = Math.max(largest, Math.abs(out[i] - expected[i]));
      // Weights in 1/128ths (16-bit lanes) against OpenCV's 1/2048ths: at a ratio like 1366/171 a weight can be
      // half a 128th off, a level on the sharpest step of this photo, plus a level of rounding.
      const whole = width % sourceWidth === 0 && height % sourceHeight === 0;
      expect(largest, `${sourceWidth}x${sourceHeight} -> ${width}x${height}`).toBeLessThanOrEqual(whole ? 1 : 2);
    }
  });

  it('refuses sizes its buffers do not hold, and sizes no frame has, without touching memory', () => {
    const source = new Uint8Array(16 * 9 * 4);
    const out = new Uint8Array(64 * 36 * 4);
    expect(() => native?.layBackground(out, 64, 37, source, 16, 9)).toThrow(/out holds 9216 bytes, the sizes given need 9472/);
    expect(() => native?.layBackground(out, 64, 36, source, 16, 10)).toThrow(/source holds 576 bytes/);
    for (const bad of [0, -4, 2.5, 20_000, Number.NaN]) expect(() => native?.layBackground(out, bad, 36, source, 16, 9)).toThrow(/width must be a whole number from 1 to 16384/);
    expect(() => native?.layBackground(out, '64' as unknown as number, 36, source, 16, 9)).toThrow(RangeError);
  });
});
