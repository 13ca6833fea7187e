import { FrameImage } from '../frame-image.js';
import { cv, type Mat, type Track, withScratch } from '../opencv.js';

/**
 * The work happens on a copy shrunk by 4 or 8 (more blur, more shrink): enough to make it cheap at any resolution,
 * and the Gaussian that follows hides the steps when the result is enlarged back.
 */
const MIN_HALVINGS = 2;
const MAX_HALVINGS = 3;
/** Mask level (0..255, averaged at low resolution) from which a pixel no longer counts as background. */
const PERSON_LEVEL = 64;
/** Weight of the coarse fill, so it shows only where hardly any background lies within the blur radius. */
const FILL_WEIGHT = 0.01;
/** The coarse fill works on a copy 16 times smaller again than the blur's. */
const FILL_SHRINK = 16;

/**
 * Blur radius (Gaussian sigma in pixels of the full frame) for a strength from 0 to 1. Proportional to the frame
 * height, so a strength looks the same at 720p and 1080p: at 720p, 0 gives sigma 4 (barely), 0.5 gives 17 (about
 * a 55x55 kernel, the usual "blurred background" look) and 1 gives 30.
 */
export function blurSigmaPx(strength: number, frameHeight: number): number {
  return frameHeight * (0.006 + 0.036 * strength);
}

/**
 * The background of `image` blurred as if the person were not there: a "masked blur" that averages only background
 * pixels (weights from the mask, renormalised after blurring), so the person's colours never bleed into the blurred
 * background as a halo. Where no background lies within the blur radius (deep inside the person, hidden by the
 * blend anyway) a much coarser average fills in.
 *
 * `image` is 8-bit BGR, `mask` CV_8UC1 of the same size (255 = person); returns 8-bit BGR of the same size.
 */
export function maskedBlur(image: Mat, mask: Mat, strength: number): Mat {
  return withScratch((track) => track(shrunkMaskedBlur(new FrameImage(image), mask, strength)).resize(image.rows, image.cols, 0, 0, cv.INTER_LINEAR));
}

/**
 * maskedBlur before its last step: the blurred background at the reduced size it is computed at (a 4th or 8th),
 * 8-bit BGR, or BGRA (opaque) when `channels` is 4. `growMask` widens the person by that many reduced pixels first:
 * for a mask from an earlier frame, which the person may have moved out of since (one reduced pixel is 4 or 8
 * frame pixels).
 */
export function shrunkMaskedBlur(image: FrameImage, mask: Mat, strength: number, growMask = 0, channels: 3 | 4 = 3): Mat {
  return withScratch((track) => {
    const sigma = blurSigmaPx(strength, image.height);
    const halvings = Math.min(MAX_HALVINGS, Math.max(MIN_HALVINGS, Math.floor(Math.log2(sigma)) - 1));
    // The first halving is the frame's own half-size copy, shared with the segmenter; it is not ours to free.
    const smallImage = shrinkByHalves(image.halfSize(), halvings - 1, track);
    let smallMask = shrinkByHalves(mask, halvings, track);
    if (growMask > 0) {
      const side = 2 * growMask + 1;
      smallMask = track(smallMask.dilate(track(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(side, side)))));
    }
    const { cols: width, rows: height } = smallImage;
    const pixels = width * height;
    const colours = smallImage.getData();
    const levels = smallMask.getData();

    // Premultiplied background colour and its weight, as one 4-channel plane (one blur for both). A shrunk pixel
    // that holds a notable part of the person (mask average above PERSON_LEVEL) gets no weight at all: it would
    // carry the person's colour outward.
    const weighted = new Float32Array(pixels * 4);
    for (let i = 0, j = 0, k = 0; i < pixels; i++, j += 3, k += 4) {
      const w = Math.max(0, 1 - levels[i] / PERSON_LEVEL);
      weighted[k] = colours[j] * w;
      weighted[k + 1] = colours[j + 1] * w;
      weighted[k + 2] = colours[j + 2] * w;
      weighted[k + 3] = w;
    }
    const weightedMat = track(floatMat4(weighted, height, width));
    const smallSigma = sigma / 2 ** halvings;
    const blurred = floatData(track(weightedMat.gaussianBlur(new cv.Size(0, 0), smallSigma, smallSigma, cv.BORDER_REPLICATE)));
    const fill = coarseFill(weightedMat, track);

    // Clamped stores round to the nearest level instead of truncating.
    const result = new Uint8ClampedArray(pixels * channels);
    for (let i = 0, j = 0, k = 0; i < pixels; i++, j += 3, k += 4) {
      const norm = 1 / (blurred[k + 3] + FILL_WEIGHT);
      const o = i * channels;
      result[o] = (blurred[k] + FILL_WEIGHT * fill[j]) * norm;
      result[o + 1] = (blurred[k + 1] + FILL_WEIGHT * fill[j + 1]) * norm;
      result[o + 2] = (blurred[k + 2] + FILL_WEIGHT * fill[j + 2]) * norm;
      if (channels === 4) result[o + 3] = 255;
    }
    // The copy lets go of the JavaScript memory the wrapping Mat points into.
    return track(new cv.Mat(height, width, channels === 4 ? cv.CV_8UC4 : cv.CV_8UC3, Buffer.from(result.buffer))).copy();
  });
}

