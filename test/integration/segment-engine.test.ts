import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cv, type Mat } from '../../src/opencv.js';
import { encodeOnnx, type OnnxNode, type OnnxTensor } from '../../src/convert/encode-onnx.js';
import { createSegmenter, type BlurcamSegmenter } from '../../src/segment/create-segmenter.js';
import { DEFAULT_MODELS_DIR } from '../../src/segment/model-files.js';
import { OnnxModel, probeCoremlCoverage } from '../../src/segment/onnx-session.js';
import { expectFailure } from '../support/expect-blurcam-error.js';
import { FrameImage } from '../../src/frame-image.js';

const ASTRONAUT = fileURLToPath(new URL('../../assets/demo/astronaut.jpg', import.meta.url));
const SQUARE_MODEL = join(DEFAULT_MODELS_DIR, 'selfie-square.onnx');
const appleSilicon = process.platform === 'darwin' && process.arch === 'arm64';
const scratch = mkdtempSync(join(tmpdir(), 'blurcam-segment-'));

/** Boxes [x, y, width, height] of the 512x512 astronaut photo that are surely person, and surely not. */
const PERSON_BOXES = [
  [190, 70, 60, 70], // face
  [60, 300, 240, 180], // torso
] as const;
const BACKGROUND_BOXES = [
  [0, 0, 50, 200], // flag
  [360, 10, 90, 230], // shuttle model
  [450, 0, 62, 150], // wall, top right
] as const;

function meanOver(mask: Mat, [x, y, width, height]: readonly number[], scale = 1, offsetX = 0): number {
  return mask.getRegion(new cv.Rect(offsetX + x * scale, y * scale, width * scale, height * scale)).mean().w;
}

function expectCoversAstronaut(mask: Mat, background: readonly (readonly number[])[] = BACKGROUND_BOXES, scale = 1, offsetX = 0): void {
  for (const box of PERSON_BOXES) expect(meanOver(mask, box, scale, offsetX)).toBeGreaterThan(235);
  for (const box of background) expect(meanOver(mask, box, scale, offsetX)).toBeLessThan(20);
}

/** A tiny CNN in real ONNX: a Conv whose output depends on the red channel only. */
function writeModel(
  name: string,
  options: { metadata: Record<string, string>; size?: number; outChannels: number; stride: number; weights: number[]; bias: number[] },
): string {
  const size = options.size ?? 64;
  const kernel = options.stride;
  const weights: OnnxTensor = { name: 'w', dims: [options.outChannels, 3, kernel, kernel], data: Float32Array.from(options.weights) };
  const bias: OnnxTensor = { name: 'b', dims: [options.outChannels], data: Float32Array.from(options.bias) };
  const conv: OnnxNode = {
    name: 'conv',
    opType: 'Conv',
    inputs: ['image', 'w', 'b'],
    outputs: ['mask'],
    attributes: [
      { name: 'kernel_shape', type: 'ints', value: [kernel, kernel] },
      { name: 'strides', type: 'ints', value: [kernel, kernel] },
    ],
  };
  const out = size / options.stride;
  const bytes = encodeOnnx({
    irVersion: 8,
    opsetVersion: 14,
    producerName: 'blurcam-test',
    producerVersion: '1',
    docString: '',
    metadata: options.metadata,
    graph: {
      name: name,
      nodes: [conv],
      initializers: [weights, bias],
      inputs: [{ name: 'image', shape: [1, 3, size, size] }],
      outputs: [{ name: 'mask', shape: [1, options.outChannels, out, out] }],
      valueInfo: [],
    },
  });
  const path = join(scratch, `${name}.onnx`);
  writeFileSync(path, bytes);
  return path;
}

/** Weights of a Conv reading only the red channel (input channel 0), `perPixel` per kernel cell. */
function redOnly(outChannels: number, kernel: number, perPixel: number[]): number[] {
  const weights: number[] = [];
  for (let o = 0; o < outChannels; o++) for (let c = 0; c < 3; c++) for (let k = 0; k < kernel * kernel; k++) weights.push(c === 0 ? perPixel[o] : 0);
  return weights;
}

/** 200x100 BGR: red on the left half, black on the right. */
function halfRed(): Mat {
  const data = Buffer.alloc(100 * 200 * 3);
  for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) data[(y * 200 + x) * 3 + 2] = 255;
  return new cv.Mat(data, 100, 200, cv.CV_8UC3);
}

