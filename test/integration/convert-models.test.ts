import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cv } from '../../src/opencv.js';
import { BUNDLED_MODELS, bundledModelPath, convertBundledModel, convertModels } from '../../src/convert/convert-models.js';
import { tfliteToOnnxModel } from '../../src/convert/convert-tflite-to-onnx.js';
import { encodeOnnx, type OnnxModel } from '../../src/convert/encode-onnx.js';
import { readTflite } from '../../src/convert/read-tflite.js';
import { decodeOnnx } from '../unit/convert/onnx-decoder.js';
import { readAstronaut, rgbImageFromMat, type RgbImage } from '../unit/convert/rgb-image.js';

const [SQUARE, LANDSCAPE] = BUNDLED_MODELS;

async function runMask(model: Uint8Array, image: RgbImage): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
  const result = await session.run({ image: new ort.Tensor('float32', image.nchw, [1, 3, image.height, image.width]) });
  await session.release();
  return result.mask.data as Float32Array;
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  return a.reduce((max, value, i) => Math.max(max, Math.abs(value - b[i])), 0);
}

/** Mean probability over a box given in the 512x512 astronaut photo's pixels. */
function boxMean(mask: Float32Array, maskWidth: number, scale: number, [x0, y0, x1, y1]: number[]): number {
  let sum = 0;
  let count = 0;
  for (let y = Math.round(y0 * scale); y < Math.round(y1 * scale); y++) {
    for (let x = Math.round(x0 * scale); x < Math.round(x1 * scale); x++) {
      sum += mask[y * maskWidth + x];
      count++;
    }
  }
  return sum / count;
}

// Boxes in the astronaut photo (x0, y0, x1, y1), all within its top 288 rows (the landscape crop).
const PERSON_BOXES = { face: [190, 90, 260, 170], collar: [150, 190, 280, 260] };
const BACKGROUND_BOXES = { shuttle: [385, 60, 440, 230], flag: [0, 20, 30, 200], wall: [310, 10, 360, 50] };

describe('convertModels (npm run models)', () => {
  let dir: string;
  let lines: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'blurcam-models-'));
    lines = convertModels(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes both models with one report line each, and nothing else', () => {
    expect(readdirSync(dir).sort()).toEqual(['selfie-landscape.onnx', 'selfie-square.onnx']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/selfie-square\.onnx: \d+ KB from @mediapipe\/selfie_segmentation\/selfie_segmentation\.tflite in \d+ ms$/);
    expect(lines[1]).toMatch(/selfie-landscape\.onnx: \d+ KB from @mediapipe\/selfie_segmentation\/selfie_segmentation_landscape\.tflite in \d+ ms$/);
  });

  it('records the model contract in the ONNX metadata', () => {
    const version = JSON.parse(readFileSync(bundledModelPath('package.json'), 'utf8')).version as string;
    for (const model of BUNDLED_MODELS) {
      const decoded = decodeOnnx(readFileSync(join(dir, model.target)));
      expect(decoded.metadata).toEqual({
        'blurcam.contract': '1',
        'blurcam.input': 'rgb-unit',
        'blurcam.output': 'probability',
        'blurcam.source': `@mediapipe/selfie_segmentation@${version}/${model.source}`,
      });
      expect(decoded.opsets).toEqual([{ domain: '', version: 14 }]);
    }
  });

  it('writes models onnxruntime loads, with the contract shapes', async () => {
    for (const [model, shape] of [
      [SQUARE, [1, 3, 256, 256]],
      [LANDSCAPE, [1, 3, 144, 256]],
    ] as const) {
      const session = await ort.InferenceSession.create(join(dir, model.target), { executionProviders: ['cpu'] });
      expect(session.inputNames).toEqual(['image']);
      expect(session.outputNames).toEqual(['mask']);
      expect(session.inputMetadata[0]).toMatchObject({ isTensor: true, type: 'float32', shape });
      expect(session.outputMetadata[0]).toMatchObject({ isTensor: true, type: 'float32', shape: [1, 1, shape[2], shape[3]] });
      await session.release();
    }
  });
});

describe.each(BUNDLED_MODELS)('$target in onnxruntime, op by op', (bundled) => {
  it('computes every intermediate tensor with the shape TFLite declares', async () => {
    const tflite = readTflite(readFileSync(bundledModelPath(bundled.source)), bundled.source);
    const model = tfliteToOnnxModel(tflite, { fileName: bundled.source, metadata: {}, producerVersion: 'test' });
    const [, , height, width] = model.graph.inputs[0].shape;
    const image = rgbImageFromMat(readAstronaut(), height, width);
    // Expose every intermediate tensor as an output, so that onnxruntime reports the shape it computed.
    const probed: OnnxModel = { ...model, graph: { ...model.graph, outputs: [...model.graph.outputs, ...model.graph.valueInfo] } };
    const session = await ort.InferenceSession.create(encodeOnnx(probed), { executionProviders: ['cpu'] });
    const results = await session.run({ image: new ort.Tensor('float32', image.nchw, [1, 3, height, width]) });
    const nhwcShapes = new Map(tflite.subgraphs[0].tensors.map((tensor) => [tensor.name, tensor.shape]));
    for (const info of model.graph.valueInfo) {
      const [n, c, h, w] = results[info.name].dims;
      expect([n, h, w, c], info.name).toEqual(nhwcShapes.get(info.name.replace(/\/gate$/, '')));
    }
    expect(results.mask.dims).toEqual([1, 1, height, width]);
    // Probing stops onnxruntime from fusing nodes and from keeping its blocked layout, which changes the sums'
    // rounding only: 1.0e-5 at most here (the landscape model), far below what moves a mask level (a level is 1/255
    // of the soft edge's 0.1 of probability, 4e-4).
    const mask = await runMask(encodeOnnx(model), image);
    expect(maxAbsDifference(results.mask.data as Float32Array, mask)).toBeLessThan(1e-4);
    await session.release();
  });
});

