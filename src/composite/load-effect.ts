import { existsSync, readFileSync } from 'node:fs';
import { BlurcamError, describeError } from '../errors.js';
import { DEFAULT_MAX_MEGAPIXELS, checkImageSize } from '../files/image-size.js';
import { cv, type Mat } from '../opencv.js';
import type { Effect } from './effect.js';

export interface EffectOptions {
  effect: 'blur' | 'replace' | 'none';
  blurStrength: number;
  /** An image path; implies the 'replace' effect. */
  background?: string;
}

/**
 * Turns --effect, --blur-strength and --background (checked at the edge, src/config.ts: 'replace' comes with a
 * background) into an Effect, loading the replacement image.
 */
export function loadEffect({ effect, blurStrength, background }: EffectOptions): Effect {
  if (background !== undefined && background !== '') return { kind: 'replace', image: readBackground(background) };
  if (effect === 'replace') throw new Error('loadEffect: the replace effect needs a background');
  return effect === 'none' ? { kind: 'none' } : { kind: 'blur', strength: blurStrength };
}

const BACKGROUND_HINT = 'Use a .jpg or .png image.';

/** Reads the image a 'replace' effect puts behind the person; throws PATH_NOT_FOUND or IMAGE_UNREADABLE. */
export function readBackground(path: string): Mat {
  if (!existsSync(path)) {
    throw new BlurcamError('PATH_NOT_FOUND', `--background ${path}: no such file.`, 'Check the path to the image.');
  }
  let image: Mat;
  try {
    const bytes = readFileSync(path);
    checkImageSize(bytes, `--background ${path}`, {
      maxMegapixels: DEFAULT_MAX_MEGAPIXELS,
      unreadableHint: BACKGROUND_HINT,
      tooLargeHint: 'Scale it down to about the frame size: it is scaled to the frame anyway.',
    });
    image = cv.imdecode(bytes);
  } catch (error) {
    if (error instanceof BlurcamError) throw error;
    throw unreadable(path, error);
  }
  if (image.empty) throw unreadable(path);
  return image;
}

function unreadable(path: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'IMAGE_UNREADABLE',
    `--background ${path} is not an image blurcam can read${cause ? ` (${describeError(cause)})` : ''}.`,
    BACKGROUND_HINT,
    { cause },
  );
}
