/**
 * TensorFlow's 'SAME' padding along one axis, made explicit for ONNX (whose SAME_UPPER auto_pad some
 * runtimes, CoreML among them, do not take). The output keeps ceil(input / stride) positions; when the
 * padding is odd, the extra pixel goes at the end.
 */
export function samePadding(
  inputSize: number,
  kernelSize: number,
  stride: number,
  dilation = 1,
): { begin: number; end: number; outputSize: number } {
  const outputSize = Math.ceil(inputSize / stride);
  const effectiveKernel = (kernelSize - 1) * dilation + 1;
  const total = Math.max((outputSize - 1) * stride + effectiveKernel - inputSize, 0);
  const begin = Math.floor(total / 2);
  return { begin, end: total - begin, outputSize };
}
