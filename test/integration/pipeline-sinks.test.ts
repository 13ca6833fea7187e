import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VideoFileSource } from '../../src/capture/video-file-source.js';
import { cv } from '../../src/opencv.js';
import { createSink } from '../../src/pipeline/create-sink.js';
import type { OutputFrame } from '../../src/pipeline/frame-sink.js';
import { NullSink } from '../../src/pipeline/null-sink.js';
import { VideoFileSink } from '../../src/pipeline/video-file-sink.js';
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
    let refused = 0;
    for (let i = 0; i < 10; i++) {
      // One frame is encoded at a time: offer it again until the encoder has finished the previous one.
      while (!sink.write(frame(i, [200, 40, 40]))) {
        refused++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    await sink.close();
    expect(refused).toBeGreaterThan(0);
    const playback = await VideoFileSource.open(join(dir, 'out.mp4'), { paced: false });
    expect([playback.width, playback.height]).toEqual([320, 240]);
    const data = (await playback.read()).image.getData();
    const centre = (120 * 320 + 160) * 3;
    expect(Math.abs(data[centre] - 200) + Math.abs(data[centre + 1] - 40) + Math.abs(data[centre + 2] - 40)).toBeLessThan(30);
    await playback.close();
    expect(new cv.VideoCapture(join(dir, 'out.mp4')).get(cv.CAP_PROP_FRAME_COUNT)).toBe(10);
  });

  it('refuses a frame while the previous one is still being encoded, instead of queueing it', async () => {
    const sink = await createSink(join(dir, 'busy.avi'), SIZE);
    expect(sink.write(frame(0, [0, 0, 0]))).toBe(true);
    expect(sink.write(frame(1, [0, 0, 0]))).toBe(false);
    await sink.close();
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
