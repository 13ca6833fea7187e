import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isBlurcamError } from '../../../src/errors.js';
import { bundledModelPath } from '../../../src/convert/convert-models.js';
import { convertTfliteToOnnx, tfliteToOnnxModel, type ConvertOptions } from '../../../src/convert/convert-tflite-to-onnx.js';
import type { OnnxModel, OnnxNode } from '../../../src/convert/encode-onnx.js';
import { FlatbufferView } from '../../../src/convert/flatbuffer-view.js';
import { float16ToFloat32 } from '../../../src/convert/float16.js';
import { BuiltinOperator, readTflite, TensorType, type TfliteModel } from '../../../src/convert/read-tflite.js';

const SQUARE = 'selfie_segmentation.tflite';
const LANDSCAPE = 'selfie_segmentation_landscape.tflite';
const read = (name: string) => new Uint8Array(readFileSync(bundledModelPath(name)));
const options = (fileName: string): ConvertOptions => ({ fileName, metadata: { 'blurcam.contract': '1' }, producerVersion: '0.0.0-test' });

function attribute(node: OnnxNode, name: string) {
  return node.attributes.find((a) => a.name === name)?.value;
}

/** The fp16 weights of a TFLite tensor, widened, in TFLite's own layout. */
function tfliteWeights(tflite: TfliteModel, name: string): { shape: number[]; data: Float32Array } {
  const tensor = tflite.subgraphs[0].tensors.find((t) => t.name === name)!;
  const bytes = tflite.buffers[tensor.buffer];
  return { shape: tensor.shape, data: float16ToFloat32(new Uint16Array(bytes.slice().buffer)) };
}

function initializer(model: OnnxModel, name: string) {
  return model.graph.initializers.find((i) => i.name === name)!;
}