describe('the bundled square model on the astronaut photo', () => {
  let segmenter: BlurcamSegmenter;
  let photo: Mat;

  beforeAll(async () => {
    segmenter = await createSegmenter({ mode: 'photo' });
    photo = cv.imread(ASTRONAUT);
  });
  afterAll(() => segmenter.close());

  it('reports the model and the provider that really runs', () => {
    expect(segmenter.provider).toBe(appleSilicon ? 'coreml' : 'cpu');
    expect(segmenter.description).toMatch(/^selfie 256x256 on (cpu|coreml) \(.+\), photo mode$/);
    expect(segmenter.model.contract).toMatchObject({ input: 'rgb-unit', output: 'probability', inputWidth: 256, outputWidth: 256 });
  });

  it('gives a mask of the photo size that covers the person and not the background (photo mode)', async () => {
    const mask = await segmenter.segment(new FrameImage(photo));
    expect([mask.cols, mask.rows, mask.type]).toEqual([512, 512, cv.CV_8UC1]);
    expectCoversAstronaut(mask);
    expect(segmenter.lastTimings.inferences).toBeGreaterThan(10);
  });

  it('does the same on 1280x720 video frames, with a steady soft-edged mask', async () => {
    const video = await createSegmenter({ mode: 'video', frameSize: { width: 1280, height: 720 } });
    try {
      expect(video.description).toMatch(/^selfie-landscape 144x256 on/);
      // the photo scaled to 720x720, centred on a grey 1280x720 frame
      const frame = new cv.Mat(720, 1280, cv.CV_8UC3, [128, 128, 128]);
      photo.resize(720, 720).copyTo(frame.getRegion(new cv.Rect(280, 0, 720, 720)));
      const masks: Mat[] = [];
      for (let i = 0; i < 4; i++) masks.push(await video.segment(new FrameImage(frame)));
      const last = masks[3];
      expect([last.cols, last.rows, last.type]).toEqual([1280, 720, cv.CV_8UC1]);
      // one inference on the whole frame takes the flag beside her for part of her: leave it out here
      expectCoversAstronaut(last, BACKGROUND_BOXES.slice(1), 720 / 512, 280);
      expect(meanOver(last, [0, 0, 270, 720])).toBeLessThan(10);
      expect(last.absdiff(masks[2]).mean().w).toBeLessThan(1);
      // a soft edge: the boundary passes through intermediate values rather than stepping from 0 to 255
      const row = last.getRegion(new cv.Rect(0, 600, 1280, 1)).copy().getData();
      expect(Array.from(row).filter((value) => value > 20 && value < 235).length).toBeGreaterThanOrEqual(2);
      expect(video.lastTimings.inferences).toBe(1);
    } finally {
      await video.close();
    }
  });
});

describe('models that follow the contract in other ways', () => {
  it('decodes logits from an output smaller than the input', async () => {
    // logit = 20 * (mean red over each 2x2 cell - 0.5): stride 2 gives a 32x32 output for a 64x64 input
    const path = writeModel('logit', {
      metadata: { 'blurcam.contract': '1', 'blurcam.output': 'logit' },
      outChannels: 1,
      stride: 2,
      weights: redOnly(1, 2, [5]),
      bias: [-10],
    });
    const segmenter = await createSegmenter({ model: path, mode: 'video', softness: 0 });
    try {
      expect(segmenter.description).toMatch(/^logit\.onnx 64x64 on cpu/);
      const mask = await segmenter.segment(new FrameImage(halfRed()));
      expect(meanOver(mask, [0, 0, 90, 100])).toBe(255);
      expect(meanOver(mask, [110, 0, 90, 100])).toBe(0);
    } finally {
      await segmenter.close();
    }
  });

  it('normalises ImageNet-style and takes channel 1 of two class logits as the person', async () => {
    // person logit = 4 * normalised red; background logit = 0
    const path = writeModel('two-class', {
      metadata: { 'blurcam.input': 'rgb-imagenet', 'blurcam.output': 'two-class-logits' },
      outChannels: 2,
      stride: 1,
      weights: redOnly(2, 1, [0, 4]),
      bias: [0, 0],
    });
    const segmenter = await createSegmenter({ model: path, mode: 'photo', softness: 0 });
    try {
      const mask = await segmenter.segment(new FrameImage(halfRed()));
      expect(meanOver(mask, [0, 0, 90, 100])).toBe(255);
      expect(meanOver(mask, [110, 0, 90, 100])).toBe(0);
    } finally {
      await segmenter.close();
    }
  });
});

