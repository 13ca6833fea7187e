import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Compositor } from '../../../src/composite/compositor.js';
import { BlurcamError } from '../../../src/errors.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { GatedSegmenter, ManualSource, RecordingSink, settle } from '../../support/pipeline-fakes.js';
import type { VideoFrame } from '../../../src/capture/frame-source.js';

function setUp(options: { gated?: boolean; lockstep?: boolean; maxFrames?: number; warmupFrames?: number } = {}) {
  const source = new ManualSource();
  const segmenter = new GatedSegmenter(options.gated ?? false);
  const sink = new RecordingSink();
  const pipeline = new Pipeline(
    { source, segmenter, compositor: new Compositor({ kind: 'blur', strength: 0.5 }), sink },
    { lockstep: options.lockstep, maxFrames: options.maxFrames, warmupFrames: options.warmupFrames },
  );
  const running = pipeline.run();
  return { source, segmenter, sink, pipeline, running };
}

/** The sequence numbers of the frames that reached the sink, in order. */
const seqsOf = (sink: RecordingSink) => sink.frames.map((frame) => frame.seq);

describe('Pipeline', () => {
  it('carries each frame through every stage to the sink as BGRA', async () => {
    const { source, sink, pipeline, running } = setUp();
    for (let i = 0; i < 3; i++) {
      await settle();
      source.push();
      await settle();
    }
    pipeline.stop();
    await running;
    expect(seqsOf(sink)).toEqual([0, 1, 2]);
    const frame = sink.frames[0];
    expect(frame).toMatchObject({ width: 64, height: 48, format: 'bgra', stride: 256 });
    expect(frame.data.length).toBe(64 * 48 * 4);
    // Left half is the person: the frame's own pixel, with full alpha.
    expect([...frame.data.subarray(0, 4)]).toEqual([0, 80, 160, 255]);
    const report = pipeline.stats.total();
    expect(report).toMatchObject({ framesIn: 3, framesOut: 3, dropsTotal: 0 });
    expect(report.stages.segment.p50_ms).toBeGreaterThanOrEqual(0);
    expect(report.total.p50_ms).toBeGreaterThan(0);
  });

  it('drops and counts frames while a slow stage is busy, and never makes the camera wait', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp({ gated: true });
    await settle();
    source.push(); // frame 0 goes into segmentation and stays there
    await settle();
    for (let i = 0; i < 3; i++) {
      source.push(); // frames 1, 2, 3 arrive while the segmenter is busy
      await settle();
    }
    // The camera was asked for its next frame as soon as each one arrived.
    expect(source.reads).toBe(5);
    expect(segmenter.seen).toEqual([0]);
    segmenter.release();
    await settle();
    // The segmenter moved straight to the newest frame; 1 and 2 were dropped.
    expect(segmenter.seen).toEqual([0, 3]);
    expect(pipeline.stats.total().drops['segment-busy']).toBe(2);
    segmenter.release();
    await settle();
    pipeline.stop();
    await running;
    expect(seqsOf(sink)).toEqual([0, 3]);
    expect(pipeline.stats.total()).toMatchObject({ framesIn: 4, framesOut: 2, dropsTotal: 2 });
  });

  it('counts frames the sink refuses', async () => {
    const { source, sink, pipeline, running } = setUp();
    sink.refuse = true;
    await settle();
    source.push();
    await settle();
    pipeline.stop();
    await running;
    expect(pipeline.stats.total()).toMatchObject({ framesIn: 1, framesOut: 0 });
    expect(pipeline.stats.total().drops['sink-refused']).toBe(1);
  });

  it('stops cleanly with a camera that never yields a frame', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp();
    await settle();
    expect(source.reads).toBe(1);
    pipeline.stop();
    await running;
    expect(source.closed && segmenter.closed && sink.closed).toBe(true);
    expect(pipeline.stats.total()).toMatchObject({ framesIn: 0, framesOut: 0 });
  });

  it('fails with the camera error after shutting everything down', async () => {
    const { source, segmenter, sink, running } = setUp();
    await settle();
    const error = new BlurcamError('CAMERA_NO_FRAMES', 'Camera 0 opened but gives no frames.', 'Close other apps.');
    source.fail(error);
    await expect(running).rejects.toBe(error);
    expect(source.closed && segmenter.closed && sink.closed).toBe(true);
  });

  it('lets frames already captured finish when stopped, and closes the source first', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp({ gated: true });
    await settle();
    source.push();
    await settle();
    pipeline.stop();
    await settle();
    expect(source.closed).toBe(true);
    expect(segmenter.closed).toBe(false);
    expect(sink.closed).toBe(false);
    segmenter.release();
    await running;
    expect(seqsOf(sink)).toEqual([0]);
    expect(segmenter.closed && sink.closed).toBe(true);
  });

  it('stops by itself after maxFrames, once the warm-up is done', async () => {
    const { source, sink, pipeline, running } = setUp({ maxFrames: 2, warmupFrames: 1 });
    let done = false;
    void running.then(() => (done = true));
    for (let i = 0; i < 3; i++) {
      await settle();
      source.push();
      await settle();
    }
    await running;
    expect(done).toBe(true);
    expect(seqsOf(sink)).toEqual([0, 1, 2]);
    expect(source.closed).toBe(true);
    // The warm-up frame is not in the statistics.
    expect(pipeline.stats.total().framesOut).toBe(2);
  });

  it('lets no frame out past the limit, even one already on its way', async () => {
    const { source, segmenter, sink, running } = setUp({ gated: true, maxFrames: 1 });
    await settle();
    source.push();
    await settle();
    source.push(); // waits for the segmenter behind frame 0
    await settle();
    segmenter.release(); // frame 0 out: the limit is reached while frame 1 is still in the pipeline
    await settle();
    segmenter.release();
    await running;
    expect(seqsOf(sink)).toEqual([0]);
  });

  it('in lockstep, reads the next frame only once the previous one has left', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp({ gated: true, lockstep: true });
    await settle();
    source.push();
    await settle();
    await settle();
    expect(source.reads).toBe(1);
    segmenter.release();
    await settle();
    expect(source.reads).toBe(2);
    expect(seqsOf(sink)).toEqual([0]);
    pipeline.stop();
    await running;
    expect(pipeline.stats.total().dropsTotal).toBe(0);
  });

  it('holds on to no frame once it has gone out (memory stays flat however long it runs)', async () => {
    const { source, pipeline, running } = setUp();
    const reads = source.read.bind(source);
    const frames: WeakRef<VideoFrame>[] = [];
    source.read = () => reads().then((frame) => (frames.push(new WeakRef(frame)), frame));
    for (let i = 0; i < 20; i++) {
      await settle();
      source.push();
      await settle();
    }
    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    collectGarbage();
    await settle();
    collectGarbage();
    // Only the newest frames (in the stages, or the one read last) may still be referenced.
    expect(frames.filter((frame) => frame.deref() !== undefined).length).toBeLessThanOrEqual(2);
    pipeline.stop();
    await running;
  });

  it('frees every image and mask once done with it, dropped frames included', async () => {
    const { source, segmenter, pipeline, running } = setUp({ gated: true });
    await settle();
    for (let i = 0; i < 4; i++) {
      source.push(); // frame 0 waits in the segmenter; frames 1 and 2 are dropped for frame 3
      await settle();
    }
    segmenter.open();
    await settle();
    pipeline.stop();
    await running;
    expect(pipeline.stats.total().drops['segment-busy']).toBe(2);
    expect(source.images).toHaveLength(4);
    expect(source.images.every((image) => image.empty)).toBe(true);
    expect(segmenter.masks.length).toBeGreaterThan(0);
    expect(segmenter.masks.every((mask) => mask.empty)).toBe(true);
  });

  it('frees the frame and mask of a stage that fails, and fails with its error', async () => {
    const source = new ManualSource();
    const segmenter = new GatedSegmenter(false);
    const compositor = {
      needsMask: true,
      composite(): Buffer {
        throw new Error('composite failed');
      },
    };
    const pipeline = new Pipeline({ source, segmenter, compositor, sink: new RecordingSink() });
    const running = pipeline.run();
    await settle();
    source.push();
    await expect(running).rejects.toThrow('composite failed');
    expect(source.images).toHaveLength(1);
    expect(source.images[0].empty).toBeTruthy();
    expect(segmenter.masks[0].empty).toBeTruthy();
  });

  it('frees the frame whose segmentation fails, and fails with its error', async () => {
    const source = new ManualSource();
    const segmenter = {
      provider: 'cpu' as const,
      description: 'failing test segmenter',
      segment: () => Promise.reject(new Error('segment failed')),
      reset() {},
      close: async () => {},
    };
    const pipeline = new Pipeline({ source, segmenter, compositor: new Compositor({ kind: 'blur', strength: 0.5 }), sink: new RecordingSink() });
    const running = pipeline.run();
    await settle();
    source.push();
    await expect(running).rejects.toThrow('segment failed');
    expect(source.images[0].empty).toBeTruthy();
  });

  it('writes later frames into output memory the sink is done with, each frame still arriving whole', async () => {
    const { source, sink, pipeline, running } = setUp();
    const lent = new Set<Buffer>();
    const firstBytes: number[] = [];
    // A sink that looks at the pixels only during write(), as FrameSink's contract says.
    sink.write = (frame) => (lent.add(frame.data), firstBytes.push(frame.data[0]), true);
    for (let i = 0; i < 12; i++) {
      await settle();
      source.push();
      await settle();
    }
    pipeline.stop();
    await running;
    // The left half is the person, whose blue channel carries the frame's number.
    expect(firstBytes).toEqual([...Array(12).keys()]);
    expect(lent.size).toBeLessThanOrEqual(3);
  });

  it('needs a segmenter for an effect that uses the mask', () => {
    const parts = { source: new ManualSource(), compositor: new Compositor({ kind: 'blur', strength: 0 }), sink: new RecordingSink() };
    expect(() => new Pipeline(parts)).toThrow(/needs a segmenter/);
    expect(() => new Pipeline({ ...parts, compositor: new Compositor({ kind: 'none' }) })).not.toThrow();
  });
});
