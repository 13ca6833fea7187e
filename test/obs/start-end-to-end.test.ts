/**
 * `blurcam start --output obs` end to end: the real CLI (a child process, as users run it) feeding a real OBS
 * under Xvfb with blurcam's plugin. OBS shows the demo person sharp in front of a blurred room; OBS killed and
 * started again, or blurcam killed and started again, and the picture comes back by itself; and the errors a
 * user meets before the loop (wrong password, OBS not running, plugin missing), without the password anywhere.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../src/capture/demo-scene.js';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { BLURCAM_INPUT_NAME } from '../../src/control/obs-setup.js';
import { runCli } from '../support/run-cli.js';
import { Blurcam } from '../support/blurcam-process.js';
import { demoRegions, sharpness } from './demo-regions.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { preparePluginTests, screenshot, showsPlaceholder, sourceStats, waitFor } from './plugin-helpers.js';
import { freePort } from '../support/headless-obs.js';

const WIDTH = 640;
const HEIGHT = 360;
/** Half the camera rate: OBS renders in software here and shares two cores with blurcam and other work. */
const FPS = 15;
const SCENE = 'blurcam';
/** Whether blurcam's output holds none of these passwords. */
const mentionsNone = (text: string, passwords: string[]) => passwords.every((password) => !text.includes(password));

