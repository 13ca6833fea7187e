/**
 * Reorders the axes of a dense row-major tensor: output axis i is input axis perm[i] (numpy's transpose).
 * Used to move TFLite's channels-last weights into ONNX's channels-first layouts.
 */
export function permuteTensor(
  data: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((axis, i) => axis !== i)) {
    throw new RangeError(`[${perm}] is not a permutation of ${rank} axes`);
  }
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count !== data.length) throw new RangeError(`shape [${shape}] holds ${count} values, the data ${data.length}`);

  const inputStrides = new Array<number>(rank);
  for (let axis = rank - 1, stride = 1; axis >= 0; axis--) {
    inputStrides[axis] = stride;
    stride *= shape[axis];
  }
  const outShape = perm.map((axis) => shape[axis]);
  const outStrides = perm.map((axis) => inputStrides[axis]);
  const out = new Float32Array(count);
  // Walk the output in order like an odometer, keeping the matching input offset up to date.
  const index = new Array<number>(rank).fill(0);
  let from = 0;
  for (let to = 0; to < count; to++) {
    out[to] = data[from];
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]++;
      from += outStrides[axis];
      if (index[axis] < outShape[axis]) break;
      from -= outStrides[axis] * outShape[axis];
      index[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}
