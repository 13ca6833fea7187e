/**
 * A full-frame picture for call apps: OBS's first start on a 16:10 screen makes a 16:10 canvas (measured: 1280x800,
 * output 1024x640), which letterboxes a 16:9 camera. blurcam makes the canvas the camera's size and rate while no
 * output runs, keeps the values it replaced, and leaves the canvas alone while an output is active.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { BLURCAM_INPUT_NAME, setupBlurcamScene } from '../../src/control/obs-setup.js';
import { cv, type Mat } from '../../src/opencv.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { PATTERN_A, type PatternSender, preparePluginTests, showsPattern, startPatternSender, sourceStats, waitFor } from './plugin-helpers.js';

const SCENE = 'blurcam';
const SCREEN = { width: 1280, height: 800 };
const CAMERA = { width: 1280, height: 720, fps: 30 };
const FIRST_START_VIDEO = { baseWidth: 1280, baseHeight: 800, outputWidth: 1024, outputHeight: 640, fpsNumerator: 30, fpsDenominator: 1 };
const SAVED_PNG = '/tmp/fullframe-16x10.png';
const CLI = fileURLToPath(new URL('../../bin/blurcam.js', import.meta.url));

async function sceneScreenshot(obs: ObsConnection): Promise<{ image: Mat; png: Buffer }> {
  const { baseWidth } = await obs.call('GetVideoSettings');
  const { imageData } = await obs.call('GetSourceScreenshot', { sourceName: SCENE, imageFormat: 'png', imageWidth: baseWidth });
  const png = Buffer.from(imageData.slice(imageData.indexOf(',') + 1), 'base64');
  return { image: cv.imdecode(png), png };
}

/** The brightest channel value over a few whole rows at the top and at the bottom: 0 means black bars. */
function edgeBrightness(image: Mat): { top: number; bottom: number } {
  const rowsMax = (from: number) => Math.max(...image.getRegion(new cv.Rect(0, from, image.cols, 3)).splitChannels().map((channel) => channel.minMaxLoc().maxVal));
  return { top: rowsMax(0), bottom: rowsMax(image.rows - 3) };
}

