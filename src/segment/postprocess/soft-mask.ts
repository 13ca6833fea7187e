import { cv, type Mat, withScratch } from '../../opencv.js';

/**
 * The 8-bit mask value (255 = person) of a person probability: a linear ramp `softness` wide centred on
 * `threshold`, so the edge is soft rather than a staircase and a value >= 128 still means "person" exactly
 * where probability >= threshold. `inverseSoftness` is 1 / softness, or 0 for a hard edge.
 */
export function softMaskValue(probability: number, threshold: number, inverseSoftness: number): number {
  if (inverseSoftness === 0) return probability >= threshold ? 255 : 0;
  const level = (probability - threshold) * inverseSoftness + 0.5;
  return level <= 0 ? 0 : level >= 1 ? 255 : (level * 255 + 0.5) | 0;
}

/** softMaskValue over a whole plane. */
export function softMask(prob: Float32Array, threshold: number, softness: number, out: Uint8Array): void {
  const inverseSoftness = softness > 0 ? 1 / softness : 0;
  for (let i = 0; i < prob.length; i++) out[i] = softMaskValue(prob[i], threshold, inverseSoftness);
}

/**
 * The 8-bit mask (255 = person) of `width` x `height` from a coarser probability plane (CV_32FC1): the
 * probability is enlarged bilinearly first and only then put through the ramp, so the edge lands where the
 * interpolated probability crosses the threshold, between grid pixels. Ramping on the grid and enlarging the 8-bit
 * result instead moves the edge where the ramp clips (eval clips: boundary F1 0.575 against 0.585). `growPx` then
 * widens the person by that many pixels (a dilation: flat, half-sure areas beside the person stay out).
 *
 * The probability is enlarged as 8 bits (0..1 as 0..255, the whole range, so nothing clips before the ramp): a
 * quarter of the memory a float plane the frame's size takes, and OpenCV's 8-bit resize is its fastest. The levels
 * are 1/255 of probability apart, so the edge moves by less than that (a hundredth of a grid pixel on a usual
 * outline); the ramp then spreads them over its width, softness * 255 levels.
 */
export function enlargedSoftMask(prob: Mat, width: number, height: number, threshold: number, softness: number, growPx = 0): Mat {
  return withScratch((track) => {
    const levels = track(prob.convertTo(cv.CV_8U, 255));
    const enlarged = levels.cols === width && levels.rows === height ? levels : track(levels.resize(height, width, 0, 0, cv.INTER_LINEAR));
    // The 8-bit conversion saturates: below the ramp gives 0, above it 255. Without softness, a level at or above
    // the threshold's is person.
    const mask =
      softness === 0
        ? enlarged.threshold(Math.ceil(threshold * 255) - 0.5, 255, cv.THRESH_BINARY)
        : enlarged.convertTo(cv.CV_8U, 1 / softness, -(threshold - softness / 2) * (255 / softness));
    if (growPx <= 0) return mask;
    track(mask);
    const side = 2 * growPx + 1;
    return mask.dilate(track(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(side, side))));
  });
}