describe.each([
  { file: SQUARE, size: [256, 256] },
  { file: LANDSCAPE, size: [144, 256] },
])('tfliteToOnnxModel($file)', ({ file, size: [height, width] }) => {
  const tflite = readTflite(read(file), file);
  const model = tfliteToOnnxModel(tflite, options(file));
  const { nodes } = model.graph;
  const byType = (opType: string) => nodes.filter((node) => node.opType === opType);

  it('has one NCHW RGB input "image" and one mask output "mask" computed by a Sigmoid', () => {
    expect(model.graph.inputs).toEqual([{ name: 'image', shape: [1, 3, height, width] }]);
    expect(model.graph.outputs).toEqual([{ name: 'mask', shape: [1, 1, height, width] }]);
    expect(nodes.at(-1)).toMatchObject({ opType: 'Sigmoid', outputs: ['mask'] });
    expect(model).toMatchObject({ irVersion: 7, opsetVersion: 14, producerName: 'blurcam', metadata: { 'blurcam.contract': '1' } });
  });

  it('maps every TFLite op and folds the DEQUANTIZE ops into fp32 initializers', () => {
    const counts: Record<string, number> = {};
    for (const node of nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
    expect(counts).toEqual({
      Conv: 54,
      Relu: 22,
      HardSigmoid: 11,
      Mul: 21,
      Add: 14,
      Sigmoid: 11,
      // The square model pools with AVERAGE_POOL_2D, the landscape one with MEAN: both over the whole map.
      GlobalAveragePool: 10,
      // Three upsamplings of the decoder, and the ten squeeze-and-excitation gates spread over their maps.
      Resize: 13,
      ConvTranspose: 1,
    });
    expect(model.graph.initializers.every((i) => i.data instanceof Float32Array)).toBe(true);
    const dequantized = tflite.subgraphs[0].operators.filter((op) => tflite.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.DEQUANTIZE);
    // Every fp16 tensor became one initializer; the thirteen resize scales are the others.
    expect(model.graph.initializers).toHaveLength(dequantized.length + 13);
  });

  it('lists nodes in an order where each input already exists', () => {
    const known = new Set(['image', '', ...model.graph.initializers.map((i) => i.name)]);
    for (const node of nodes) {
      for (const input of node.inputs) expect(known.has(input), `${node.name} reads ${input}`).toBe(true);
      for (const output of node.outputs) known.add(output);
    }
  });

  it('emits HardSwish as x * HardSigmoid(x, 1/6, 1/2) for CoreML', () => {
    expect(byType('HardSwish')).toHaveLength(0);
    for (const gate of byType('HardSigmoid')) {
      expect(attribute(gate, 'alpha')).toBeCloseTo(1 / 6, 12);
      expect(attribute(gate, 'beta')).toBe(0.5);
      const mul = nodes.find((node) => node.opType === 'Mul' && node.inputs.includes(gate.outputs[0]));
      expect(mul?.inputs).toEqual([gate.inputs[0], gate.outputs[0]]);
    }
  });

  it('makes all padding explicit: TF SAME puts the odd pixel at the end', () => {
    for (const node of [...byType('Conv'), ...byType('ConvTranspose')]) {
      expect(node.attributes.map((a) => a.name)).not.toContain('auto_pad');
      expect(attribute(node, 'pads')).toHaveLength(4);
    }
    const first = nodes[0];
    expect(first).toMatchObject({ opType: 'Conv', inputs: ['image', 'conv2d/Kernel', 'conv2d/Bias'] });
    expect(attribute(first, 'strides')).toEqual([2, 2]);
    expect(attribute(first, 'pads')).toEqual([0, 0, 1, 1]);
    const padsOf = (kernel: number, stride: number) =>
      new Set(
        byType('Conv')
          .filter((n) => (attribute(n, 'kernel_shape') as number[])[0] === kernel && (attribute(n, 'strides') as number[])[0] === stride)
          .map((n) => JSON.stringify(attribute(n, 'pads'))),
      );
    expect(padsOf(5, 2)).toEqual(new Set(['[1,1,2,2]']));
    expect(padsOf(5, 1)).toEqual(new Set(['[2,2,2,2]']));
    expect(padsOf(3, 1)).toEqual(new Set(['[1,1,1,1]']));
    expect(padsOf(1, 1)).toEqual(new Set(['[0,0,0,0]']));
  });

  it('reorders conv filters OHWI -> OIHW', () => {
    const source = tfliteWeights(tflite, 'conv2d/Kernel');
    const weights = initializer(model, 'conv2d/Kernel');
    expect(weights.dims).toEqual([16, 3, 3, 3]);
    const [outs, kh, kw, ins] = source.shape;
    for (let o = 0; o < outs; o++)
      for (let i = 0; i < ins; i++)
        for (let h = 0; h < kh; h++)
          for (let w = 0; w < kw; w++) {
            expect(weights.data[((o * ins + i) * kh + h) * kw + w]).toBe(source.data[((o * kh + h) * kw + w) * ins + i]);
          }
  });

  it('reorders depthwise filters 1HWC -> C1HW with one group per channel', () => {
    const depthwise = byType('Conv').filter((node) => (attribute(node, 'group') as number) > 1);
    expect(depthwise).toHaveLength(11);
    for (const node of depthwise) {
      const dims = initializer(model, node.inputs[1]).dims;
      expect(dims[1]).toBe(1);
      expect(attribute(node, 'group')).toBe(dims[0]);
    }
    const source = tfliteWeights(tflite, 'depthwise_conv2d/Kernel');
    const weights = initializer(model, 'depthwise_conv2d/Kernel');
    const [, kh, kw, channels] = source.shape;
    expect(weights.dims).toEqual([channels, 1, kh, kw]);
    for (let c = 0; c < channels; c++)
      for (let h = 0; h < kh; h++)
        for (let w = 0; w < kw; w++) expect(weights.data[(c * kh + h) * kw + w]).toBe(source.data[(h * kw + w) * channels + c]);
  });

  it('turns Convolution2DTransposeBias into a CoreML-friendly ConvTranspose (IOHW filter, equal pads)', () => {
    const [transpose] = byType('ConvTranspose');
    expect(transpose.attributes.map((a) => a.name).sort()).toEqual(['kernel_shape', 'pads', 'strides']);
    expect(attribute(transpose, 'kernel_shape')).toEqual([2, 2]);
    expect(attribute(transpose, 'strides')).toEqual([2, 2]);
    expect(attribute(transpose, 'pads')).toEqual([0, 0, 0, 0]);
    const [, weightName, biasName] = transpose.inputs;
    const weights = initializer(model, weightName);
    const source = tfliteWeights(tflite, weightName);
    expect(source.shape).toEqual([1, 2, 2, 16]);
    expect(weights.dims).toEqual([16, 1, 2, 2]);
    for (let i = 0; i < 16; i++)
      for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) expect(weights.data[(i * 2 + h) * 2 + w]).toBe(source.data[(h * 2 + w) * 16 + i]);
    expect(initializer(model, biasName).dims).toEqual([1]);
  });

  it('upsamples with constant whole-number half-pixel Resize and pools over whole maps', () => {
    const upsamplings = byType('Resize').filter((resize) => attribute(resize, 'mode') === 'linear');
    expect(upsamplings).toHaveLength(3);
    for (const resize of upsamplings) {
      expect(attribute(resize, 'coordinate_transformation_mode')).toBe('half_pixel');
      expect(resize.inputs[1]).toBe('');
      expect(Array.from(initializer(model, resize.inputs[2]).data)).toEqual([1, 1, 2, 2]);
    }
    const shapes = new Map(model.graph.valueInfo.map((info) => [info.name, info.shape]));
    for (const pool of byType('GlobalAveragePool')) expect(shapes.get(pool.outputs[0])?.slice(2)).toEqual([1, 1]);
  });

  it('spreads each squeeze-and-excitation gate over its map (nearest, whole-number scales) before the Mul', () => {
    const shapes = new Map(model.graph.valueInfo.map((info) => [info.name, info.shape]));
    const spreads = byType('Resize').filter((resize) => attribute(resize, 'mode') === 'nearest');
    expect(spreads).toHaveLength(10);
    for (const spread of spreads) {
      expect(attribute(spread, 'coordinate_transformation_mode')).toBe('asymmetric');
      expect(attribute(spread, 'nearest_mode')).toBe('floor');
      expect(spread.inputs[1]).toBe('');
      // A [C,1,1] gate (the Sigmoid after the pooled branch) becomes [C,H,W], the shape of the map it scales.
      const gate = nodes.find((node) => node.outputs[0] === spread.inputs[0]);
      expect(gate?.opType).toBe('Sigmoid');
      const [, channels, height, width] = shapes.get(spread.outputs[0]) ?? [];
      expect(shapes.get(spread.inputs[0])).toEqual([1, channels, 1, 1]);
      expect(Array.from(initializer(model, spread.inputs[2]).data)).toEqual([1, 1, height, width]);
      const mul = nodes.filter((node) => node.inputs.includes(spread.outputs[0]));
      expect(mul).toHaveLength(1);
      expect(mul[0].opType).toBe('Mul');
      for (const input of mul[0].inputs) expect(shapes.get(input)).toEqual([1, channels, height, width]);
    }
    // No Mul broadcasts any more.
    for (const mul of byType('Mul')) expect(shapes.get(mul.inputs[0])).toEqual(shapes.get(mul.inputs[1]));
  });

  it('records an NCHW shape for every intermediate tensor, matching TFLite', () => {
    const tensors = new Map(tflite.subgraphs[0].tensors.map((t) => [t.name, t.shape]));
    const shapes = new Map(model.graph.valueInfo.map((info) => [info.name, info.shape]));
    for (const node of nodes.slice(0, -1)) expect(shapes.has(node.outputs[0]), node.outputs[0]).toBe(true);
    for (const [name, [n, c, h, w]] of shapes) {
      // An op that became two nodes (HardSwish) has its middle tensor named after the op's output.
      expect([n, h, w, c], name).toEqual(tensors.get(name.replace(/\/gate$/, '')));
    }
    expect(shapes.get('h_swish')).toEqual([1, 16, height / 2, width / 2]);
  });
});

