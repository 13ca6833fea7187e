import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VideoFileSource } from '../../src/capture/video-file-source.js';
import { cv } from '../../src/opencv.js';
import { createSink } from '../../src/output/create-sink.js';
import type { OutputFrame } from '../../src/output/frame-sink.js';
import { NullSink } from '../../src/output/null-sink.js';
import { VideoFileSink } from '../../src/output/video-file-sink.js';
import { expectFailure } from '../support/expect-blurcam-error.js';

const SIZE = { width: 320, height: 240, fps: 30 };

function frame(seq: number, bgr: [number, number, number]): OutputFrame {
  const data = new cv.Mat(SIZE.height, SIZE.width, cv.CV_8UC4, [...bgr, 255]).getData();
  return { seq, captureTimeNs: process.hrtime.bigint(), width: SIZE.width, height: SIZE.height, format: 'bgra', stride: SIZE.width * 4, data };
}

describe('createSink', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-sinks-'));

  it('writes a video file that plays back with the frames written', async () => {
    const sink = await createSink(join(dir, 'out.mp4'), SIZE);
    expect(sink).toBeInstanceOf(VideoFileSink);
    // Faster than any encoder: the queue takes them all.
    for (let i = 0; i < 10; i++) expect(sink.write(frame(i, [200, 40, 40]))).toBe(true);
    await sink.close();
    const playback = await VideoFileSource.open(join(dir, 'out.mp4'), { paced: false });
    expect([playback.width, playback.height]).toEqual([320, 240]);
    const data = (await playback.read()).image.mat.getData();
    const centre = (120 * 320 + 160) * 3;
    expect(Math.abs(data[centre] - 200) + Math.abs(data[centre + 1] - 40) + Math.abs(data[centre + 2] - 40)).toBeLessThan(30);
    await playback.close();
    expect(new cv.VideoCapture(join(dir, 'out.mp4')).get(cv.CAP_PROP_FRAME_COUNT)).toBe(10);
  });

  it('queues half a second of frames for a busy encoder, then refuses frames instead of growing', async () => {
    const path = join(dir, 'busy.avi');
    const sink = await createSink(path, SIZE);
    const accepted = Array.from({ length: 30 }, (_, i) => sink.write(frame(i, [0, 0, 0])));
    // One frame goes straight to the encoder, 15 (half a second at 30 fps) wait for it.
    expect(accepted.filter(Boolean)).toHaveLength(16);
    expect(accepted.slice(0, 16).every(Boolean)).toBe(true);
    await sink.close();
    expect(new cv.VideoCapture(path).get(cv.CAP_PROP_FRAME_COUNT)).toBe(16);
  });

  it("gives the null sink for 'null'", async () => {
    const sink = await createSink('null', SIZE);
    expect(sink).toBeInstanceOf(NullSink);
    expect(sink.write(frame(0, [1, 2, 3]))).toBe(true);
  });

  it('says clearly what cannot be written', async () => {
    await expectFailure(() => createSink('/nonexistent/folder/out.mp4', SIZE), 'OUTPUT_UNWRITABLE', /Cannot write \/nonexistent\/folder\/out.mp4/);
    await expectFailure(() => createSink(join(dir, 'out.gif'), SIZE), 'BAD_OPTION', /cannot write ".gif" video files/);
    await expectFailure(() => createSink('obs', SIZE), 'BAD_OPTION', /^--output obs works with "blurcam start" only/);
  });
});
