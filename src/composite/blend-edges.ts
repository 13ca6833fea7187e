/**
 * The last step of the blend, in place: `out` (BGRA, 4 bytes a pixel) already holds the background everywhere
 * and the person where the mask is 255 (OpenCV copies those in bulk, much faster than any per-pixel loop); this
 * mixes the person's colour into the soft edge, the pixels whose mask lies strictly between 0 and 255.
 *
 * `foreground` is the frame, BGR (3 bytes a pixel), `mask` one byte a pixel (255 = person), all tightly packed row
 * after row. The mask is scanned four pixels at a time, so the large all-person and all-background areas cost
 * almost nothing.
 */
export function blendEdges(out: Uint8Array, foreground: Uint8Array, mask: Uint8Array): void {
  const pixels = mask.length;
  if (foreground.length !== pixels * 3 || out.length < pixels * 4) {
    throw new RangeError(`blendEdges: buffer sizes do not match a ${pixels}-pixel mask`);
  }
  const wholeWords = pixels >> 2;
  const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, wholeWords) : undefined;
  for (let word = 0; word < wholeWords; word++) {
    if (words) {
      const four = words[word];
      if (four === 0 || four === 0xffffffff) continue;
    }
    for (let i = word << 2, end = i + 4; i < end; i++) mixPixel(out, foreground, i, mask[i]);
  }
  for (let i = wholeWords << 2; i < pixels; i++) mixPixel(out, foreground, i, mask[i]);
}

function mixPixel(out: Uint8Array, foreground: Uint8Array, i: number, alpha: number): void {
  if (alpha === 0 || alpha === 255) return;
  const o = i * 4;
  const f = i * 3;
  out[o] += mulDiv255(foreground[f] - out[o], alpha);
  out[o + 1] += mulDiv255(foreground[f + 1] - out[o + 1], alpha);
  out[o + 2] += mulDiv255(foreground[f + 2] - out[o + 2], alpha);
}

/** value * alpha / 255, rounded, without a division (within 1 of the exact result for |value|, alpha <= 255). */
function mulDiv255(value: number, alpha: number): number {
  const t = value * alpha + 128;
  return (t + (t >> 8)) >> 8;
}
