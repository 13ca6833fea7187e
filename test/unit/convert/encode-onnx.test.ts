import { describe, expect, it } from 'vitest';
import { encodeOnnx, type OnnxModel } from '../../../src/convert/encode-onnx.js';
import { decodeOnnx } from './onnx-decoder.js';

const model: OnnxModel = {
  irVersion: 7,
  opsetVersion: 14,
  producerName: 'blurcam',
  producerVersion: '9.9.9',
  docString: 'a test graph',
  metadata: { 'blurcam.contract': '1', 'blurcam.output': 'probability' },
  graph: {
    name: 'tiny',
    nodes: [
      {
        name: 'conv',
        opType: 'Conv',
        inputs: ['image', 'weights'],
        outputs: ['features'],
        attributes: [
          { name: 'pads', type: 'ints', value: [0, 0, 1, 1] },
          { name: 'group', type: 'int', value: 1 },
        ],
      },
      { name: 'gate', opType: 'HardSigmoid', inputs: ['features'], outputs: ['mask'], attributes: [{ name: 'alpha', type: 'float', value: 1 / 6 }] },
      { name: 'resize', opType: 'Resize', inputs: ['mask', '', 'scales'], outputs: ['big'], attributes: [{ name: 'mode', type: 'string', value: 'linear' }] },
    ],
    initializers: [
      { name: 'weights', dims: [1, 3, 1, 1], data: Float32Array.of(0.5, -1.25, 3e-8) },
      { name: 'scales', dims: [4], data: Float32Array.of(1, 1, 2, 2) },
    ],
    inputs: [{ name: 'image', shape: [1, 3, 4, 4] }],
    outputs: [{ name: 'big', shape: [1, 1, 8, 8] }],
    valueInfo: [{ name: 'features', shape: [1, 1, 4, 4] }],
  },
};

describe('encodeOnnx', () => {
  const decoded = decodeOnnx(encodeOnnx(model));

  it('writes the model header, opset and metadata', () => {
    expect(decoded.irVersion).toBe(7);
    expect(decoded.producerName).toBe('blurcam');
    expect(decoded.opsets).toEqual([{ domain: '', version: 14 }]);
    expect(decoded.metadata).toEqual(model.metadata);
  });

  it('writes nodes with every attribute type (FLOAT 1, INT 2, STRING 3, INTS 7) and skipped inputs', () => {
    expect(decoded.graph.name).toBe('tiny');
    expect(decoded.graph.nodes.map((node) => [node.name, node.opType, node.inputs, node.outputs])).toEqual([
      ['conv', 'Conv', ['image', 'weights'], ['features']],
      ['gate', 'HardSigmoid', ['features'], ['mask']],
      ['resize', 'Resize', ['mask', '', 'scales'], ['big']],
    ]);
    const [conv, gate, resize] = decoded.graph.nodes;
    expect(conv.attributes).toMatchObject([
      { name: 'pads', type: 7, ints: [0, 0, 1, 1] },
      { name: 'group', type: 2, i: 1 },
    ]);
    expect(gate.attributes).toMatchObject([{ name: 'alpha', type: 1, f: Math.fround(1 / 6) }]);
    expect(resize.attributes).toMatchObject([{ name: 'mode', type: 3, s: 'linear' }]);
  });

  it('writes initializers as float32 raw data and shapes as value infos', () => {
    expect(decoded.graph.initializers).toEqual([
      { name: 'weights', dims: [1, 3, 1, 1], dataType: 1, values: Float32Array.of(0.5, -1.25, 3e-8) },
      { name: 'scales', dims: [4], dataType: 1, values: Float32Array.of(1, 1, 2, 2) },
    ]);
    expect(decoded.graph.inputs).toEqual([{ name: 'image', elemType: 1, shape: [1, 3, 4, 4] }]);
    expect(decoded.graph.outputs).toEqual([{ name: 'big', elemType: 1, shape: [1, 1, 8, 8] }]);
    expect(decoded.graph.valueInfo).toEqual([{ name: 'features', elemType: 1, shape: [1, 1, 4, 4] }]);
  });
});