describe('tfliteToOnnxModel with float32 weights', () => {
  it('converts a model whose weights are float32 constants to the same graph as their float16 originals', () => {
    const original = tfliteToOnnxModel(readTflite(read(SQUARE), SQUARE), options(SQUARE));
    // The same model with every DEQUANTIZE removed: its fp16 inputs widened in the file, consumers rewired.
    const model = readTflite(read(SQUARE), SQUARE);
    const graph = model.subgraphs[0];
    const isDequantize = (op: TfliteModel['subgraphs'][0]['operators'][0]) =>
      model.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.DEQUANTIZE;
    const replacement = new Map<number, number>();
    for (const op of graph.operators.filter(isDequantize)) {
      const source = graph.tensors[op.inputs[0]];
      const widened = tfliteWeights(model, source.name).data;
      model.buffers.push(new Uint8Array(widened.buffer));
      Object.assign(source, { type: TensorType.FLOAT32, buffer: model.buffers.length - 1 });
      replacement.set(op.outputs[0], op.inputs[0]);
    }
    graph.operators = graph.operators.filter((op) => !isDequantize(op));
    for (const op of graph.operators) op.inputs = op.inputs.map((index) => replacement.get(index) ?? index);

    expect(tfliteToOnnxModel(model, options(SQUARE))).toEqual(original);
  });
});

