import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBlurcamError } from '../../../src/errors.js';
import { bundledModelPath } from '../../../src/convert/convert-models.js';
import { BuiltinOperator, readTflite, TensorType } from '../../../src/convert/read-tflite.js';

const SQUARE = 'selfie_segmentation.tflite';
const LANDSCAPE = 'selfie_segmentation_landscape.tflite';
const read = (name: string) => new Uint8Array(readFileSync(bundledModelPath(name)));

function expectInvalid(bytes: Uint8Array, reason: RegExp): void {
  try {
    readTflite(bytes, 'broken.tflite');
  } catch (error) {
    expect(isBlurcamError(error, 'MODEL_INVALID')).toBe(true);
    expect((error as Error).message).toMatch(/^broken\.tflite is not a valid TFLite model: /);
    expect((error as Error).message).toMatch(reason);
    return;
  }
  throw new Error('readTflite accepted a broken file');
}

describe('readTflite on the packaged models', () => {
  const square = readTflite(read(SQUARE), SQUARE);
  const graph = square.subgraphs[0];
  const codeOf = (operatorIndex: number) => square.operatorCodes[graph.operators[operatorIndex].opcodeIndex];

  it('reads the model, subgraph, input and output', () => {
    expect(square.version).toBe(3);
    expect(square.subgraphs).toHaveLength(1);
    expect(graph.operators).toHaveLength(246);
    const [input] = graph.inputs.map((i) => graph.tensors[i]);
    const [output] = graph.outputs.map((i) => graph.tensors[i]);
    expect(input).toMatchObject({ name: 'input_1', shape: [1, 256, 256, 3], type: TensorType.FLOAT32, buffer: 0 });
    expect(output).toMatchObject({ name: 'activation_10', shape: [1, 256, 256, 1], type: TensorType.FLOAT32 });
    expect(square.buffers[0]).toHaveLength(0);
  });

  it('reads operator codes, builtin and custom', () => {
    const codes = square.operatorCodes.map((code) => code.customCode ?? code.builtinCode);
    expect(codes).toEqual(
      expect.arrayContaining([
        BuiltinOperator.CONV_2D,
        BuiltinOperator.DEPTHWISE_CONV_2D,
        BuiltinOperator.HARD_SWISH,
        BuiltinOperator.DEQUANTIZE,
        BuiltinOperator.AVERAGE_POOL_2D,
        BuiltinOperator.RESIZE_BILINEAR,
        'Convolution2DTransposeBias',
      ]),
    );
  });

  it('reads fp16 weights, their DEQUANTIZE ops and the first convolution with its options', () => {
    expect(codeOf(0).builtinCode).toBe(BuiltinOperator.DEQUANTIZE);
    const kernel = graph.tensors[graph.operators[0].inputs[0]];
    expect(kernel).toMatchObject({ name: 'conv2d/Kernel', shape: [16, 3, 3, 3], type: TensorType.FLOAT16 });
    expect(square.buffers[kernel.buffer]).toHaveLength(16 * 3 * 3 * 3 * 2);

    expect(codeOf(2).builtinCode).toBe(BuiltinOperator.CONV_2D);
    expect(graph.operators[2].options).toEqual({
      kind: 'conv2d',
      padding: 'SAME',
      strideW: 2,
      strideH: 2,
      activation: 'NONE',
      dilationW: 1,
      dilationH: 1,
    });
  });

  it('reads pooling, resize and the custom op options', () => {
    const options = graph.operators.map((op) => op.options);
    expect(options).toContainEqual({ kind: 'pool2d', padding: 'VALID', strideW: 64, strideH: 64, filterW: 64, filterH: 64, activation: 'NONE' });
    expect(options).toContainEqual({ kind: 'resizeBilinear', alignCorners: false, halfPixelCenters: true });
    const custom = graph.operators.filter((op) => square.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.CUSTOM);
    expect(custom).toHaveLength(1);
    // TfLiteTransposeConvParams: padding 1 (same), stride_width 2, stride_height 2.
    expect(Array.from(custom[0].customOptions ?? [])).toEqual([1, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0]);
  });

  it('reads the landscape model: 144x256 input and MEAN over axes 1, 2 with keep_dims', () => {
    const landscape = readTflite(read(LANDSCAPE), LANDSCAPE);
    const subgraph = landscape.subgraphs[0];
    expect(subgraph.tensors[subgraph.inputs[0]].shape).toEqual([1, 144, 256, 3]);
    const means = subgraph.operators.filter((op) => landscape.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.MEAN);
    expect(means).toHaveLength(10);
    for (const mean of means) {
      expect(mean.options).toEqual({ kind: 'reducer', keepDims: true });
      const axes = subgraph.tensors[mean.inputs[1]];
      expect(axes.type).toBe(TensorType.INT32);
      const bytes = landscape.buffers[axes.buffer];
      expect(Array.from(new Int32Array(bytes.slice().buffer))).toEqual([1, 2]);
    }
  });
});

describe('readTflite on broken files (MODEL_INVALID)', () => {
  const bytes = read(SQUARE);

  it('refuses a file too short to hold a header', () => {
    expectInvalid(bytes.slice(0, 6), /only 6 bytes long/);
  });

  it('refuses a file without the TFL3 identifier', () => {
    const patched = bytes.slice();
    patched.set(new TextEncoder().encode('ONNX'), 4);
    expectInvalid(patched, /identifier is "ONNX" instead of "TFL3"/);
    expectInvalid(new TextEncoder().encode('{"format": "graph-model"}'), /identifier is/);
  });

  it('refuses a truncated file', () => {
    for (const keep of [0.1, 0.5, 0.9, 0.999]) {
      expectInvalid(bytes.slice(0, Math.floor(bytes.length * keep)), /offset \d+ .* outside the \d+-byte file/);
    }
  });

  it('refuses a root offset pointing past the end', () => {
    const patched = bytes.slice();
    new DataView(patched.buffer).setUint32(0, 0xfffffff0, true);
    expectInvalid(patched, /outside the/);
  });

  it('refuses an operator that names a tensor out of range', () => {
    const patched = bytes.slice();
    const view = new DataView(patched.buffer);
    // The first CONV_2D reads tensor 0 (input_1) as its first input; that int32 follows the vector length 3.
    const model = readTflite(bytes, SQUARE);
    const conv = model.subgraphs[0].operators[2];
    const signature = new Uint8Array(new Int32Array([3, ...conv.inputs]).buffer);
    const at = Buffer.from(patched).indexOf(Buffer.from(signature));
    expect(at).toBeGreaterThan(0);
    view.setInt32(at + 4, 100_000, true);
    expectInvalid(patched, /operator 2 names a tensor out of range/);
  });
});
