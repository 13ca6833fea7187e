import { execFile, spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { configDir } from '../config-file.js';
import { BlurcamError, describeError, isBlurcamError } from '../errors.js';
import { connectObs } from './obs-connection.js';
import { ObsConfig, obsConfigDir } from './obs-config.js';
import { obsStartupBlockers } from './obs-startup-blockers.js';

export interface LaunchObsOptions {
  /** The websocket address blurcam will use; the launch waits until it answers. */
  url: string;
  password?: string;
  /** Default: findObsExecutable(). */
  executable?: string;
  /** Arguments added after blurcam's own (e.g. --collection NAME, --profile NAME). */
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Where OBS's output goes. Default: obs.log in blurcam's config folder. */
  logPath?: string;
  /** How long OBS may take until its websocket answers. */
  timeoutMs?: number;
  /**
   * Allow more than one OBS (adds --multi and skips the "OBS is already running" check); for tests that
   * run several throwaway instances side by side.
   */
  multipleInstances?: boolean;
  /** Keep OBS running after blurcam exits, in its own process group (so Ctrl+C in blurcam's terminal spares it). */
  detached?: boolean;
  /** Where OBS's settings live and which first-start dialogs to expect. Default: this machine's. */
  platform?: NodeJS.Platform;
}

/** An OBS that blurcam started. */
export interface RunningObs {
  readonly pid: number;
  readonly logPath: string;
  /** The last lines OBS wrote, for error messages. */
  logTail(lines?: number): string;
  /** Whether the process has ended. */
  readonly exited: boolean;
  /** Resolves with the exit code (null when a signal ended it) once OBS has ended. */
  readonly exit: Promise<number | null>;
  /** The signal that ended OBS (e.g. SIGABRT for a crash), once it has ended that way. */
  readonly exitSignal: NodeJS.Signals | null;
  /** SIGINT (OBS saves its settings and exits cleanly), then SIGKILL if it is still there after timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
  /** SIGKILL: a crash, as far as OBS is concerned. */
  kill(): Promise<void>;
}

/**
 * Flags that keep OBS from stopping at a dialog nobody may be there to answer. No websocket flags: OBS
 * writes its command line into its log, so the password must come from its settings (scripts/install-obs.sh).
 * --disable-shutdown-check exists from OBS 30 (the safe-mode question after a crash); older OBS ignores it.
 */
export const OBS_LAUNCH_ARGS = ['--disable-updater', '--disable-missing-files-check', '--disable-shutdown-check', '--minimize-to-tray'];

const DEFAULT_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 200;
const MACOS_APP_EXECUTABLE = join('OBS.app', 'Contents', 'MacOS', 'OBS');

/** The OBS executable: `obs` on the PATH on Linux, OBS.app in /Applications (or ~/Applications) on macOS. */
export function findObsExecutable(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  const candidates =
    platform === 'darwin'
      ? [join('/Applications', MACOS_APP_EXECUTABLE), join(env.HOME ?? homedir(), 'Applications', MACOS_APP_EXECUTABLE)]
      : (env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'obs'));
  const found = candidates.find(isExecutable);
  if (found) return found;
  throw new BlurcamError(
    'OBS_LAUNCH_FAILED',
    platform === 'darwin' ? 'OBS Studio is not installed (no OBS.app in /Applications).' : 'OBS Studio is not installed (no `obs` on the PATH).',
    platform === 'darwin'
      ? 'Run scripts/install-obs.sh, or install it with `brew install --cask obs`; see docs/setup-macos.md.'
      : 'Run scripts/install-obs.sh, or `sudo apt install obs-studio`; see docs/setup-linux.md.',
  );
}

/** The installed OBS version ("29.0.2"), or undefined when it cannot be told. */
export async function detectObsVersion(executable: string, platform = process.platform): Promise<string | undefined> {
  try {
    if (platform === 'darwin') {
      const plist = readFileSync(join(dirname(dirname(executable)), 'Info.plist'), 'utf8');
      return /<key>CFBundleShortVersionString<\/key>\s*<string>([\d.]+)/.exec(plist)?.[1];
    }
    const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 10_000 });
    return /(\d+\.\d+(?:\.\d+)?)/.exec(stdout)?.[1];
  } catch {
    return undefined;
  }
}

/**
 * Whether this user runs an OBS on the settings in `configDir` (on Linux an OBS started with another HOME, as
 * tests do, reads other files and does not count); undefined when that cannot be told (no pgrep).
 */
export async function isObsRunning(configDir = obsConfigDir(), platform = process.platform): Promise<boolean | undefined> {
  let pids: string[];
  try {
    const { stdout } = await promisify(execFile)('pgrep', ['-x', '-u', String(process.getuid?.() ?? ''), platform === 'darwin' ? 'OBS' : 'obs']);
    pids = stdout.split('\n').filter(Boolean);
  } catch (error) {
    return (error as { code?: unknown }).code === 1 ? false : undefined;
  }
  if (platform !== 'linux') return pids.length > 0;
  return pids.some((pid) => {
    try {
      const env = Object.fromEntries(
        readFileSync(`/proc/${pid}/environ`, 'utf8')
          .split('\0')
          .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]),
      ) as NodeJS.ProcessEnv;
      return obsConfigDir(env, platform) === configDir;
    } catch {
      // Gone since pgrep listed it.
      return false;
    }
  });
}