describe('tfliteToOnnxModel: what a Mul broadcasts', () => {
  it('spreads only a gate with the map\'s channels; a one-channel factor is multiplied as it is', () => {
    const model = readTflite(read(SQUARE), SQUARE);
    const { tensors, operators } = model.subgraphs[0];
    const muls = operators.filter((op) => model.operatorCodes[op.opcodeIndex].builtinCode === BuiltinOperator.MUL);
    const gated = muls.find((op) => op.inputs.some((index) => tensors[index].shape[1] === 1 && tensors[index].shape[2] === 1))!;
    const gateIndex = gated.inputs.find((index) => tensors[index].shape[1] === 1)!;
    tensors[gateIndex].shape = [1, 1, 1, 1];
    const { nodes } = tfliteToOnnxModel(model, options(SQUARE)).graph;
    expect(nodes.filter((node) => node.opType === 'Resize' && attribute(node, 'mode') === 'nearest')).toHaveLength(9);
    const gateName = nodes.find((node) => node.name === tensors[gateIndex].name || node.outputs[0] === tensors[gateIndex].name)!.outputs[0];
    const mul = nodes.find((node) => node.opType === 'Mul' && node.inputs.includes(gateName));
    expect(mul).toBeDefined();
  });
});

describe('convertTfliteToOnnx errors', () => {
  it('names an unknown builtin operator and the file (UNSUPPORTED_TFLITE)', () => {
    const bytes = read(SQUARE);
    // Turn the HARD_SWISH operator code into SOFTMAX (25), in both of the schema's code fields.
    const fb = new FlatbufferView(bytes);
    const codes = fb.tableVectorField(fb.rootTable(), 1);
    const hardSwish = codes.find((table) => fb.int32Field(table, 3, 0) === BuiltinOperator.HARD_SWISH)!;
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    view.setInt8(fb.field(hardSwish, 0), 25);
    view.setInt32(fb.field(hardSwish, 3), 25, true);
    expect(() => convertTfliteToOnnx(bytes, options(SQUARE))).toThrow(
      expect.objectContaining({
        code: 'UNSUPPORTED_TFLITE',
        message: 'selfie_segmentation.tflite: operator 3 (builtin #25) is not supported by the converter',
      }),
    );
  });

  it('names an unknown custom operator', () => {
    const bytes = read(LANDSCAPE);
    const at = Buffer.from(bytes).indexOf('Convolution2DTransposeBias');
    bytes[at + 'Convolution2DTransposeBias'.length - 1] = 'Z'.charCodeAt(0);
    try {
      convertTfliteToOnnx(bytes, options(LANDSCAPE));
      expect.unreachable();
    } catch (error) {
      expect(isBlurcamError(error, 'UNSUPPORTED_TFLITE')).toBe(true);
      expect((error as Error).message).toMatch(/^selfie_segmentation_landscape\.tflite: operator \d+ \(custom "Convolution2DTransposeBiaZ"\) is not supported/);
      expect((error as { hint: string }).hint).toMatch(/model-contract/);
    }
  });

  it('refuses a file that is not TFLite (MODEL_INVALID)', () => {
    expect(() => convertTfliteToOnnx(read(SQUARE).slice(0, 1000), options(SQUARE))).toThrow(
      expect.objectContaining({ code: 'MODEL_INVALID', message: expect.stringMatching(/^selfie_segmentation\.tflite is not a valid TFLite model/) }),
    );
  });
});

