import { cv, type Mat, withScratch } from '../opencv.js';

const WIDTH = 1280;
const HEIGHT = 720;
/** Top-left and bottom-right colours (BGR) of the gradient: a muted teal into a warm grey, easy on faces. */
const FROM_BGR = [96, 86, 44];
const TO_BGR = [150, 160, 168];

let cached: Mat | undefined;

/**
 * blurcam's own replacement background, for a "replace" scene that names no image: a soft diagonal gradient,
 * generated (no file to ship or find). Made once; callers must not free it.
 */
export function builtInBackdrop(): Mat {
  cached ??= withScratch((track) => {
    const ramp = Buffer.alloc(WIDTH * HEIGHT * 3);
    for (let y = 0, i = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const t = (x / WIDTH + y / HEIGHT) / 2;
        for (let c = 0; c < 3; c++) ramp[i++] = Math.round(FROM_BGR[c] + (TO_BGR[c] - FROM_BGR[c]) * t);
      }
    }
    // The copy lets go of the JavaScript memory the wrapping Mat points into.
    return track(new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC3, ramp)).copy();
  });
  return cached;
}
