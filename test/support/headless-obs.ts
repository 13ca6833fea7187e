/**
 * A throwaway OBS for tests and benchmarks: its own Xvfb display, its own HOME with the websocket on a free
 * port behind a random password, optionally an OBS plugin loaded from a build tree. Settings and launch go
 * through ObsConfig and launchObs, the code users run.
 *
 *   const obs = await startHeadlessObs({ plugin: true });   // blurcam's plugin as built in obs/build
 *   const connection = await obs.connect();
 *   ...
 *   await obs.dispose();   // OBS, Xvfb and the HOME folder go away
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ObsConnection, connectObs } from '../../src/control/obs-connection.js';
import { ObsConfig, websocketStoresFor } from '../../src/control/obs-config.js';
import { type RunningObs, detectObsVersion, findObsExecutable, launchObs } from '../../src/control/obs-launcher.js';

/** Folders OBS loads a plugin from, ready to use. */
export interface ObsPluginPaths {
  /** Folder holding NAME.so (OBS_PLUGINS_PATH). */
  pluginsPath: string;
  /** Folder holding NAME/ with the plugin's data (OBS_PLUGINS_DATA_PATH). */
  dataPath: string;
}

/** A plugin as built: NAME.so and its data folder (locale/...), staged into the throwaway HOME to load it. */
export interface ObsPluginBuild {
  library: string;
  dataDir: string;
}

export interface HeadlessObsOptions {
  /** An OBS plugin to load: true = blurcam's, as built in obs/build (findObsPluginBuild). */
  plugin?: boolean | ObsPluginBuild | ObsPluginPaths;
  /** Canvas size and frame rate of the OBS profile. Default 1280x720 at 30 fps. */
  width?: number;
  height?: number;
  fps?: number;
  /** Extra environment for OBS (e.g. BLURCAM_* settings a plugin test needs). */
  env?: Record<string, string>;
  /** How long OBS may take until its websocket answers. Default 60 s. */
  timeoutMs?: number;
  /** The profile and scene collection. Default "blurcam-headless". */
  name?: string;
  /**
   * OBS in its own process group, so a Ctrl+C meant for this process spares it (tests stop it themselves).
   * Default true; a benchmark run by hand sets false, so Ctrl+C ends its OBS too.
   */
  detached?: boolean;
}

export interface HeadlessObs {
  readonly url: string;
  readonly password: string;
  readonly port: number;
  /** The throwaway HOME; OBS's settings are in `${home}/.config/obs-studio`. */
  readonly home: string;
  readonly configDir: string;
  /** X display, e.g. ":5". */
  readonly display: string;
  /** The environment OBS runs with (HOME, DISPLAY, plugin paths...), for launching it another way. */
  readonly env: NodeJS.ProcessEnv;
  /** The arguments added to blurcam's launch arguments (profile and scene collection). */
  readonly args: string[];
  /** The OBS process of the current run (undefined after stop() or kill()). */
  readonly process: RunningObs | undefined;
  /** Everything OBS printed, over all runs of this instance. */
  logs(): string;
  /** A new websocket connection with the right password. */
  connect(): Promise<ObsConnection>;
  /** SIGINT and wait for the exit: OBS saves its scene collection, as when a user quits it. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, OBS saves nothing. */
  kill(): Promise<void>;
  /** Starts OBS again (after stop() or kill(); stops it first if running) with the same port, password and HOME. */
  restart(): Promise<void>;
  /** Ends OBS and Xvfb and deletes HOME. Safe to call more than once. */
  dispose(): Promise<void>;
}

const repoDir = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLUGIN_NAME = 'blurcam-obs';

/** Processes still running when this process exits are killed, whatever happened to dispose(). */
const liveProcesses = new Set<{ kill(signal: NodeJS.Signals): unknown }>();
let killOnExit = false;
function track(child: { kill(signal: NodeJS.Signals): unknown }, exit: Promise<unknown>): void {
  if (!killOnExit) {
    killOnExit = true;
    process.once('exit', () => {
      for (const live of liveProcesses) {
        try {
          live.kill('SIGKILL');
        } catch {
          // Already gone.
        }
      }
    });
  }
  liveProcesses.add(child);
  void exit.then(() => liveProcesses.delete(child));
}

/** blurcam's plugin as scripts/build-plugin.sh builds it: blurcam-obs.so somewhere under obs/build, data in obs/data. */
export function findObsPluginBuild(root = repoDir): ObsPluginBuild | undefined {
  const buildDir = join(root, 'obs', 'build');
  const dataDir = join(root, 'obs', 'data');
  const library = findFile(buildDir, `${PLUGIN_NAME}.so`, 3);
  return library && existsSync(dataDir) ? { library, dataDir } : undefined;
}

function pluginPaths(home: string, plugin: HeadlessObsOptions['plugin']): ObsPluginPaths | undefined {
  if (!plugin) return undefined;
  if (plugin === true) {
    const build = findObsPluginBuild();
    if (!build) throw new Error('the OBS plugin is not built (no blurcam-obs.so under obs/build): run scripts/build-plugin.sh');
    return stagePlugin(home, build);
  }
  return 'library' in plugin ? stagePlugin(home, plugin) : plugin;
}