/** Halves the size `times` times with area averaging (much faster in steps of 2 than in one step of 4 or 8). */
function shrinkByHalves(mat: Mat, times: number, track: Track): Mat {
  let shrunk = mat;
  for (let i = 0; i < times; i++) {
    shrunk = track(shrunk.resize(Math.max(1, Math.round(shrunk.rows / 2)), Math.max(1, Math.round(shrunk.cols / 2)), 0, 0, cv.INTER_AREA));
  }
  return shrunk;
}

/**
 * The background colour averaged over about a tenth of the frame, at the shrunk size: what fills the places the
 * real blur cannot reach. Falls back to the frame's mean background colour, and to mid grey when the whole frame is
 * person. `weighted` is the premultiplied colour and its weight (4 channels); returns 8-bit BGR.
 */
function coarseFill(weighted: Mat, track: Track): Uint8Array {
  const { cols: width, rows: height } = weighted;
  const tinyWidth = Math.max(1, Math.round(width / FILL_SHRINK));
  const tinyHeight = Math.max(1, Math.round(height / FILL_SHRINK));
  const tiny = floatData(
    track(track(weighted.resize(tinyHeight, tinyWidth, 0, 0, cv.INTER_AREA)).gaussianBlur(new cv.Size(0, 0), 1.5, 1.5, cv.BORDER_REPLICATE)),
  );
  const pixels = tinyWidth * tinyHeight;

  const mean = [127, 127, 127];
  const sums = [0, 0, 0];
  let total = 0;
  for (let i = 0, k = 0; i < pixels; i++, k += 4) {
    total += tiny[k + 3];
    for (let c = 0; c < 3; c++) sums[c] += tiny[k + c];
  }
  if (total > 0) for (let c = 0; c < 3; c++) mean[c] = sums[c] / total;

  const fill = new Uint8ClampedArray(pixels * 3);
  for (let i = 0, j = 0, k = 0; i < pixels; i++, j += 3, k += 4) {
    for (let c = 0; c < 3; c++) fill[j + c] = (tiny[k + c] + FILL_WEIGHT * mean[c]) / (tiny[k + 3] + FILL_WEIGHT);
  }
  const tinyFill = track(new cv.Mat(tinyHeight, tinyWidth, cv.CV_8UC3, Buffer.from(fill.buffer)));
  return track(tinyFill.resize(height, width, 0, 0, cv.INTER_LINEAR)).getData();
}

/** Wraps 4-channel float samples as an OpenCV matrix without copying (the Mat lives no longer than the array here). */
function floatMat4(data: Float32Array, rows: number, cols: number): Mat {
  return new cv.Mat(rows, cols, cv.CV_32FC4, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

function floatData(mat: Mat): Float32Array {
  const data = mat.getData();
  // A small Buffer may sit unaligned inside Node's shared pool; a float view needs 4-byte alignment.
  if (data.byteOffset % 4 !== 0) return new Float32Array(new Uint8Array(data).buffer);
  return new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4);
}
