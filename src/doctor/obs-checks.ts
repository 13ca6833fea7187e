/** The links through OBS: installed, plugin, websocket and password, source kind, Virtual Camera, canvas, a test frame. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { describeVideo, type VideoSettings } from '../control/obs-canvas.js';
import { connectObs, obsStatusCode } from '../control/obs-connection.js';
import { detectObsVersion, findObsExecutable, isObsRunning } from '../control/obs-launcher.js';
import { BLURCAM_SOURCE_KIND } from '../control/obs-setup.js';
import { obsStartupBlockers } from '../control/obs-startup-blockers.js';
import { MACOS_CAMERA_EXTENSION_FIX, virtualCameraUnavailable } from '../control/virtual-camera.js';
import { isBlurcamError } from '../errors.js';
import { resolveEndpoint } from '../transport/endpoint.js';
import { readPluginStats } from '../control/plugin-stats.js';
import { ZmqFrameSender } from '../transport/zmq-frame-sender.js';
import { type Check, type DoctorContext, ok, problem, problemFrom, skipped } from './check.js';

const PLUGIN_NAME = 'blurcam-obs';
const NOT_CONNECTED = 'Skipped: blurcam is not connected to OBS (see obs-websocket above).';
/** obs-websocket: the output does not exist on this OBS (Linux: no v4l2loopback; macOS: no camera extension). */
const RESOURCE_NOT_AVAILABLE = 604;

export const obsInstalledCheck: Check = {
  link: 'obs-installed',
  async run(context) {
    try {
      context.obsExecutable = findObsExecutable(context.options.env, context.options.platform);
    } catch (error) {
      return problemFrom(error, 'Install OBS Studio 28 or newer.');
    }
    context.obsVersion = await detectObsVersion(context.obsExecutable, context.options.platform);
    return ok(`OBS ${context.obsVersion ?? '(version unknown)'} at ${context.obsExecutable}.`);
  },
};

/** Where OBS looks for this user's plugins, and the folders of OBS_PLUGINS_PATH (which OBS reads too). */
export function pluginFileCandidates(obsConfigDir: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string[] {
  const perUser =
    platform === 'darwin'
      ? join(obsConfigDir, 'plugins', `${PLUGIN_NAME}.plugin`, 'Contents', 'MacOS', PLUGIN_NAME)
      : join(obsConfigDir, 'plugins', PLUGIN_NAME, 'bin', '64bit', `${PLUGIN_NAME}.so`);
  const extra = (env.OBS_PLUGINS_PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, `${PLUGIN_NAME}.so`));
  return [perUser, ...extra];
}

export const pluginInstalledCheck: Check = {
  link: 'plugin-installed',
  async run({ options }) {
    const candidates = pluginFileCandidates(options.obsConfigDir, options.platform, options.env);
    const found = candidates.find((path) => existsSync(path));
    return found
      ? ok(`The blurcam plugin is installed: ${found}.`)
      : problem(`The blurcam plugin is not installed (no ${candidates[0]}).`, 'Close OBS and run scripts/install-obs.sh (or scripts/build-plugin.sh), then start OBS again.');
  },
};

export const websocketCheck: Check = {
  link: 'obs-websocket',
  async run(context) {
    const { url, password, obsConfigDir, platform } = context.options;
    try {
      context.obs = await connectObs({ url, password, connectTimeoutMs: 3_000 });
      return ok(`OBS ${context.obs.version.obsVersion} answers at ${url} (obs-websocket ${context.obs.version.obsWebSocketVersion}); the password is accepted.`);
    } catch (error) {
      if (!isBlurcamError(error, 'OBS_UNREACHABLE')) return problemFrom(error, 'Check --obs-url and --obs-password.');
      if ((await isObsRunning(obsConfigDir, platform)) !== true) {
        return problem(`OBS is not running (nothing answers at ${url}).`, 'Start OBS, or run `blurcam start --launch-obs`.');
      }
      const blockers = obsStartupBlockers(obsConfigDir, platform, context.obsVersion);
      return problem(
        `OBS is running but its websocket does not answer at ${url}.`,
        blockers.length > 0 ? blockers.join(' ') : 'Check --obs-url against OBS > Tools > WebSocket Server Settings.',
      );
    }
  },
};

export const sourceKindCheck: Check = {
  link: 'plugin-loaded',
  async run(context) {
    if (!context.obs) return skipped(NOT_CONNECTED);
    const { inputKinds } = await context.obs.call('GetInputKindList', { unversioned: true });
    context.pluginLoaded = inputKinds.includes(BLURCAM_SOURCE_KIND);
    return context.pluginLoaded
      ? ok(`OBS loaded the plugin: the source kind "${BLURCAM_SOURCE_KIND}" is registered.`)
      : problem(
          `The running OBS has no "${BLURCAM_SOURCE_KIND}" source kind: the plugin is not installed or did not load.`,
          "Close OBS, run scripts/install-obs.sh, start OBS again; if it still fails, search OBS's log (Help > Log Files) for [blurcam].",
        );
  },
};

/** The identifier of OBS's macOS camera extension (plugins/mac-virtualcam in obs-studio). */
const OBS_CAMERA_EXTENSION = 'com.obsproject.obs-studio.mac-camera-extension';

/**
 * The state `systemextensionsctl list` gives OBS's camera extension ("activated enabled", "activated waiting for
 * user"...), or undefined when it is not listed. The state is the last [bracketed] field of its line.
 */
export function cameraExtensionState(listing: string): string | undefined {
  const line = listing.split('\n').find((candidate) => candidate.includes(OBS_CAMERA_EXTENSION));
  return line === undefined ? undefined : (/\[([^\]]+)\]\s*$/.exec(line)?.[1] ?? 'listed');
}

