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
