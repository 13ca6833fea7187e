import { nativePixels, type PixelLoops } from '../native/native-pixels.js';
import { bufferOver, cv, withScratch } from '../opencv.js';
import { blendPerson } from './blend-person.js';

/** The compositor's two frame-sized loops in OpenCV and JavaScript: what runs when the native addon is not built. */
export const javascriptPixelLoops: PixelLoops = {
  blendPerson,
  layBackground(out, width, height, source, sourceWidth, sourceHeight) {
    withScratch((track) => {
      // These Mat constructors wrap the buffers' memory without copying.
      const small = track(new cv.Mat(sourceHeight, sourceWidth, cv.CV_8UC4, bufferOver(source)));
      track(small.resize(height, width, 0, 0, cv.INTER_LINEAR)).copyTo(track(new cv.Mat(height, width, cv.CV_8UC4, bufferOver(out))));
    });
  },
};

/** The loops compositors use unless told otherwise: the native ones when built (BLURCAM_NATIVE=0 turns them off). */
export const defaultPixelLoops: PixelLoops = nativePixels.pixels ?? javascriptPixelLoops;