/**
 * Starts OBS and resolves once its websocket answers at options.url with options.password. Throws
 * OBS_LAUNCH_FAILED (not installed, exited, websocket never answered: the hint names OBS's log and the
 * error's cause holds its last lines) or the connection's own error (e.g. OBS_AUTH_FAILED); either way the
 * OBS it started is stopped again.
 */
export async function launchObs(options: LaunchObsOptions): Promise<RunningObs> {
  const executable = options.executable ?? findObsExecutable(options.env);
  if (!options.multipleInstances && (await isObsRunning(obsConfigDir(options.env))) === true) {
    throw new BlurcamError(
      'OBS_UNREACHABLE',
      `OBS is running but its websocket does not answer at ${options.url}.`,
      'Turn the server on in OBS > Tools > WebSocket Server Settings (or close OBS and run scripts/install-obs.sh), and check --obs-url.',
    );
  }
  const platform = options.platform ?? process.platform;
  // OBS on macOS would wait at its modal permissions dialog before opening the websocket; OBS is not running, so
  // its settings may change (with a backup, as configure-obs does).
  if (platform === 'darwin') new ObsConfig(obsConfigDir(options.env, platform), []).markMacosPermissionsDialogShown();
  const logPath = options.logPath ?? join(configDir(options.env), 'obs.log');
  mkdirSync(dirname(logPath), { recursive: true });
  // A file, not a pipe: a detached OBS must not die of SIGPIPE once blurcam has exited.
  const logFd = openSync(logPath, 'w', 0o600);
  const detached = options.detached ?? true;
  const args = [...OBS_LAUNCH_ARGS, ...(options.multipleInstances ? ['--multi'] : []), ...(options.args ?? [])];
  const child = spawn(executable, args, {
    env: options.env ?? process.env,
    // OBS looks for its data next to the executable on some platforms; its own folder is always right.
    cwd: dirname(executable),
    stdio: ['ignore', logFd, logFd],
    detached,
  });
  closeSync(logFd);
  const running = runningObs(child, logPath);
  if (detached) child.unref();
  try {
    await waitForWebsocket(running, { ...options, platform }, executable);
  } catch (error) {
    // An OBS blurcam cannot use (e.g. wrong password) is closed again rather than left behind untracked.
    await running.stop();
    throw error;
  }
  return running;
}

function runningObs(child: ReturnType<typeof spawn>, logPath: string): RunningObs {
  let exited = false;
  let exitSignal: NodeJS.Signals | null = null;
  const spawnFailure = new Promise<Error>((resolve) => child.once('error', resolve));
  const exit = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitSignal = signal;
      resolve(code);
    });
    void spawnFailure.then(() => resolve(null));
  }).finally(() => {
    exited = true;
  });
  const signal = (name: NodeJS.Signals) => {
    if (!exited) child.kill(name);
  };
  return {
    pid: child.pid ?? -1,
    logPath,
    get exited() {
      return exited;
    },
    get exitSignal() {
      return exitSignal;
    },
    exit,
    logTail: (lines = 20) => readTail(logPath, lines),
    async stop(timeoutMs = 10_000) {
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), timeoutMs);
      await exit;
      clearTimeout(timer);
    },
    async kill() {
      signal('SIGKILL');
      await exit;
    },
  };
}

async function waitForWebsocket(obs: RunningObs, options: LaunchObsOptions, executable: string): Promise<void> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (obs.exited) {
      const code = await obs.exit;
      const how = code === null ? `was ended by ${obs.exitSignal ?? 'a signal'}` : `exited with code ${code}`;
      throw launchFailed(obs, `OBS (${executable}) ${how} during start-up.`, options, 'Read the log for the reason; try starting OBS by hand once.');
    }
    try {
      const connection = await connectObs({ url: options.url, password: options.password, connectTimeoutMs: 2_000 });
      await connection.close();
      return;
    } catch (error) {
      if (!isBlurcamError(error, 'OBS_UNREACHABLE')) throw error;
    }
    if (Date.now() > deadline) {
      const blockers = obsStartupBlockers(obsConfigDir(options.env, options.platform), options.platform ?? process.platform, await detectObsVersion(executable));
      throw launchFailed(
        obs,
        `OBS started but its websocket did not answer at ${options.url} within ${timeoutMs} ms.`,
        options,
        blockers.length > 0
          ? blockers.join(' ')
          : 'Look for a dialog OBS may be showing (auto-configuration wizard, safe mode, an error), check --obs-url and that the websocket port is free.',
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

function launchFailed(obs: RunningObs, message: string, options: LaunchObsOptions, hint: string): BlurcamError {
  const log = newestObsLog(obsConfigDir(options.env)) ?? obs.logPath;
  return new BlurcamError('OBS_LAUNCH_FAILED', message, `${hint} OBS's log: ${log}`, {
    cause: new Error(`last lines of ${obs.logPath}:\n${obs.logTail()}`),
  });
}

/** OBS writes one log file per run into its settings folder. */
function newestObsLog(obsDir: string): string | undefined {
  const logsDir = join(obsDir, 'logs');
  try {
    const newest = readdirSync(logsDir)
      .map((name) => join(logsDir, name))
      .map((path) => ({ path, mtimeMs: statSync(path).mtimeMs }))
      .sort((a, b) => b.mtimeMs - a.mtimeMs)[0];
    return newest?.path;
  } catch {
    return undefined;
  }
}

function readTail(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(no log: ${describeError(error)})`;
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return existsSync(path) && statSync(path).isFile();
  } catch {
    return false;
  }
}