describe('models that cannot be used', () => {
  it('MODEL_NOT_FOUND names a missing bundled model and says how to make it', async () => {
    const error = await expectFailure(() => createSegmenter({ modelsDir: scratch, mode: 'photo' }), 'MODEL_NOT_FOUND', /selfie-square\.onnx does not exist/);
    expect(error.hint).toContain('npm run models');
  });

  it('MODEL_NOT_FOUND names a missing model path', async () => {
    const path = join(scratch, 'missing.onnx');
    const error = await expectFailure(() => createSegmenter({ model: path }), 'MODEL_NOT_FOUND', new RegExp(`^Model file ${path} does not exist`));
    expect(error.hint).toContain('--model');
    await expectFailure(() => createSegmenter({ model: scratch }), 'MODEL_NOT_FOUND', /does not exist/);
  });

  it('MODEL_INVALID for a file that is not ONNX', async () => {
    const path = join(scratch, 'notes.onnx');
    writeFileSync(path, 'these are notes, not a model\n');
    await expectFailure(() => createSegmenter({ model: path }), 'MODEL_INVALID', new RegExp(`^${path} is not a usable ONNX model: `));
  });

  it('MODEL_INVALID for a truncated model', async () => {
    const path = join(scratch, 'truncated.onnx');
    writeFileSync(path, readFileSync(SQUARE_MODEL).subarray(0, 50_000));
    await expectFailure(() => createSegmenter({ model: path }), 'MODEL_INVALID', /truncated\.onnx is not a usable ONNX model/);
  });

  it('MODEL_CONTRACT for a model with three output channels', async () => {
    const path = writeModel('three-channels', { metadata: {}, outChannels: 3, stride: 1, weights: redOnly(3, 1, [1, 1, 1]), bias: [0, 0, 0] });
    await expectFailure(
      () => createSegmenter({ model: path }),
      'MODEL_CONTRACT',
      /three-channels\.onnx does not follow the blurcam model contract: "mask" has shape \[1,3,64,64\], expected 1 channel/,
    );
  });

  it('MODEL_CONTRACT for unknown metadata', async () => {
    const path = writeModel('bad-metadata', { metadata: { 'blurcam.output': 'alpha' }, outChannels: 1, stride: 1, weights: redOnly(1, 1, [1]), bias: [0] });
    await expectFailure(() => createSegmenter({ model: path }), 'MODEL_CONTRACT', /blurcam\.output is "alpha"/);
  });

  it('keeps the contract check when a bundled model is copied elsewhere', async () => {
    const path = join(scratch, 'copy.onnx');
    copyFileSync(SQUARE_MODEL, path);
    const model = await OnnxModel.open({ path, device: 'cpu' });
    try {
      expect(model.contract).toMatchObject({ inputName: 'image', outputName: 'mask', inputHeight: 256, outputHeight: 256 });
    } finally {
      await model.close();
    }
  });
});

