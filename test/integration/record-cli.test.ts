import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeClip } from '../../src/bench/make-clip.js';
import { cv } from '../../src/opencv.js';
import { runCli } from '../support/run-cli.js';

const TRAIN_DIR = fileURLToPath(new URL('../../train/', import.meta.url));
const PYTHON = process.env.BLURCAM_TRAIN_PYTHON ?? '/usr/bin/python3';
const hasPythonOpenCv = spawnSync(PYTHON, ['-c', 'import cv2, numpy'], { stdio: 'ignore' }).status === 0;

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'blurcam-record-'));
}

describe('blurcam record', () => {
  it('saves every Nth demo frame with the photo-mode mask as its label and a review picture', async () => {
    const out = join(scratch(), 'session');
    const result = await runCli(['record', '--input', 'demo', '--size', '320x180', '--frames', '10', '--every', '5', '--out', out], {
      timeoutMs: 120_000,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^recording 10 frames from demo scene \(320x180 .*\), keeping every 5$/m);
    expect(result.stdout).toMatch(/^labelling 2 frames with selfie .*photo mode$/m);
    const images = readdirSync(join(out, 'images'));
    expect(images).toHaveLength(2);
    expect(images[0]).toMatch(/^rec-\d{8}-\d{6}-00000\.jpg$/);
    const names = images.map((image) => image.replace('.jpg', ''));
    expect(readdirSync(join(out, 'masks'))).toEqual(names.map((name) => `${name}.png`));
    expect(readdirSync(join(out, 'review'))).toEqual(images);

    // The labels are exactly what `blurcam segment` (photo mode) writes for the same frames.
    const segmented = join(out, 'segmented');
    expect((await runCli(['segment', join(out, 'images'), '--out', segmented], { timeoutMs: 120_000 })).code).toBe(0);
    for (const name of names) {
      expect(readFileSync(join(out, 'masks', `${name}.png`)).equals(readFileSync(join(segmented, `${name}.png`)))).toBe(true);
      const mask = cv.imread(join(out, 'masks', `${name}.png`), cv.IMREAD_UNCHANGED);
      expect([mask.cols, mask.rows, mask.type]).toEqual([320, 180, cv.CV_8UC1]);
      const personShare = mask.threshold(127, 255, cv.THRESH_BINARY).countNonZero() / (320 * 180);
      expect(personShare).toBeGreaterThan(0.05);
      expect(personShare).toBeLessThan(0.8);
    }
  }, 180_000);

  it.skipIf(process.platform === 'darwin' && !hasPythonOpenCv)('records a video file into a folder that train/ prepares without a problem', async () => {
    const dir = scratch();
    const clip = makeClip(join(dir, 'room.mp4'), { width: 320, height: 180, fps: 25, seconds: 1 });
    const out = join(dir, 'session');
    const result = await runCli(['record', '--input', clip, '--frames', '6', '--every', '3', '--out', out], { timeoutMs: 120_000 });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^recording 6 frames from .*room\.mp4.*, keeping every 3$/m);
    expect(readdirSync(join(out, 'masks'))).toHaveLength(2);

    const prepared = spawnSync(PYTHON, ['-m', 'blurcam_train', 'prepare', out, '--out', join(dir, 'lists')], { cwd: TRAIN_DIR, encoding: 'utf8' });
    expect(prepared.stdout).toMatch(/^usable pairs {2}2 {2}\(train 1, validation 1, seed 0\)$/m);
    expect(prepared.stdout).not.toMatch(/left out/);
    expect(prepared.status, prepared.stderr).toBe(0);
  }, 180_000);

  it('refuses a count that is not one, and a folder it cannot write', async () => {
    const every = await runCli(['record', '--input', 'demo', '--every', '0', '--out', join(scratch(), 'x')]);
    expect(every.code).toBe(2);
    expect(every.stderr).toMatch(/^blurcam: --every 0 is not a count\.\n {2}fix: Use a whole number of at least 1\./);
    const file = join(scratch(), 'a-file');
    writeFileSync(file, 'not a folder');
    const unwritable = await runCli(['record', '--input', 'demo', '--out', file]);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toMatch(/^blurcam: Cannot write into .*a-file\/images: .*\n {2}fix: Give --out a folder you can write to\./);
  });
});
