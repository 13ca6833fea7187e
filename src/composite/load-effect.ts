import { existsSync } from 'node:fs';
import { checkRange } from '../config.js';
import { BlurcamError, describeError } from '../errors.js';
import { cv, type Mat } from '../opencv.js';
import type { Effect } from './effect.js';

export interface EffectOptions {
  effect: string;
  blurStrength: number;
  /** An image path; implies the 'replace' effect. */
  background?: string;
}

/** Turns --effect, --blur-strength and --background into an Effect, loading the replacement image. */
export function loadEffect({ effect, blurStrength, background }: EffectOptions): Effect {
  if (background !== undefined && background !== '') return { kind: 'replace', image: readBackground(background) };
  switch (effect) {
    case 'blur':
      return { kind: 'blur', strength: checkRange('blur-strength', blurStrength, 0, 1) };
    case 'none':
      return { kind: 'none' };
    case 'replace':
      throw new BlurcamError('BAD_OPTION', '--effect replace needs an image to put behind you.', 'Add --background PATH (a .jpg or .png).');
    default:
      throw new BlurcamError('BAD_OPTION', `--effect "${effect}" is not an effect.`, 'Use --effect blur, replace or none.');
  }
}

/** Reads the image a 'replace' effect puts behind the person; throws PATH_NOT_FOUND or IMAGE_UNREADABLE. */
export function readBackground(path: string): Mat {
  if (!existsSync(path)) {
    throw new BlurcamError('PATH_NOT_FOUND', `--background ${path}: no such file.`, 'Check the path to the image.');
  }
  let image: Mat;
  try {
    image = cv.imread(path);
  } catch (error) {
    throw unreadable(path, error);
  }
  if (image.empty) throw unreadable(path);
  return image;
}

function unreadable(path: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'IMAGE_UNREADABLE',
    `--background ${path} is not an image blurcam can read${cause ? ` (${describeError(cause)})` : ''}.`,
    'Use a .jpg or .png image.',
    { cause },
  );
}