describe('the astronaut photo', () => {
  const astronaut = readAstronaut();
  // A 16:9 webcam framing of the photo: its top 288 rows, head and shoulders.
  const landscapeCrop = astronaut.getRegion(new cv.Rect(0, 0, 512, 288));
  let square: Float32Array;
  let landscape: Float32Array;
  beforeAll(async () => {
    square = await runMask(convertBundledModel(SQUARE), rgbImageFromMat(astronaut, 256, 256));
    landscape = await runMask(convertBundledModel(LANDSCAPE), rgbImageFromMat(landscapeCrop, 144, 256));
  });

  it('is a person in both models and the background is not', () => {
    // Both masks are at half the photo's scale: 256x256 for 512x512, 256x144 for the 512x288 crop.
    for (const [name, mask] of [
      ['square', square],
      ['landscape', landscape],
    ] as const) {
      for (const [box, corners] of Object.entries(PERSON_BOXES)) expect(boxMean(mask, 256, 0.5, corners), `${name} ${box}`).toBeGreaterThan(0.95);
      for (const [box, corners] of Object.entries(BACKGROUND_BOXES)) expect(boxMean(mask, 256, 0.5, corners), `${name} ${box}`).toBeLessThan(0.05);
    }
  });

  it('gives the same person in the landscape model as in the square one (IoU of masks > 0.9)', () => {
    let intersection = 0;
    let union = 0;
    // The landscape crop is the square input's top 144 rows at the same scale.
    for (let i = 0; i < 144 * 256; i++) {
      const a = square[i] > 0.5;
      const b = landscape[i] > 0.5;
      if (a && b) intersection++;
      if (a || b) union++;
    }
    const iou = intersection / union;
    console.info(`landscape vs square on the astronaut's head and shoulders: IoU ${iou.toFixed(3)} over ${union} pixels`);
    expect(union).toBeGreaterThan(0.2 * 144 * 256);
    expect(iou).toBeGreaterThan(0.9);
  });
});

describe('encodeOnnx read by onnxruntime', () => {
  it('carries ints, int, float and string attributes, initializers and a skipped input with their meaning', async () => {
    const model: OnnxModel = {
      irVersion: 7,
      opsetVersion: 14,
      producerName: 'blurcam',
      producerVersion: 'test',
      docString: '',
      metadata: {},
      graph: {
        name: 'tiny',
        nodes: [
          {
            name: 'conv',
            opType: 'Conv',
            inputs: ['image', 'ones'],
            outputs: ['sums'],
            attributes: [
              { name: 'kernel_shape', type: 'ints', value: [3, 3] },
              { name: 'strides', type: 'ints', value: [2, 2] },
              { name: 'pads', type: 'ints', value: [0, 0, 1, 1] },
              { name: 'group', type: 'int', value: 1 },
            ],
          },
          {
            name: 'gate',
            opType: 'HardSigmoid',
            inputs: ['sums'],
            outputs: ['gate'],
            attributes: [
              { name: 'alpha', type: 'float', value: 0.125 },
              { name: 'beta', type: 'float', value: -0.25 },
            ],
          },
          {
            name: 'mask',
            opType: 'Resize',
            inputs: ['gate', '', 'scales'],
            outputs: ['mask'],
            attributes: [
              { name: 'mode', type: 'string', value: 'linear' },
              { name: 'coordinate_transformation_mode', type: 'string', value: 'half_pixel' },
            ],
          },
        ],
        initializers: [
          { name: 'ones', dims: [1, 1, 3, 3], data: new Float32Array(9).fill(1) },
          { name: 'scales', dims: [4], data: Float32Array.of(1, 1, 2, 2) },
        ],
        inputs: [{ name: 'image', shape: [1, 1, 4, 4] }],
        outputs: [{ name: 'mask', shape: [1, 1, 4, 4] }],
        valueInfo: [{ name: 'sums', shape: [1, 1, 2, 2] }],
      },
    };
    const image = Float32Array.from({ length: 16 }, (_, i) => i / 16);
    const session = await ort.InferenceSession.create(encodeOnnx(model), { executionProviders: ['cpu'] });
    const { mask } = await session.run({ image: new ort.Tensor('float32', image, [1, 1, 4, 4]) });
    await session.release();

    // 3x3 sums at stride 2; the pad row and column are at the end.
    const sum = (rows: number[], cols: number[]) => rows.reduce((s, r) => s + cols.reduce((t, c) => t + image[r * 4 + c], 0), 0);
    const gate = [sum([0, 1, 2], [0, 1, 2]), sum([0, 1, 2], [2, 3]), sum([2, 3], [0, 1, 2]), sum([2, 3], [2, 3])].map((s) =>
      Math.min(1, Math.max(0, 0.125 * s - 0.25)),
    );
    // Half-pixel 2x upsampling reads source positions -0.25, 0.25, 0.75, 1.25, clamped to the edges.
    const weights = [0, 0.25, 0.75, 1];
    const expected = Array.from({ length: 16 }, (_, i) => {
      const wy = weights[Math.floor(i / 4)];
      const wx = weights[i % 4];
      return (1 - wy) * ((1 - wx) * gate[0] + wx * gate[1]) + wy * ((1 - wx) * gate[2] + wx * gate[3]);
    });
    expect(mask.dims).toEqual([1, 1, 4, 4]);
    Array.from(mask.data as Float32Array).forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    expect(new Set(expected.map((v) => v.toFixed(3))).size).toBeGreaterThan(4);
  });
});
