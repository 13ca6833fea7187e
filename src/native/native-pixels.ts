import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The compositor's two frame-sized loops. In C (src/native/*.c, built by `npm run build:native`, part of `npm
 * install`) or, when the addon is not built, in OpenCV and JavaScript (composite/pixel-loops.ts), with the same
 * frames (the background within a level or two): at 720p on the bench clip C took 0.52 ms against 0.80
 * (blendPerson) and 0.52 against 0.76 (layBackground), docs/pipeline.md.
 */
export interface PixelLoops {
  /** As blendPerson in composite/blend-person.ts: the person from `foreground` (BGRA) put on `out` (BGRA) by `mask`. */
  blendPerson(out: Uint8Array, foreground: Uint8Array, mask: Uint8Array): void;
  /** `out` (BGRA, width x height) filled with `source` (BGRA, sourceWidth x sourceHeight) enlarged bilinearly. */
  layBackground(out: Uint8Array, width: number, height: number, source: Uint8Array, sourceWidth: number, sourceHeight: number): void;
}

/** Where node-gyp writes the addon; the same path from src/native/ and from dist/native/. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../src/native/build/Release/blurcam_native.node', import.meta.url));

/** What to do when the addon is missing or broken. */
export const NATIVE_BUILD_FIX = 'run `npm run build:native` in the blurcam folder (it needs a C compiler: xcode-select --install on a Mac, build-essential on Debian)';

/** The addon, or why the JavaScript loops run instead: turned off on purpose, or missing or broken (fixed by NATIVE_BUILD_FIX). */
export type NativePixelsState = { pixels: PixelLoops; turnedOff?: undefined; reason?: undefined } | { pixels?: undefined; turnedOff: boolean; reason: string };

/** BLURCAM_NATIVE=0 runs the JavaScript loops although the addon is built: to compare the two, or to rule it out. */
export function loadNativePixels(env: NodeJS.ProcessEnv = process.env, path = NATIVE_ADDON_PATH): NativePixelsState {
  if (env.BLURCAM_NATIVE === '0') return { turnedOff: true, reason: 'turned off by BLURCAM_NATIVE=0' };
  if (!existsSync(path)) return { turnedOff: false, reason: 'not built' };
  try {
    const pixels = createRequire(import.meta.url)(path) as PixelLoops;
    if (typeof pixels.blendPerson !== 'function' || typeof pixels.layBackground !== 'function') {
      return { turnedOff: false, reason: `${path} is not this version's addon` };
    }
    return { pixels };
  } catch (error) {
    return { turnedOff: false, reason: `${path} did not load (${error instanceof Error ? error.message : String(error)})` };
  }
}

/** Loaded once, for every compositor of the process. */
export const nativePixels: NativePixelsState = loadNativePixels();

/** One phrase for reports: which loops composite the frames. */
export function describePixelLoops(state: NativePixelsState = nativePixels): string {
  if (state.pixels) return 'native';
  return `JavaScript (native addon ${state.reason}${state.turnedOff ? '' : `: ${NATIVE_BUILD_FIX}`})`;
}
