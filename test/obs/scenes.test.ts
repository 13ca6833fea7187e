/**
 * The live OBS scene as blurcam's control, end to end: the real CLI feeding a real OBS under Xvfb with the plugin.
 * Switching scenes through obs-websocket (as a Stream Deck does) changes the effect OBS shows; "be right back"
 * shows blurcam's slate and, checked on the frame socket itself, no camera frame leaves blurcam; custom events
 * change the blur strength and bad ones change nothing; a scene without blurcam makes the segment stage idle;
 * `blurcam status`, `blurcam stop` and a second `start`.
 */
import { join } from 'node:path';
import type { OBSRequestTypes } from 'obs-websocket-js';
import { Pull } from 'zeromq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DemoScene } from '../../src/capture/demo-scene.js';
import { builtInBackdrop } from '../../src/composite/backdrop.js';
import { coverImage } from '../../src/composite/cover-image.js';
import { renderSlate } from '../../src/composite/slate.js';
import type { RunningStatus } from '../../src/live/control-socket.js';
import { freePort } from '../support/headless-obs.js';
import type { ObsConnection } from '../../src/control/obs-connection.js';
import { BLURCAM_INPUT_NAME } from '../../src/control/obs-setup.js';
import { DEFAULT_SCENES } from '../../src/live/scene-config.js';
import { cv, type Mat } from '../../src/opencv.js';
import { FRAME_PROTOCOL, readFrameHeader } from '../../src/transport/frame-protocol.js';
import { loadLinkKeys } from '../../src/transport/link-keys.js';
import { runCli } from '../support/run-cli.js';
import { Blurcam } from '../support/blurcam-process.js';
import { demoRegions, sharpness } from './demo-regions.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';
import { preparePluginTests, screenshot, showsPlaceholder, waitFor } from './plugin-helpers.js';

const WIDTH = 640;
const HEIGHT = 360;
/** Half the camera rate: OBS renders in software here and shares two cores with blurcam and other work. */
const FPS = 15;
const MAIN = 'blurcam';
const [BACKGROUND, CAMERA, BE_RIGHT_BACK] = DEFAULT_SCENES.map((scene) => scene.name);
/** The scene every new OBS collection has, without blurcam in it. */
const WITHOUT_BLURCAM = 'Scene';

/** Mean absolute difference (0..255, channels averaged) of two BGR images inside the mask. */
function meanDifference(a: Mat, b: Mat, mask: Mat): number {
  return a.absdiff(b).cvtColor(cv.COLOR_BGR2GRAY).meanStdDev(mask).mean.at(0, 0);
}

/** A BGRA frame message's pixels as a BGR Mat. */
function framePixels(message: Buffer): Mat {
  const header = readFrameHeader(message);
  const bgra = new cv.Mat(header.height, header.width, cv.CV_8UC4, message.subarray(FRAME_PROTOCOL.headerSize));
  return bgra.cvtColor(cv.COLOR_BGRA2BGR);
}