describe('full-frame canvas (real OBS on a 1280x800 screen, plugin loaded)', () => {
  let obs: HeadlessObs;
  let connection: ObsConnection;
  let sender: PatternSender;
  let workDir: string;
  let backupPath: string;
  let endpoint: string;

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, ...SCREEN });
    connection = await obs.connect();
    // What OBS's own first start made of this screen (the harness writes a canvas the size of the screen).
    await connection.call('SetVideoSettings', { ...FIRST_START_VIDEO });
    workDir = mkdtempSync(join(tmpdir(), 'blurcam-canvas-'));
    backupPath = join(workDir, 'obs-video-backup.json');
    endpoint = `ipc://${obs.home}/runtime/canvas.sock`;
    sender = startPatternSender(endpoint, PATTERN_A, CAMERA.fps, `${CAMERA.width}x${CAMERA.height}`);
  }, 240_000);

  afterAll(async () => {
    await sender?.stop();
    await connection?.close();
    await obs?.dispose();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('without matching, the 16:9 camera is letterboxed in the 16:10 canvas (what the fix is for)', async () => {
    await setupBlurcamScene(connection, { sceneName: SCENE, endpoint });
    await waitFor('frames in OBS', async () => ((await sourceStats(connection, BLURCAM_INPUT_NAME)).state === 'receiving' ? true : undefined), 60_000);
    const { image } = await sceneScreenshot(connection);
    expect([image.cols, image.rows]).toEqual([1280, 800]);
    expect(edgeBrightness(image)).toEqual({ top: 0, bottom: 0 });
  });

  it("makes the canvas the camera's size and rate, keeps the old values, and the picture fills it with no bars", async () => {
    const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, canvas: { camera: CAMERA, backupPath } });

    expect(setup.canvas).toEqual({
      changed: true,
      line: `OBS canvas set to the camera's 1280x720 at 30 fps (was 1280x800 (output 1024x640) at 30 fps; the previous values are kept in ${backupPath}).`,
    });
    expect(setup.changes).toContain('matched the canvas to the camera');
    expect(await connection.call('GetVideoSettings')).toMatchObject({ baseWidth: 1280, baseHeight: 720, outputWidth: 1280, outputHeight: 720, fpsNumerator: 30, fpsDenominator: 1 });
    const backup = JSON.parse(readFileSync(backupPath, 'utf8')) as Record<string, Record<string, unknown>>;
    expect(Object.keys(backup)).toEqual(['blurcam-headless']);
    expect(backup['blurcam-headless']).toMatchObject(FIRST_START_VIDEO);

    const { image } = await waitFor(
      'the pattern filling the scene',
      async () => {
        const shot = await sceneScreenshot(connection);
        return shot.image.rows === 720 && showsPattern(shot.image, PATTERN_A) ? shot : undefined;
      },
      30_000,
    );
    const edges = edgeBrightness(image);
    // The pattern's top half is red and green, its bottom half blue and white: bright rows, no bars.
    expect(edges.top).toBeGreaterThan(200);
    expect(edges.bottom).toBeGreaterThan(200);
  });

  it('changes nothing the second time, and the backup keeps the first values', async () => {
    const before = readFileSync(backupPath, 'utf8');
    const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, canvas: { camera: { ...CAMERA }, backupPath } });
    expect(setup.canvas).toEqual({ changed: false, line: "OBS canvas: the camera's 1280x720 at 30 fps already." });
    expect(setup.changes).toEqual([]);
    expect(readFileSync(backupPath, 'utf8')).toBe(before);
  });

  it('leaves the canvas alone while OBS records, and says so', async () => {
    const otherBackup = join(workDir, 'while-recording.json');
    await connection.call('StartRecord');
    try {
      await waitFor('the recording to run', async () => ((await connection.call('GetRecordStatus')).outputActive ? true : undefined), 20_000);
      const setup = await setupBlurcamScene(connection, { sceneName: SCENE, endpoint, canvas: { camera: { width: 640, height: 480, fps: 30 }, backupPath: otherBackup } });
      expect(setup.canvas?.changed).toBe(false);
      expect(setup.canvas?.line).toMatch(
        /^OBS canvas 1280x720 at 30 fps left as is while \S+ is active, so it may not match the camera's 640x480 at 30 fps; stop it and start blurcam again to match\.$/,
      );
      expect(await connection.call('GetVideoSettings')).toMatchObject({ baseWidth: 1280, baseHeight: 720 });
      expect(existsSync(otherBackup)).toBe(false);
    } finally {
      await connection.call('StopRecord').catch(() => undefined);
    }
  });

  it("blurcam start matches OBS's first-start canvas to the camera, says so, and the picture has no bars", async () => {
    await sender.stop();
    await waitFor('the recording to end', async () => ((await connection.call('GetRecordStatus')).outputActive ? undefined : true), 20_000);
    await connection.call('SetVideoSettings', { ...FIRST_START_VIDEO });
    const configDir = join(workDir, 'blurcam-config');
    // Frames received before this start came from the pattern sender.
    const receivedBefore = (await sourceStats(connection, BLURCAM_INPUT_NAME)).received;
    const args = ['start', '--input', 'demo', '--size', '1280x720', '--fps', '15', '--output', 'obs', '--obs-url', obs.url, '--endpoint', endpoint];
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, BLURCAM_CONFIG_DIR: configDir, BLURCAM_OBS_PASSWORD: obs.password },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise((resolveExit) => child.once('close', resolveExit));
    try {
      await waitFor('blurcam to run', async () => (stderr.includes('running: Ctrl-C stops.') ? true : undefined), 90_000);
      expect(stderr).toContain(
        `obs: OBS canvas set to the camera's 1280x720 at 15 fps (was 1280x800 (output 1024x640) at 30 fps; the previous values are kept in ${join(configDir, 'obs-video-backup.json')}).`,
      );
      const { image } = await waitFor(
        'the demo in the scene',
        async () => {
          const stats = await sourceStats(connection, BLURCAM_INPUT_NAME);
          // A few of blurcam's own frames, so OBS has drawn one (the first takes a moment to show).
          if (stats.state !== 'receiving' || stats.width !== 1280 || stats.received < receivedBefore + 5) return undefined;
          const shot = await sceneScreenshot(connection);
          return shot.image.rows === 720 ? shot : undefined;
        },
        90_000,
      );
      // Saved for a person to look at: the blurred demo room edge to edge.
      cv.imwrite(SAVED_PNG, image);
      const edges = edgeBrightness(image);
      expect(edges.top).toBeGreaterThan(40);
      expect(edges.bottom).toBeGreaterThan(40);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });
});