describe('tfliteToOnnxModel refuses what it cannot convert faithfully (UNSUPPORTED_TFLITE)', () => {
  /** The parsed square model with one change. */
  function squareWith(change: (model: TfliteModel) => void): TfliteModel {
    const model = readTflite(read(SQUARE), SQUARE);
    change(model);
    return model;
  }
  const operatorsOf = (model: TfliteModel, code: number) =>
    model.subgraphs[0].operators.filter((op) => model.operatorCodes[op.opcodeIndex].builtinCode === code);
  const expectUnsupported = (model: TfliteModel, message: RegExp) =>
    expect(() => tfliteToOnnxModel(model, options(SQUARE))).toThrow(
      expect.objectContaining({ code: 'UNSUPPORTED_TFLITE', message: expect.stringMatching(message) }),
    );

  it('a fused activation', () => {
    const model = squareWith((m) => {
      const conv = operatorsOf(m, BuiltinOperator.CONV_2D)[0];
      if (conv.options?.kind === 'conv2d') conv.options.activation = 'RELU6';
    });
    expectUnsupported(model, /^selfie_segmentation\.tflite: operator 2 \(CONV_2D\) uses the fused activation RELU6$/);
  });

  it('average pooling that does not cover the whole map', () => {
    const model = squareWith((m) => {
      const pool = operatorsOf(m, BuiltinOperator.AVERAGE_POOL_2D)[0];
      if (pool.options?.kind === 'pool2d') pool.options.filterW = 2;
    });
    expectUnsupported(model, /\(AVERAGE_POOL_2D\) pools 64x2 windows; only pooling over the whole 64x64 map is supported/);
  });

  it('bilinear resizing without half-pixel centres', () => {
    const model = squareWith((m) => {
      const resize = operatorsOf(m, BuiltinOperator.RESIZE_BILINEAR)[0];
      if (resize.options?.kind === 'resizeBilinear') resize.options.halfPixelCenters = false;
    });
    expectUnsupported(model, /\(RESIZE_BILINEAR\) resizes without half-pixel centres/);
  });

  it('a constant where the op needs a computed tensor', () => {
    const model = squareWith((m) => {
      const add = operatorsOf(m, BuiltinOperator.ADD)[0];
      add.inputs[1] = operatorsOf(m, BuiltinOperator.DEQUANTIZE)[0].outputs[0];
    });
    expectUnsupported(model, /\(ADD\) takes the constant "conv2d\/Kernel_dequantize" as input 1/);
  });

  it('an input that is not an RGB image', () => {
    const model = squareWith((m) => {
      const graph = m.subgraphs[0];
      graph.tensors[graph.inputs[0]].shape = [1, 256, 256, 4];
    });
    expectUnsupported(model, /^selfie_segmentation\.tflite takes input "input_1" of shape \[1,256,256,4\] instead of an RGB image$/);
  });
});