describe('scenes drive blurcam (real CLI, real OBS with the plugin)', { timeout: 300_000 }, () => {
  let obs: HeadlessObs;
  let probe: ObsConnection;
  let runtimeDir: string;
  let keyDir: string;
  const blurcams: Blurcam[] = [];
  const scene = () => DemoScene.create(WIDTH, HEIGHT);
  let regions: { person: Mat; background: Mat };
  let inputSharpness: number;

  const startBlurcam = (endpoint: string) => {
    const blurcam = new Blurcam(
      ['start', '--input', 'demo', '--size', `${WIDTH}x${HEIGHT}`, '--fps', String(FPS), '--obs-url', obs.url, '--endpoint', endpoint],
      // blurcam's settings folder holds the tcp frame link's keys (src/transport/link-keys.ts).
      { BLURCAM_OBS_PASSWORD: obs.password, XDG_RUNTIME_DIR: runtimeDir, BLURCAM_CONFIG_DIR: keyDir },
    );
    blurcams.push(blurcam);
    return blurcam;
  };
  const cli = (args: string[]) => runCli(args, { env: { XDG_RUNTIME_DIR: runtimeDir, BLURCAM_OBS_PASSWORD: obs.password } });
  const status = async () => JSON.parse((await cli(['status', '--json'])).stdout) as RunningStatus;
  const program = async () => screenshot(probe, (await probe.call('GetCurrentProgramScene')).currentProgramSceneName, WIDTH);
  const switchTo = (sceneName: string) => probe.call('SetCurrentProgramScene', { sceneName });
  const backgroundSharpness = async () => sharpness(await program(), regions.background) / inputSharpness;
  const sendEvent = (eventData: OBSRequestTypes['BroadcastCustomEvent']['eventData']) => probe.call('BroadcastCustomEvent', { eventData });

  beforeAll(async () => {
    preparePluginTests();
    obs = await startHeadlessObs({ plugin: true, width: WIDTH, height: HEIGHT, fps: FPS });
    runtimeDir = join(obs.home, 'runtime');
    keyDir = join(obs.home, 'blurcam-config');
    probe = await obs.connect();
    regions = demoRegions(scene());
    inputSharpness = sharpness(scene().render(0).image, regions.background);
  }, 240_000);

  afterAll(async () => {
    for (const blurcam of blurcams) await blurcam.end('SIGKILL');
    await probe?.close();
    await obs?.dispose();
  }, 60_000);

  it('makes its scenes with blurcam scenes, without the camera, and changes nothing the second time', async () => {
    const args = ['scenes', '--obs-url', obs.url, '--endpoint', `ipc://${runtimeDir}/scenes.sock`];
    const first = await cli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^blurcam's scenes in OBS:\n {2}"blurcam": blur \(strength 0\.5\)\n {2}"blurcam: background": replace the background \(built-in backdrop\)\n {2}"blurcam: camera": none \(pass-through\)\n {2}"blurcam: be right back": be right back \(slate, no camera\)\nOBS: created scene "blurcam"\n/,
    );
    expect(first.stdout).toContain('OBS: created scene "blurcam: be right back"\n');
    const second = await cli(args);
    expect(second.stdout).toMatch(/\nOBS: nothing to change\.\n$/);
    // The live scene stays the user's.
    expect((await probe.call('GetCurrentProgramScene')).currentProgramSceneName).toBe(WITHOUT_BLURCAM);
  });

  it("makes its scenes, and each live scene's effect shows in OBS's output", async () => {
    const blurcam = startBlurcam(`ipc://${runtimeDir}/scenes.sock`);
    await blurcam.waitForStderr(/running: Ctrl-C stops\./);
    const { scenes } = await probe.call('GetSceneList');
    expect(scenes.map((entry) => entry.sceneName)).toEqual(expect.arrayContaining([MAIN, BACKGROUND, CAMERA, BE_RIGHT_BACK, WITHOUT_BLURCAM]));
    const { inputs } = await probe.call('GetInputList');
    expect(inputs.map((input) => input.inputName)).toEqual([BLURCAM_INPUT_NAME]);

    // Blurred (the main scene), then sharp (no effect), then blurred again: each within moments of the switch.
    await waitFor('a blurred background', async () => ((await backgroundSharpness()) < 0.15 ? true : undefined), 120_000);
    await switchTo(CAMERA);
    await waitFor('the camera as it is', async () => ((await backgroundSharpness()) > 0.6 ? true : undefined));

    await switchTo(BACKGROUND);
    const backdrop = coverImage(builtInBackdrop(), WIDTH, HEIGHT);
    await waitFor('the built-in backdrop behind the person', async () =>
      meanDifference(await program(), backdrop, regions.background) < 8 ? true : undefined,
    );

    await switchTo(BE_RIGHT_BACK);
    const slate = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC4, renderSlate(WIDTH, HEIGHT)).cvtColor(cv.COLOR_BGRA2BGR);
    const everywhere = new cv.Mat(HEIGHT, WIDTH, cv.CV_8UC1, 255);
    const shown = await waitFor('the slate', async () => {
      const image = await program();
      return meanDifference(image, slate, everywhere) < 4 ? image : undefined;
    });
    // Blurcam's slate, not OBS's "not running" placeholder, and nothing of the person.
    expect(showsPlaceholder(shown)).toBe(false);
    expect(meanDifference(shown, scene().render(0).image, regions.person)).toBeGreaterThan(30);
    await blurcam.waitForStderr(/be right back: OBS gets the slate, no camera frame leaves blurcam/);

    // The slate's flat sides would pass for a blurred background: wait for blurcam to be live on the main scene.
    await switchTo(MAIN);
    await waitFor('blurcam live on the main scene again', async () => {
      const { mode, liveScene } = await status();
      return mode === 'live' && liveScene?.name === MAIN ? true : undefined;
    });
    await waitFor('blur again', async () => ((await backgroundSharpness()) < 0.15 ? true : undefined));
  });

  it('changes the blur strength on a custom event, and nothing on an unknown or malformed one', async () => {
    const [blurcam] = blurcams;
    const blurred = await backgroundSharpness();
    await sendEvent({ blurcam: { blurStrength: 0 } });
    await blurcam.waitForStderr(/control: "blurcam" now blur \(strength 0\)\./);
    const light = await waitFor('a lighter blur', async () => {
      const value = await backgroundSharpness();
      return value > 2 * blurred ? value : undefined;
    });
    expect((await status()).effect).toBe('blur (strength 0)');

    const from = blurcam.stderr.length;
    await sendEvent({ blurcam: { blurStrength: 7 } });
    await sendEvent({ blurcam: { effect: 'sepia' } });
    await sendEvent({ blurcam: 'strong' });
    await sendEvent({ somebodyElse: { blurStrength: 1 } });
    await blurcam.waitForStderr(/(control: event refused .*\n[^]*){3}/, from);
    // Give the events time to have done something, had they been taken.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(blurcam.stderr.slice(from).match(/control: event refused/g)).toHaveLength(3);
    expect(blurcam.stderr.slice(from)).not.toMatch(/control: "blurcam" now/);
    expect((await status()).effect).toBe('blur (strength 0)');
    expect(await backgroundSharpness()).toBeGreaterThan(0.5 * light);

    await sendEvent({ blurcam: { blurStrength: 0.5 } });
    await waitFor('the blur back', async () => ((await backgroundSharpness()) < 0.15 ? true : undefined));
  });

  it('stops segmenting while the live scene has no blurcam, and resumes when it has', async () => {
    const [blurcam] = blurcams;
    await switchTo(WITHOUT_BLURCAM);
    await blurcam.waitForStderr(/paused: the live scene does not show blurcam/, blurcam.stderr.length);
    const first = await status();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const second = await status();
    expect(second.mode).toBe('paused');
    expect(second.segmented).toBe(first.segmented);
    expect(second.framesIn).toBe(first.framesIn);
    expect(second.fpsIn).toBe(0);
    expect(second.liveScene).toEqual({ name: WITHOUT_BLURCAM, showsBlurcam: false });

    await switchTo(MAIN);
    await waitFor('segmenting again', async () => ((await status()).segmented > second.segmented + 5 ? true : undefined));
    expect((await status()).mode).toBe('live');
  });

  it('answers blurcam status, refuses a second start, and stops on blurcam stop', async () => {
    const [blurcam] = blurcams;
    const shown = await cli(['status']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^blurcam is running \(pid \d+, since .+\)\n {2}input: {6}demo scene \(640x360 @ 15 fps\)\n {2}effect: {5}blur \(strength 0\.5\)\n {2}mode: {7}live\n/);
    expect(shown.stdout).toMatch(/\n {2}fps: {8}in [\d.]+, out [\d.]+ \(last second\)\n {2}frames: {5}\d+ in, \d+ out, \d+ segmented, \d+ dropped \(since start\)\n {2}provider: {3}cpu\n {2}output: {5}OBS live, sent \d+, dropped \d+\n {2}live scene: "blurcam" \(shows blurcam\)\n$/);

    const second = await cli(['start', '--input', 'demo', '--size', '320x240', '--obs-url', obs.url, '--endpoint', `ipc://${runtimeDir}/other.sock`]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/^blurcam: blurcam is already running \(pid \d+, started .+, effect blur \(strength 0\.5\)\); two would fight over the camera\.\n {2}fix: See what it does with "blurcam status", or stop it with "blurcam stop" first\.\n$/);

    const stopped = await cli(['stop']);
    expect([stopped.code, stopped.stdout]).toEqual([0, 'blurcam stopped.\n']);
    expect(await blurcam.exited).toBe(0);
    expect(blurcam.stdout).toMatch(/^blurcam stopped\./);

    const none = await cli(['status']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^blurcam: No blurcam is running for this user \(no control socket at .+control\.sock\)\.\n {2}fix: Start one with "blurcam start"\.\n$/);
  });

  it('sends no camera frame on the socket while "be right back" is live, and measures the switch in frames', async () => {
    // The test binds the frame endpoint itself, before blurcam starts: every frame blurcam sends comes here.
    // (OBS's source, given the same endpoint, cannot bind it and retries: the screenshots were the test above.)
    // Over tcp the link is CURVE: the test holds the plugin's side of blurcam's keys, as the plugin would.
    const endpoint = `tcp://127.0.0.1:${await freePort()}`;
    const keys = loadLinkKeys(keyDir);
    const pull = new Pull({ receiveHighWaterMark: 1000, curveServer: true, curveSecretKey: keys.serverSecret });
    await pull.bind(endpoint);
    const received: Array<{ at: number; message: Buffer }> = [];
    let receiving = true;
    const collecting = (async () => {
      for await (const [message] of pull) {
        if (!receiving) break;
        received.push({ at: performance.now(), message });
      }
    })();
    try {
      await switchTo(CAMERA);
      const blurcam = startBlurcam(endpoint);
      await blurcam.waitForStderr(/running: Ctrl-C stops\./);
      await waitFor('frames on the socket', async () => (received.length > 10 ? true : undefined));
      // The start switched OBS to the main scene; go back to the plain camera for the measurement.
      await switchTo(CAMERA);
      await new Promise((resolve) => setTimeout(resolve, 1_500));

      const isBlurred = (message: Buffer) => sharpness(framePixels(message), regions.background) / inputSharpness < 0.3;
      const isSlate = (message: Buffer) => message.subarray(FRAME_PROTOCOL.headerSize).equals(renderSlate(WIDTH, HEIGHT));
      expect(isBlurred(received.at(-1)!.message)).toBe(false);

      // Effect switch: frames from the moment OBS announces the new scene to the first blurred one.
      const switches: number[] = [];
      for (let round = 0; round < 3; round++) {
        await switchTo(CAMERA);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const announced = new Promise<number>((resolve) => {
          const stop = probe.on('CurrentProgramSceneChanged', () => {
            stop();
            resolve(performance.now());
          });
        });
        await switchTo(MAIN);
        const at = await announced;
        await waitFor('a blurred frame', async () => (received.some((frame) => frame.at >= at && isBlurred(frame.message)) ? true : undefined));
        const after = received.filter((frame) => frame.at >= at);
        switches.push(after.findIndex((frame) => isBlurred(frame.message)) + 1);
      }
      console.log(`effect switch (plain camera -> blur), frames from the scene event to the first changed frame: ${switches.join(', ')}`);
      expect(Math.max(...switches)).toBeLessThanOrEqual(4);

      // Be right back: from the first slate on, only slates, for as long as the scene is live.
      const announced = new Promise<number>((resolve) => {
        const stop = probe.on('CurrentProgramSceneChanged', () => {
          stop();
          resolve(performance.now());
        });
      });
      await switchTo(BE_RIGHT_BACK);
      const at = await announced;
      await waitFor('the first slate', async () => (received.some((frame) => frame.at >= at && isSlate(frame.message)) ? true : undefined));
      const firstSlate = received.findIndex((frame) => frame.at >= at && isSlate(frame.message));
      const beforeSlate = received.filter((frame, index) => frame.at >= at && index < firstSlate).length;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      const during = received.slice(firstSlate);
      await switchTo(CAMERA);
      expect(during.length).toBeGreaterThanOrEqual(10);
      expect(during.filter((frame) => !isSlate(frame.message))).toHaveLength(0);
      console.log(`be right back: the first slate was frame ${beforeSlate + 1} after the scene event, then ${during.length} slates and no camera frame`);
      await waitFor('camera frames again', async () => (isSlate(received.at(-1)!.message) ? undefined : true));
      await blurcam.end('SIGINT');
    } finally {
      receiving = false;
      pull.close();
      await collecting.catch(() => undefined);
    }
  });
});
