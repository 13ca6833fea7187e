/**
 * Mean over the (2r+1)x(2r+1) window around each pixel, counting only the pixels inside the picture.
 * Running sums along rows, then running column sums down the rows (both passes walk memory in order).
 * `out` may be `src`; `scratch` holds the horizontal pass.
 */
export function boxMean(src: Float32Array, width: number, height: number, radius: number, out: Float32Array, scratch: Float32Array): void {
  const inverseX = inverseCounts(width, radius);
  const inverseY = inverseCounts(height, radius);
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let sum = 0;
    for (let x = 0; x < Math.min(radius, width); x++) sum += src[row + x];
    for (let x = 0; x < width; x++) {
      if (x + radius < width) sum += src[row + x + radius];
      if (x > radius) sum -= src[row + x - radius - 1];
      scratch[row + x] = sum * inverseX[x];
    }
  }
  const columns = new Float64Array(width);
  for (let y = 0; y < Math.min(radius, height); y++) {
    for (let x = 0, i = y * width; x < width; x++, i++) columns[x] += scratch[i];
  }
  for (let y = 0; y < height; y++) {
    const entering = (y + radius) * width;
    const leaving = (y - radius - 1) * width;
    if (y + radius < height) for (let x = 0; x < width; x++) columns[x] += scratch[entering + x];
    if (y > radius) for (let x = 0; x < width; x++) columns[x] -= scratch[leaving + x];
    const scale = inverseY[y];
    for (let x = 0, i = y * width; x < width; x++, i++) out[i] = columns[x] * scale;
  }
}

/** 1 / the number of positions within `radius` of each index in [0, length). */
function inverseCounts(length: number, radius: number): Float64Array {
  const inverse = new Float64Array(length);
  for (let i = 0; i < length; i++) inverse[i] = 1 / (Math.min(length - 1, i + radius) - Math.max(0, i - radius) + 1);
  return inverse;
}
