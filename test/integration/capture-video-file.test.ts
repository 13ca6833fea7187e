import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeClip } from '../../src/bench/make-clip.js';
import { createFrameSource } from '../../src/capture/create-frame-source.js';
import { VideoFileSource } from '../../src/capture/video-file-source.js';
import { expectFailure } from '../support/expect-blurcam-error.js';

describe('VideoFileSource on a recorded clip of the demo scene', () => {
  const dir = mkdtempSync(join(tmpdir(), 'blurcam-capture-'));
  let clip: string;

  beforeAll(() => {
    clip = makeClip(join(dir, 'person.mp4'), { width: 640, height: 360, fps: 25, seconds: 1 });
  });

  it('reports the file size and rate, and loops at the end', async () => {
    const source = await VideoFileSource.open(clip, { paced: false });
    expect([source.width, source.height, source.fps]).toEqual([640, 360, 25]);
    expect(source.description).toContain('640x360 @ 25 fps, looping, unpaced');
    const frames = [];
    for (let i = 0; i < 30; i++) frames.push(await source.read());
    expect(frames.map((frame) => frame.seq)).toEqual([...Array(30).keys()]);
    for (const { image } of frames) expect([image.width, image.height, image.mat.channels]).toEqual([640, 360, 3]);
    // Frame 25 is the first frame again.
    const difference = frames[25].image.mat.absdiff(frames[0].image.mat).getData();
    expect(difference.reduce((sum, value) => sum + value, 0) / difference.length).toBeLessThan(1);
    await source.close();
  });

  it('paces frames at the file rate when asked, stamping each with its due time', async () => {
    const source = await createFrameSource({ input: clip, camera: 0, width: 1280, height: 720, fps: 30, paced: true });
    const stamps: bigint[] = [];
    for (let i = 0; i < 4; i++) stamps.push((await source.read()).captureTimeNs);
    for (let i = 1; i < stamps.length; i++) expect(stamps[i] - stamps[i - 1]).toBe(40_000_000n);
    await source.close();
  });

  it('says when the file is missing or does not decode', async () => {
    await expectFailure(() => VideoFileSource.open(join(dir, 'absent.mp4'), { paced: false }), 'PATH_NOT_FOUND', /--input .*absent.mp4: no such file/);
    const notVideo = join(dir, 'notes.mp4');
    writeFileSync(notVideo, 'this is text, not a video'.repeat(100));
    await expectFailure(() => VideoFileSource.open(notVideo, { paced: false }), 'VIDEO_UNREADABLE', /--input .*notes.mp4 does not play as video/);
  });
});