export const virtualCameraCheck: Check = {
  link: 'virtual-camera',
  async run(context) {
    if (!context.obs) return skipped(NOT_CONNECTED);
    let outputActive: boolean;
    try {
      ({ outputActive } = await context.obs.call('GetVirtualCamStatus'));
    } catch (error) {
      if (obsStatusCode(error) !== RESOURCE_NOT_AVAILABLE) throw error;
      return problemFrom(virtualCameraUnavailable(context.options.platform, error), '');
    }
    if (outputActive) return ok("OBS's Virtual Camera is running.");
    // On macOS the output exists whether or not the user approved the camera extension: ask macOS.
    if (context.options.platform === 'darwin') {
      const state = await promisify(execFile)('systemextensionsctl', ['list'], { timeout: 10_000 }).then(
        ({ stdout }) => cameraExtensionState(stdout) ?? 'not installed',
        () => undefined,
      );
      if (state !== undefined && state !== 'activated enabled') {
        return problem(`OBS's camera extension is ${state}, so its Virtual Camera cannot start.`, MACOS_CAMERA_EXTENSION_FIX);
      }
    }
    return ok("OBS's Virtual Camera is available (not running now; blurcam start starts it).");
  },
};

/** Whether two sizes have the same aspect (within half a percent: 1366x768 is 16:9 for this purpose). */
export function sameAspect(a: { width: number; height: number }, b: { width: number; height: number }): boolean {
  return Math.abs(a.width / a.height - b.width / b.height) / (b.width / b.height) < 0.005;
}

export const canvasCheck: Check = {
  link: 'canvas',
  async run(context) {
    if (!context.obs) return skipped(NOT_CONNECTED);
    const video = (await context.obs.call('GetVideoSettings')) as VideoSettings;
    const { width, height } = context.frameSize;
    const base = { width: video.baseWidth, height: video.baseHeight };
    const output = { width: video.outputWidth, height: video.outputHeight };
    if (sameAspect(base, { width, height }) && sameAspect(output, { width, height })) {
      return ok(`OBS's canvas ${describeVideo(video)} has the frames' aspect (${width}x${height}): no bars.`);
    }
    return problem(
      `OBS's canvas ${describeVideo(video)} does not have the frames' aspect (${width}x${height}): the Virtual Camera shows bars.`,
      'blurcam start matches it while no output runs (--obs-canvas camera, the default): stop the Virtual Camera, ' +
        'streams and recordings and start blurcam again, or set it in OBS > Settings > Video.',
    );
  },
};

const TEST_SCENE = 'blurcam doctor';
const TEST_INPUT = 'blurcam doctor test';
const TEST_FRAME_TIMEOUT_MS = 5_000;

/**
 * One frame through the whole bridge: a throwaway scene and source with an endpoint of its own (so a running
 * `blurcam start` is not disturbed), frames sent with blurcam's own sender until the plugin counts one received.
 */
export const testFrameCheck: Check = {
  link: 'test-frame',
  async run(context) {
    const { obs } = context;
    if (!obs) return skipped(NOT_CONNECTED);
    if (!context.pluginLoaded) return skipped('Skipped: OBS has no blurcam source kind (see plugin-loaded above).');
    const endpoint = resolveEndpoint(undefined, { env: context.options.env, platform: context.options.platform }).replace(/frames\.sock$/, `doctor-${process.pid}.sock`);
    // Left over from a doctor that was interrupted: removed first, so the names are free.
    await removeTestSource(context);
    await obs.call('CreateScene', { sceneName: TEST_SCENE });
    const sender = new ZmqFrameSender(endpoint);
    try {
      await obs.call('CreateInput', { sceneName: TEST_SCENE, inputName: TEST_INPUT, inputKind: BLURCAM_SOURCE_KIND, inputSettings: { endpoint } });
      const received = await sendUntilReceived(context, sender);
      return received > 0
        ? ok(`A test frame went from blurcam to the plugin over ${endpoint} (the plugin counted ${received} received).`)
        : problem(
            `The plugin received no test frame over ${endpoint} within ${TEST_FRAME_TIMEOUT_MS / 1000} s.`,
            "Search OBS's log (Help > Log Files) for [blurcam] lines about the endpoint; check that nothing else uses the socket folder.",
          );
    } finally {
      await sender.close();
      await removeTestSource(context);
    }
  },
};

/** Removes the doctor's scene and source; either may be missing. */
async function removeTestSource({ obs }: DoctorContext): Promise<void> {
  await obs?.call('RemoveScene', { sceneName: TEST_SCENE }).catch(() => undefined);
  await obs?.call('RemoveInput', { inputName: TEST_INPUT }).catch(() => undefined);
}

async function sendUntilReceived(context: DoctorContext, sender: ZmqFrameSender): Promise<number> {
  const obs = context.obs!;
  const width = 64;
  const height = 36;
  const data = Buffer.alloc(width * height * 4, 0x80);
  const deadline = Date.now() + TEST_FRAME_TIMEOUT_MS;
  for (let seq = 1; Date.now() < deadline; seq++) {
    // The sender drops frames until ZeroMQ has connected to the plugin's new socket; hence several.
    sender.write({ seq, captureTimeNs: process.hrtime.bigint(), width, height, stride: width * 4, data });
    await sleep(100);
    const [stats] = await readPluginStats(obs, { sourceName: TEST_INPUT });
    if (stats && stats.received > 0) return stats.received;
  }
  return 0;
}
