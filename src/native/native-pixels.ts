import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The compositor's two frame-sized loops in C (src/native/*.c), built by `npm run build:native` (part of `npm
 * install`). Each has a JavaScript and OpenCV twin in src/composite/ that runs when the addon is not built, with
 * the same result (the background within a level or two): at 720p on the bench clip they took 0.52 ms against 0.80
 * (blendPerson) and 0.52 against 0.76 (layBackground), docs/pipeline.md.
 */
export interface NativePixels {
  /** As blendPerson in composite/blend-person.ts: the person from `foreground` (BGRA) put on `out` (BGRA) by `mask`. */
  blendPerson(out: Uint8Array, foreground: Uint8Array, mask: Uint8Array): void;
  /** `out` (BGRA, width x height) filled with `source` (BGRA, sourceWidth x sourceHeight) enlarged bilinearly. */
  layBackground(out: Uint8Array, width: number, height: number, source: Uint8Array, sourceWidth: number, sourceHeight: number): void;
}

/** Where node-gyp writes the addon; the same path from src/native/ and from dist/native/. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../src/native/build/Release/blurcam_native.node', import.meta.url));

/** The addon, or why the JavaScript loops run instead. */
export type NativePixelsState = { pixels: NativePixels; reason?: undefined } | { pixels?: undefined; reason: string };

/** BLURCAM_NATIVE=0 runs the JavaScript loops although the addon is built: to compare the two, or to rule it out. */
export function loadNativePixels(env: NodeJS.ProcessEnv = process.env, path = NATIVE_ADDON_PATH): NativePixelsState {
  if (env.BLURCAM_NATIVE === '0') return { reason: 'turned off by BLURCAM_NATIVE=0' };
  if (!existsSync(path)) return { reason: 'not built: run `npm run build:native` (it needs a C compiler: Xcode Command Line Tools on a Mac)' };
  try {
    const pixels = createRequire(import.meta.url)(path) as NativePixels;
    if (typeof pixels.blendPerson !== 'function' || typeof pixels.layBackground !== 'function') {
      return { reason: `${path} is not this version's addon: run \`npm run build:native\`` };
    }
    return { pixels };
  } catch (error) {
    return { reason: `${path} did not load (${error instanceof Error ? error.message : String(error)}): run \`npm run build:native\`` };
  }
}

/** Loaded once, for every compositor of the process. */
export const nativePixels: NativePixelsState = loadNativePixels();

/** One phrase for reports: which loops composite the frames. */
export function describePixelLoops(state: NativePixelsState = nativePixels): string {
  return state.pixels ? 'native' : `JavaScript (native addon ${state.reason})`;
}
