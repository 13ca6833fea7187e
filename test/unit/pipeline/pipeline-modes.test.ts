/**
 * The pipeline's modes (live, paused, slate) and effect changes while running, driven step by step with the
 * manual camera: what gets read, segmented and sent in each mode, and that no camera frame leaves once the slate
 * is on, even one that was already on its way.
 */
import { describe, expect, it } from 'vitest';
import { Compositor } from '../../../src/composite/compositor.js';
import { Pipeline } from '../../../src/pipeline/pipeline.js';
import { GatedSegmenter, ManualSource, RecordingSink, settle } from '../../support/pipeline-fakes.js';

const SLATE_BYTE = 7;

/** A source that can also let go of its device, counting how often it was asked to. */
class ReleasableSource extends ManualSource {
  releases = 0;
  async release(): Promise<void> {
    this.releases++;
  }
}

function setUp(options: { gated?: boolean; releaseAfterMs?: number } = {}) {
  const source = new ReleasableSource();
  const segmenter = new GatedSegmenter(options.gated ?? false);
  const sink = new RecordingSink();
  const compositor = new Compositor({ kind: 'blur', strength: 0.5 });
  const pipeline = new Pipeline(
    { source, segmenter, compositor, sink, slate: (width, height) => Buffer.alloc(width * height * 4, SLATE_BYTE) },
    { releaseAfterMs: options.releaseAfterMs ?? 60_000, slateFps: 50 },
  );
  const running = pipeline.run();
  return { source, segmenter, sink, compositor, pipeline, running };
}

const isSlate = (data: Buffer) => data.every((byte) => byte === SLATE_BYTE);

describe('Pipeline modes', () => {
  it('reads, segments and sends nothing while paused, and picks up again when live', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp();
    await settle();
    source.push();
    await settle();
    expect(pipeline.segmentedFrames).toBe(1);
    pipeline.setMode('paused');
    // The read that was already waiting gets a frame; it goes nowhere, and no new read follows.
    source.push();
    await settle();
    const readsWhilePaused = source.reads;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(source.reads).toBe(readsWhilePaused);
    expect(pipeline.segmentedFrames).toBe(1);
    expect(sink.frames.map((frame) => frame.seq)).toEqual([0]);

    pipeline.setMode('live');
    await settle();
    source.push();
    await settle();
    expect(pipeline.segmentedFrames).toBe(2);
    expect(sink.frames.map((frame) => frame.seq)).toEqual([0, 2]);
    expect(segmenter.seen).toEqual([0, 2]);
    pipeline.stop();
    await running;
  });

  it('lets go of the camera once paused for releaseAfterMs, not before', async () => {
    const { source, pipeline, running } = setUp({ releaseAfterMs: 40 });
    await settle();
    pipeline.setMode('paused');
    pipeline.setMode('live');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(source.releases).toBe(0);
    pipeline.setMode('paused');
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(source.releases).toBe(1);
    pipeline.stop();
    await running;
  });

  it('sends only the slate once it is on, dropping a camera frame that was already on its way', async () => {
    const { source, segmenter, sink, pipeline, running } = setUp({ gated: true });
    await settle();
    source.push(); // frame 0 waits inside the segmenter
    await settle();
    pipeline.setMode('slate');
    segmenter.release(); // frame 0 finishes after the switch: it must not reach the sink
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(sink.frames.length).toBeGreaterThanOrEqual(2);
    expect(sink.frames.every((frame) => isSlate(frame.data))).toBe(true);
    expect(sink.frames.every((frame) => frame.width === 64 && frame.height === 48 && frame.format === 'bgra')).toBe(true);

    const slates = sink.frames.length;
    pipeline.setMode('live');
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The slate stopped with the mode.
    expect(sink.frames.length).toBe(slates);
    segmenter.open();
    source.push();
    await settle();
    await settle();
    const last = sink.frames.at(-1);
    expect(last && isSlate(last.data)).toBe(false);
    pipeline.stop();
    await running;
  });

  it('applies a new effect from the next frame, and loads no mask it does not need', async () => {
    const { source, segmenter, sink, compositor, pipeline, running } = setUp();
    await settle();
    source.push();
    await settle();
    compositor.setEffect({ kind: 'none' });
    source.push();
    await settle();
    expect(segmenter.seen).toEqual([0]);
    // 'none' passes the frame through: its own colour everywhere, the right half included.
    const plain = sink.frames[1].data;
    expect([...plain.subarray(plain.length - 4)]).toEqual([1, 80, 160, 255]);
    compositor.setEffect({ kind: 'blur', strength: 0.5 });
    source.push();
    await settle();
    expect(segmenter.seen).toEqual([0, 2]);
    expect(sink.frames.map((frame) => frame.seq)).toEqual([0, 1, 2]);
    pipeline.stop();
    await running;
  });

  it('gives the status page a copy of the next frame and its mask, the slate while it is on, and nothing while paused', async () => {
    const { source, pipeline, running } = setUp();
    await settle();
    const next = pipeline.snapshot();
    source.push();
    const shot = await next;
    expect(shot).toMatchObject({ width: 64, height: 48 });
    expect(shot?.output.length).toBe(64 * 48 * 4);
    // The fake segmenter's person is the left half.
    expect([shot?.mask?.[0], shot?.mask?.[63]]).toEqual([255, 0]);

    const pending = pipeline.snapshot();
    pipeline.setMode('slate');
    expect(isSlate((await pending)?.output ?? Buffer.alloc(0))).toBe(true);
    expect((await pipeline.snapshot())?.mask).toBeUndefined();
    pipeline.setMode('paused');
    expect(await pipeline.snapshot()).toBeUndefined();
    pipeline.stop();
    await running;
  });
});