export async function startHeadlessObs(options: HeadlessObsOptions = {}): Promise<HeadlessObs> {
  const home = mkdtempSync(join(tmpdir(), 'blurcam-obs-'));
  const cleanups: Array<() => Promise<void> | void> = [() => rmSync(home, { recursive: true, force: true })];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const xvfb = await startXvfb(options.width ?? 1280, options.height ?? 720);
    cleanups.push(() => stopProcess(xvfb.child));
    return await startInstance(home, xvfb.display, options, cleanUp);
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

async function startInstance(home: string, display: string, options: HeadlessObsOptions, cleanUp: () => Promise<void>): Promise<HeadlessObs> {
  const executable = findObsExecutable();
  const port = await freePort();
  const password = randomBytes(12).toString('base64url');
  const url = `ws://127.0.0.1:${port}`;
  const name = options.name ?? 'blurcam-headless';
  const configDir = join(home, '.config', 'obs-studio');
  const runtimeDir = join(home, 'runtime');
  mkdirSync(runtimeDir, { mode: 0o700 });
  writeObsSettings(new ObsConfig(configDir, websocketStoresFor(await detectObsVersion(executable))), name, port, password, options);

  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DISPLAY: display, QT_QPA_PLATFORM: 'xcb', XDG_RUNTIME_DIR: runtimeDir, ...options.env };
  delete env.XDG_CONFIG_HOME;
  const plugin = pluginPaths(home, options.plugin);
  if (plugin) {
    env.OBS_PLUGINS_PATH = plugin.pluginsPath;
    env.OBS_PLUGINS_DATA_PATH = plugin.dataPath;
  }

  const args = ['--collection', name, '--profile', name];
  const logPaths: string[] = [];
  let current: RunningObs | undefined;
  const launch = async () => {
    const logPath = join(home, `obs-run-${logPaths.length + 1}.log`);
    logPaths.push(logPath);
    const running = await launchObs({
      url,
      password,
      executable,
      env,
      args,
      logPath,
      multipleInstances: true,
      detached: options.detached ?? true,
      timeoutMs: options.timeoutMs ?? 60_000,
    });
    current = running;
    track({ kill: (signal) => !running.exited && process.kill(running.pid, signal) }, running.exit);
  };
  const end = async (how: 'stop' | 'kill') => {
    const running = current;
    current = undefined;
    if (running) await (how === 'stop' ? running.stop() : running.kill());
  };
  let disposed = false;

  await launch();
  return {
    url,
    password,
    port,
    home,
    configDir,
    display,
    env,
    args,
    get process() {
      return current;
    },
    logs: () => logPaths.filter(existsSync).map((path) => readFileSync(path, 'utf8')).join(''),
    connect: () => connectObs({ url, password }),
    stop: () => end('stop'),
    kill: () => end('kill'),
    async restart() {
      await end('stop');
      await launch();
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      await end('stop');
      await cleanUp();
    },
  };
}

/** global.ini and the profile of a quiet headless OBS, plus the websocket settings. */
function writeObsSettings(config: ObsConfig, name: string, port: number, password: string, options: HeadlessObsOptions): void {
  config.updateIni('global.ini', {
    // FirstRun=true skips the auto-configuration wizard; no preview saves most of llvmpipe's idle work.
    General: { FirstRun: 'true', ConfirmOnExit: 'false', EnableAutoUpdates: 'false' },
    BasicWindow: { PreviewEnabled: 'false' },
    Basic: { Profile: name, ProfileDir: name, SceneCollection: name, SceneCollectionFile: name },
    OBSWebSocket: { AlertsEnabled: 'false' },
  });
  config.writeWebsocket({ serverEnabled: true, serverPort: port, authRequired: true, serverPassword: password });
  const width = String(options.width ?? 1280);
  const height = String(options.height ?? 720);
  config.updateIni(join('basic', 'profiles', name, 'basic.ini'), {
    General: { Name: name },
    Video: { BaseCX: width, BaseCY: height, OutputCX: width, OutputCY: height, FPSType: '1', FPSInt: String(options.fps ?? 30) },
  });
}

/** OBS loads NAME.so from OBS_PLUGINS_PATH and its data from OBS_PLUGINS_DATA_PATH/NAME. */
function stagePlugin(home: string, build: ObsPluginBuild): ObsPluginPaths {
  const dataPath = join(home, 'plugin-data');
  mkdirSync(dataPath);
  symlinkSync(build.dataDir, join(dataPath, PLUGIN_NAME));
  return { pluginsPath: dirname(build.library), dataPath };
}

/** Xvfb picks a free display itself and writes its number to fd 3 once it accepts clients. */
async function startXvfb(width: number, height: number): Promise<{ child: ChildProcess; display: string }> {
  const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
  });
  track(child, new Promise((resolveExit) => child.once('exit', resolveExit)));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const displayPipe = child.stdio[3] as NodeJS.ReadableStream;
  const display = await new Promise<string>((resolveDisplay, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`Xvfb did not start within 20 s: ${stderr}`)), 20_000);
    displayPipe.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) {
        clearTimeout(timer);
        resolveDisplay(`:${output.trim()}`);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb exited with code ${code}: ${stderr}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`Xvfb did not start (is the xvfb package installed?): ${error.message}`));
    });
  });
  return { child, display };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  child.kill('SIGTERM');
  await exited;
}

/** A TCP port on 127.0.0.1 that nothing listens on: bound once to learn a free number, then released. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  const address = server.address();
  await new Promise((resolveClose) => server.close(resolveClose));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

function findFile(dir: string, name: string, depth: number): string | undefined {
  if (!existsSync(dir)) return undefined;
  const entries = readdirSync(dir, { withFileTypes: true });
  const hit = entries.find((entry) => entry.isFile() && entry.name === name);
  if (hit) return join(dir, name);
  if (depth === 0) return undefined;
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const found = findFile(join(dir, entry.name), name, depth - 1);
    if (found) return found;
  }
  return undefined;
}
