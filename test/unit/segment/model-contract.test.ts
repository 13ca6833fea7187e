import { describe, expect, it } from 'vitest';
import { encodeOnnx } from '../../../src/convert/encode-onnx.js';
import { readModelContract, readOnnxMetadata, type TensorInfo } from '../../../src/segment/model-contract.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

const image = (shape: (number | string)[], type = 'float32'): TensorInfo => ({ name: 'image', type, shape });
const mask = (shape: (number | string)[], type = 'float32'): TensorInfo => ({ name: 'mask', type, shape });
const noMetadata = new Map<string, string>();
const check = (metadata: Map<string, string>, inputs: TensorInfo[], outputs: TensorInfo[]) => () =>
  readModelContract('m.onnx', metadata, inputs, outputs);

describe('readModelContract', () => {
  it('reads sizes and defaults to rgb-unit input and probability output without metadata', () => {
    const contract = readModelContract('m.onnx', noMetadata, [image([1, 3, 144, 256])], [mask([1, 1, 144, 256])]);
    expect(contract).toEqual({
      inputName: 'image',
      outputName: 'mask',
      inputWidth: 256,
      inputHeight: 144,
      outputWidth: 256,
      outputHeight: 144,
      input: 'rgb-unit',
      output: 'probability',
    });
  });

  it('takes an input of the largest allowed size', () => {
    expect(readModelContract('m.onnx', noMetadata, [image([1, 3, 2048, 2048])], [mask([1, 1, 2048, 2048])])).toMatchObject({ inputWidth: 2048 });
  });

  it('takes the encodings from blurcam metadata, a symbolic batch and a smaller output of the same aspect', () => {
    const metadata = new Map([
      ['blurcam.contract', '1'],
      ['blurcam.input', 'rgb-imagenet'],
      ['blurcam.output', 'two-class-logits'],
    ]);
    const contract = readModelContract('m.onnx', metadata, [image(['batch', 3, 512, 512])], [mask(['batch', 2, 64, 64])]);
    expect(contract).toMatchObject({ input: 'rgb-imagenet', output: 'two-class-logits', outputWidth: 64, outputHeight: 64 });
  });

  it.each([
    ['an unknown contract version', new Map([['blurcam.contract', '2']]), [image([1, 3, 64, 64])], [mask([1, 1, 64, 64])], /blurcam.contract is "2"/],
    ['an unknown input encoding', new Map([['blurcam.input', 'bgr']]), [image([1, 3, 64, 64])], [mask([1, 1, 64, 64])], /blurcam.input is "bgr"/],
    ['an unknown output encoding', new Map([['blurcam.output', 'mask']]), [image([1, 3, 64, 64])], [mask([1, 1, 64, 64])], /blurcam.output is "mask"/],
    ['two inputs', noMetadata, [image([1, 3, 64, 64]), image([1, 3, 64, 64])], [mask([1, 1, 64, 64])], /2 inputs, expected 1/],
    ['NHWC input', noMetadata, [image([1, 64, 64, 3])], [mask([1, 1, 64, 64])], /"image" has shape \[1,64,64,3\], expected 3 channels \(NCHW\)/],
    ['an int input', noMetadata, [image([1, 3, 64, 64], 'uint8')], [mask([1, 1, 64, 64])], /"image" is uint8, expected float32/],
    ['a dynamic height', noMetadata, [image([1, 3, 'height', 64])], [mask([1, 1, 64, 64])], /expected a fixed height and width/],
    ['a batch of 4', noMetadata, [image([4, 3, 64, 64])], [mask([4, 1, 64, 64])], /batch 4/],
    ['a 3-D output', noMetadata, [image([1, 3, 64, 64])], [mask([1, 64, 64])], /"mask" has shape \[1,64,64\], expected \[1,1,H,W\]/],
    ['one channel for two-class logits', new Map([['blurcam.output', 'two-class-logits']]), [image([1, 3, 64, 64])], [mask([1, 1, 64, 64])], /expected 2 channels/],
    ['an output larger than the input', noMetadata, [image([1, 3, 64, 64])], [mask([1, 1, 128, 128])], /larger than input/],
    ['an output of another shape', noMetadata, [image([1, 3, 144, 256])], [mask([1, 1, 128, 128])], /does not have the aspect ratio/],
    ['an input over the size limit', noMetadata, [image([1, 3, 4096, 4096])], [mask([1, 1, 4096, 4096])], /input 4096x4096 is larger than blurcam's limit of 2048x2048/],
    ['an input over the limit on one side', noMetadata, [image([1, 3, 64, 100000])], [mask([1, 1, 64, 100000])], /input 64x100000 is larger than blurcam's limit/],
  ])('rejects %s with MODEL_CONTRACT naming the file', async (_what, metadata, inputs, outputs, message) => {
    const error = await expectFailure(check(metadata, inputs, outputs), 'MODEL_CONTRACT', message);
    expect(error.message).toMatch(/^m\.onnx does not follow the blurcam model contract: /);
  });
});

describe('readOnnxMetadata', () => {
  const model = (metadata: Record<string, string>) =>
    encodeOnnx({
      irVersion: 8,
      opsetVersion: 14,
      producerName: 'test',
      producerVersion: '1',
      docString: 'a model',
      metadata,
      graph: {
        name: 'g',
        nodes: [{ name: 'id', opType: 'Identity', inputs: ['image'], outputs: ['mask'], attributes: [] }],
        initializers: [{ name: 'w', dims: [2], data: new Float32Array([1, 2]) }],
        inputs: [{ name: 'image', shape: [1, 1, 8, 8] }],
        outputs: [{ name: 'mask', shape: [1, 1, 8, 8] }],
        valueInfo: [],
      },
    });

  it('finds metadata_props among the other fields', () => {
    const metadata = readOnnxMetadata(model({ 'blurcam.contract': '1', 'blurcam.output': 'logit', note: 'é ü' }));
    expect(metadata).toEqual(new Map([['blurcam.contract', '1'], ['blurcam.output', 'logit'], ['note', 'é ü']]));
  });

  it('gives an empty map when there is none', () => {
    expect(readOnnxMetadata(model({}))).toEqual(new Map());
  });

  it('gives null for bytes that are not a protobuf message', () => {
    expect(readOnnxMetadata(new TextEncoder().encode('this is not a model\n'))).toBeNull();
    const truncated = model({ 'blurcam.contract': '1' });
    expect(readOnnxMetadata(truncated.subarray(0, truncated.length - 5))).toBeNull();
  });
});