describe('blurcam start --output obs (real CLI, real OBS with the plugin)', { timeout: 240_000 }, () => {
  let obs: HeadlessObs;
  let probe: ObsConnection | undefined;
  let endpoint: string;
  const blurcams: Blurcam[] = [];

  const startBlurcam = () => {
    const blurcam = new Blurcam(
      ['start', '--input', 'demo', '--size', `${WIDTH}x${HEIGHT}`, '--fps', String(FPS), '--output', 'obs', '--obs-url', obs.url, '--endpoint', endpoint],
      // The harness's private runtime folder, for blurcam's control socket too.
      { BLURCAM_OBS_PASSWORD: obs.password, XDG_RUNTIME_DIR: join(obs.home, 'runtime') },
    );
    blurcams.push(blurcam);
    return blurcam;
  };

  /** A fresh connection for the test's own look at OBS (the previous one died with OBS, if it did). */
  const connectProbe = async () => {
    await probe?.close();
    probe = await obs.connect();
    return probe;
  };

  /** The source receiving blurcam's frames and showing them (not the "not running" placeholder). */
  const waitForFrames = (connection: ObsConnection, what: string, minReceived = 1) =>
    waitFor(
      what,
      async () => {
        const stats = await sourceStats(connection, BLURCAM_INPUT_NAME);
        if (stats.state !== 'receiving' || stats.received < minReceived) return undefined;
        return showsPlaceholder(await screenshot(connection, BLURCAM_INPUT_NAME, WIDTH)) ? undefined : stats;
      },
      120_000,
    );

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, width: WIDTH, height: HEIGHT, fps: FPS });
    // The harness's private runtime folder (0700), as the plugin wants for a socket file.
    endpoint = `ipc://${join(obs.home, 'runtime')}/start-e2e.sock`;
  }, 240_000);

  afterAll(async () => {
    for (const blurcam of blurcams) await blurcam.end('SIGKILL');
    await probe?.close();
    await obs?.dispose();
  }, 60_000);

  it('sets OBS up and shows the person sharp in front of a blurred background', async () => {
    const blurcam = startBlurcam();
    await blurcam.waitForStderr(/running: Ctrl-C stops\./);
    expect(blurcam.stderr).toContain(`output: OBS at ${obs.url}, scene "${SCENE}", frames over ${endpoint}`);
    expect(blurcam.stderr).toContain(`obs: OBS canvas: the camera's ${WIDTH}x${HEIGHT} at ${FPS} fps already.`);
    // No v4l2loopback here: one line of cause, one of fix, and blurcam carries on.
    expect(blurcam.stderr).toMatch(
      /obs: OBS's Virtual Camera is not available: the v4l2loopback kernel module is not loaded\.\n {2}fix: Run `sudo apt install v4l2loopback-dkms/,
    );

    const connection = await connectProbe();
    const { currentProgramSceneName } = await connection.call('GetCurrentProgramScene');
    expect(currentProgramSceneName).toBe(SCENE);
    const { inputSettings } = await connection.call('GetInputSettings', { inputName: BLURCAM_INPUT_NAME });
    expect(inputSettings.endpoint).toBe(endpoint);
    await waitForFrames(connection, 'the first frames in OBS');
    await blurcam.waitForStderr(/\| OBS live, sent \d+, dropped \d+\n/);

    const shown = await screenshot(connection, BLURCAM_INPUT_NAME, WIDTH);
    expect([shown.cols, shown.rows]).toEqual([WIDTH, HEIGHT]);
    const scene = DemoScene.create(WIDTH, HEIGHT);
    const { person, background } = demoRegions(scene);
    expect(person.countNonZero()).toBeGreaterThan(0.05 * WIDTH * HEIGHT);
    expect(background.countNonZero()).toBeGreaterThan(0.2 * WIDTH * HEIGHT);
    // The room never moves; the person's texture varies a little with her position: the input's least sharp view.
    const input = [0, 1.75, 3.5, 5.25].map((timeSec) => scene.render(timeSec).image);
    const backgroundRatio = sharpness(shown, background) / sharpness(input[0], background);
    const personRatio = sharpness(shown, person) / Math.min(...input.map((image) => sharpness(image, person)));
    expect(backgroundRatio).toBeLessThan(0.15);
    expect(personRatio).toBeGreaterThan(0.7);
  });

  it('says in its status line when the live scene does not show blurcam (a Stream Deck switched scenes)', async () => {
    const [blurcam] = blurcams;
    const connection = await connectProbe();
    await connection.call('SetCurrentProgramScene', { sceneName: 'Scene' });
    const from = blurcam.stderr.length;
    await blurcam.waitForStderr(/\| OBS connected, but the live scene "Scene" does not show blurcam, sent \d+/, from);
    await connection.call('SetCurrentProgramScene', { sceneName: SCENE });
    await blurcam.waitForStderr(/\| OBS live, sent \d+/, blurcam.stderr.length);
    expect(blurcam.running).toBe(true);
  });

  it('keeps running while OBS is killed and started again, and its frames show again without a restart', async () => {
    const [blurcam] = blurcams;
    await probe?.close();
    probe = undefined;
    const from = blurcam.stderr.length;
    await obs.kill();
    await blurcam.waitForStderr(/obs: The connection to OBS closed .*\n {2}blurcam reconnects by itself when OBS is back\./, from);
    await blurcam.waitForStderr(/\| OBS unreachable, reconnecting, sent \d+, dropped \d+\n/, from);

    await obs.restart();
    await blurcam.waitForStderr(/obs: connected again; blurcam's scene and source are set up\./, from);
    const connection = await connectProbe();
    // The new OBS counts from zero: frames it received came from the blurcam that never stopped.
    const stats = await waitForFrames(connection, 'frames after the OBS restart', 10);
    expect(stats.lastSeq).toBeGreaterThan(stats.received);
    expect(blurcam.running).toBe(true);
    await blurcam.waitForStderr(/\| OBS live, sent \d+/, blurcam.stderr.length);
  });

  it('lets a new blurcam take over after one was killed', async () => {
    const [killed] = blurcams;
    const connection = await connectProbe();
    expect(await killed.end('SIGKILL')).toBeNull();
    await waitFor('the placeholder', async () =>
      (await sourceStats(connection, BLURCAM_INPUT_NAME)).state === 'not_running' &&
      showsPlaceholder(await screenshot(connection, BLURCAM_INPUT_NAME, WIDTH))
        ? true
        : undefined,
    );
    const before = await sourceStats(connection, BLURCAM_INPUT_NAME);

    const blurcam = startBlurcam();
    await blurcam.waitForStderr(/running: Ctrl-C stops\./);
    const after = await waitForFrames(connection, 'frames from the new blurcam', before.received + 10);
    // The new process numbers its frames from 0 again.
    expect(after.lastSeq).toBeLessThan(before.lastSeq);
    const { inputs } = await connection.call('GetInputList');
    expect(inputs.map((input) => input.inputName)).toEqual([BLURCAM_INPUT_NAME]);

    // Ctrl-C: an ordered stop, with the sender's and the plugin's counts in the summary.
    expect(await blurcam.end('SIGINT')).toBe(0);
    expect(blurcam.stdout).toMatch(/^blurcam stopped\./);
    expect(blurcam.stdout).toMatch(
      /\n {2}OBS: sent \d+, dropped \d+; the plugin \(since its source started\) received \d+, shown \d+, dropped \d+, missed \d+, malformed 0, glass-to-OBS latency median [\d.]+ ms, p95 [\d.]+ ms\n$/,
    );
    expect(mentionsNone(blurcam.stdout + blurcam.stderr, [obs.password])).toBe(true);
  });

  it('stops before its loop on a wrong password, and prints no password', async () => {
    const wrong = 'not-the-password-4f1c';
    const result = await runCli(['start', '--input', 'demo', '--size', '320x240', '--obs-url', obs.url, '--endpoint', endpoint], {
      env: { BLURCAM_OBS_PASSWORD: wrong },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(`^blurcam: OBS rejected the websocket password \\(at ${obs.url.replace(/\./g, '\\.')}\\)\\.\n {2}fix: Copy the password from OBS > Tools > WebSocket Server Settings`),
    );
    expect(result.stdout).toBe('');
    expect(mentionsNone(result.stdout + result.stderr, [wrong, obs.password])).toBe(true);
  });

  it('stops before its loop when OBS does not run, saying how to start it', async () => {
    const url = `ws://127.0.0.1:${await freePort()}`;
    const result = await runCli(['start', '--input', 'demo', '--size', '320x240', '--obs-url', url, '--endpoint', endpoint], {
      env: { BLURCAM_OBS_PASSWORD: obs.password },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^blurcam: OBS does not answer at ws:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED [\d.:]+\)\.\n {2}fix: Start OBS \(or add --launch-obs\)/);
    expect(mentionsNone(result.stdout + result.stderr, [obs.password])).toBe(true);
  });
});

describe('blurcam start --output obs with an OBS that lacks the plugin', { timeout: 240_000 }, () => {
  let obs: HeadlessObs;

  beforeAll(async () => {
    obs = await startHeadlessObs({ plugin: false, width: 320, height: 180 });
  }, 240_000);

  afterAll(async () => {
    await obs?.dispose();
  }, 60_000);

  it('stops before its loop and points at scripts/install-obs.sh', async () => {
    const result = await runCli(['start', '--input', 'demo', '--size', '320x240', '--obs-url', obs.url, '--endpoint', `ipc://${obs.home}/none.sock`], {
      env: { BLURCAM_OBS_PASSWORD: obs.password },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^blurcam: OBS [\d.]+ has no blurcam source: the blurcam OBS plugin is not installed or did not load\.\n {2}fix: Close OBS, run scripts\/install-obs\.sh/);
    expect(mentionsNone(result.stdout + result.stderr, [obs.password])).toBe(true);
  });
});