describe("the live path's grid thread and threshold", () => {
  const LANDSCAPE_MODEL = join(DEFAULT_MODELS_DIR, 'selfie-landscape.onnx');
  // The astronaut on a grey 1280x720 frame, at the landscape model's input size (BGR bytes).
  const frame = new cv.Mat(720, 1280, cv.CV_8UC3, [128, 128, 128]);
  cv.imread(ASTRONAUT).resize(720, 720).copyTo(frame.getRegion(new cv.Rect(280, 0, 720, 720)));

  /** The astronaut frame moved `dx` pixels to the right: a person moving across a still background. */
  const moved = (dx: number) => new FrameImage(frame.warpAffine(new cv.Mat([[1, 0, dx], [0, 1, 0]], cv.CV_64F), new cv.Size(1280, 720), cv.INTER_LINEAR, cv.BORDER_REPLICATE));
  const live = (ownThread: boolean) => createSegmenter({ mode: 'video', device: 'cpu', frameSize: { width: 1280, height: 720 }, ownThread });
  /** `work` with a live segmenter whose grid work runs on its own thread and one that does it on the calling thread. */
  async function withThreadedAndHere(work: (threaded: BlurcamSegmenter, here: BlurcamSegmenter) => Promise<void>): Promise<void> {
    const threaded = await live(true);
    const here = await live(false);
    try {
      await work(threaded, here);
    } finally {
      await threaded.close();
      await here.close();
    }
  }

  it('runs the grid work on a thread of its own, with the same masks as on the calling thread', () =>
    withThreadedAndHere(async (threaded, here) => {
      expect((threaded as unknown as { threaded: boolean }).threaded).toBe(true);
      expect((here as unknown as { threaded: boolean }).threaded).toBe(false);
      // Enough frames for both whole views, detail tiles, the fusion, the background model and the smoother to take part.
      for (let i = 0; i < 6; i++) {
        const image = moved(i * 12);
        // The caller's own work runs once per frame, while the thread works.
        let calls = 0;
        const [a, b] = [await threaded.segment(image, () => calls++), await here.segment(image)];
        expect(calls).toBe(1);
        expect(a.absdiff(b).countNonZero()).toBe(0);
        expect(a.threshold(127, 255, cv.THRESH_BINARY).countNonZero()).toBeGreaterThan(100_000);
        if (i > 0) expect(threaded.lastTimings.inferences).toBe(1);
      }
      // A reset reaches the thread: its next frame runs every view again (both whole views and the nine detail
      // tiles), as here.
      threaded.reset();
      here.reset();
      const image = moved(80);
      expect((await threaded.segment(image)).absdiff(await here.segment(image)).countNonZero()).toBe(0);
      expect(threaded.lastTimings.inferences).toBe(11);
    }));

  it("rejects with the caller's error from the work it does meanwhile, and the next frame goes on as usual", () =>
    withThreadedAndHere(async (threaded, here) => {
      await threaded.segment(moved(0));
      await here.segment(moved(0));
      await expect(
        threaded.segment(moved(10), () => {
          throw new Error('prepare failed');
        }),
      ).rejects.toThrow('prepare failed');
      await here.segment(moved(10));
      // The thread finished that frame before the error went up: it takes the next one, with the same mask as here.
      const image = moved(20);
      expect((await threaded.segment(image)).absdiff(await here.segment(image)).countNonZero()).toBe(0);
      expect((threaded as unknown as { threaded: boolean }).threaded).toBe(true);
    }));

  it('goes on on the calling thread, starting over, when the grid thread is gone', () =>
    withThreadedAndHere(async (threaded, fresh) => {
      await threaded.segment(moved(0));
      // The thread ends as if it had crashed: the next frame notices and does the work here, from a fresh start.
      await (threaded as unknown as { thread: { close(): Promise<void> } }).thread.close();
      const image = moved(30);
      const got = await threaded.segment(image);
      expect((threaded as unknown as { threaded: boolean }).threaded).toBe(false);
      expect(got.absdiff(await fresh.segment(image)).countNonZero()).toBe(0);
    }));

  it('puts the live edge at 0.45 unless told otherwise; the photo mode at 0.5', async () => {
    const masks: Record<string, Mat> = {};
    for (const threshold of [undefined, 0.45, 0.5]) {
      const video = await createSegmenter({ mode: 'video', device: 'cpu', frameSize: { width: 1280, height: 720 }, threshold });
      masks[String(threshold)] = await video.segment(new FrameImage(frame));
      await video.close();
    }
    const person = (mask: Mat) => mask.threshold(127, 255, cv.THRESH_BINARY).countNonZero();
    expect(masks.undefined.absdiff(masks['0.45']).countNonZero()).toBe(0);
    expect(person(masks['0.45'])).toBeGreaterThan(person(masks['0.5']));
  });
});

describe('options and devices', () => {
  it.skipIf(appleSilicon)('DEVICE_UNAVAILABLE for --device coreml off Apple Silicon', async () => {
    await expectFailure(() => createSegmenter({ device: 'coreml' }), 'DEVICE_UNAVAILABLE', /CoreML is not available on/);
  });

  it.skipIf(process.platform === 'darwin')('the CoreML probe finds no CoreML report where CoreML does not exist', async () => {
    expect(await probeCoremlCoverage(SQUARE_MODEL)).toBeNull();
  });
});
