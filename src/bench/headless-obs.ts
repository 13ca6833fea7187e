/**
 * A throwaway OBS for benchmarks: its own Xvfb display, its own HOME with the websocket on a free port behind
 * a random password, blurcam's plugin loaded from the build tree. Settings and launch go through src/control,
 * as for users; test/obs/obs-harness.ts does the same for the tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ObsConfig, websocketStoresFor } from '../control/obs-config.js';
import { detectObsVersion, findObsExecutable, launchObs } from '../control/obs-launcher.js';

export interface HeadlessObsOptions {
  /** blurcam-obs.so and the folder holding its data (locale/). */
  pluginLibrary: string;
  pluginData: string;
  width: number;
  height: number;
  fps: number;
}

export interface HeadlessObs {
  readonly url: string;
  readonly password: string;
  /** The environment OBS runs with (HOME, DISPLAY, XDG_RUNTIME_DIR...). */
  readonly env: NodeJS.ProcessEnv;
  readonly logPath: string;
  /** Quits OBS (SIGINT), ends Xvfb and deletes the throwaway HOME. */
  stop(): Promise<void>;
}

const NAME = 'blurcam-bench';
const PLUGIN_NAME = 'blurcam-obs';

export async function startHeadlessObs(options: HeadlessObsOptions): Promise<HeadlessObs> {
  const home = mkdtempSync(join(tmpdir(), 'blurcam-bench-obs-'));
  const xvfb = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${options.width}x${options.height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'ignore', 'pipe'],
  });
  const cleanUp = async () => {
    await endProcess(xvfb);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const display = await readDisplay(xvfb);
    const executable = findObsExecutable();
    const port = await freePort();
    const password = randomBytes(12).toString('base64url');
    const url = `ws://127.0.0.1:${port}`;
    const config = new ObsConfig(join(home, '.config', 'obs-studio'), websocketStoresFor(await detectObsVersion(executable)));
    // FirstRun=true skips the auto-configuration wizard; no preview saves llvmpipe most of its idle work.
    config.updateIni('global.ini', {
      General: { FirstRun: 'true', ConfirmOnExit: 'false', EnableAutoUpdates: 'false' },
      BasicWindow: { PreviewEnabled: 'false' },
      Basic: { Profile: NAME, ProfileDir: NAME, SceneCollection: NAME, SceneCollectionFile: NAME },
      OBSWebSocket: { AlertsEnabled: 'false' },
    });
    config.writeWebsocket({ serverEnabled: true, serverPort: port, authRequired: true, serverPassword: password });
    const [width, height] = [String(options.width), String(options.height)];
    config.updateIni(join('basic', 'profiles', NAME, 'basic.ini'), {
      General: { Name: NAME },
      Video: { BaseCX: width, BaseCY: height, OutputCX: width, OutputCY: height, FPSType: '1', FPSInt: String(options.fps) },
    });

    // OBS loads NAME.so from OBS_PLUGINS_PATH and its data from OBS_PLUGINS_DATA_PATH/NAME.
    const dataPath = join(home, 'plugin-data');
    mkdirSync(dataPath);
    symlinkSync(options.pluginData, join(dataPath, PLUGIN_NAME));
    const runtimeDir = join(home, 'runtime');
    mkdirSync(runtimeDir, { mode: 0o700 });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: home,
      DISPLAY: display,
      QT_QPA_PLATFORM: 'xcb',
      XDG_RUNTIME_DIR: runtimeDir,
      OBS_PLUGINS_PATH: dirname(options.pluginLibrary),
      OBS_PLUGINS_DATA_PATH: dataPath,
    };
    delete env.XDG_CONFIG_HOME;

    const logPath = join(home, 'obs.log');
    const obs = await launchObs({ url, password, executable, env, args: ['--collection', NAME, '--profile', NAME], logPath, multipleInstances: true, detached: false, timeoutMs: 60_000 });
    return {
      url,
      password,
      env,
      logPath,
      async stop() {
        await obs.stop();
        await cleanUp();
      },
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** Xvfb picks a free display itself and writes its number to fd 3 once it accepts clients. */
function readDisplay(xvfb: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error('Xvfb did not start within 20 s (is the xvfb package installed?)')), 20_000);
    (xvfb.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (!output.includes('\n')) return;
      clearTimeout(timer);
      resolve(`:${output.trim()}`);
    });
    xvfb.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

async function endProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}
