import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Options } from 'yargs';
import { BlurcamError, describeError } from './errors.js';
import { DEFAULT_MAX_MEGAPIXELS } from './files/image-size.js';

/**
 * Every option blurcam knows, in one table. Precedence (yargs applies it): flags, then BLURCAM_* environment
 * variables (BLURCAM_OBS_PASSWORD for --obs-password), then the config file, then these defaults.
 * Commands pick the options they use with `pickOptions`.
 */
export const OPTIONS = {
  config: {
    type: 'string',
    describe: 'JSON config file (default: config.json in the config folder of the platform, see docs/configuration.md)',
  },
  model: {
    type: 'string',
    default: 'auto',
    describe:
      "Segmentation model: 'auto' (best for the input), 'selfie', 'selfie-landscape', or a path to an ONNX model that follows docs/model-contract.md",
  },
  device: {
    type: 'string',
    choices: ['auto', 'cpu', 'coreml'],
    default: 'auto',
    describe: "Execution provider: 'auto' is CoreML on Apple Silicon Macs, CPU elsewhere",
  },
  threshold: {
    type: 'number',
    default: 0.5,
    describe: 'Model score (0..1) at which a pixel counts as person',
  },
  softness: {
    type: 'number',
    default: 0.1,
    describe: 'Width of the soft edge around the threshold, in model score (0 = hard edge, max 0.5)',
  },
  input: {
    type: 'string',
    default: 'camera',
    describe: "Where frames come from: 'camera', 'demo' (built-in, no camera needed), or a video file (loops)",
  },
  camera: {
    type: 'number',
    default: 0,
    describe: "Camera index ('blurcam devices' lists them)",
  },
  size: {
    type: 'string',
    default: '1280x720',
    describe: 'Requested frame size WIDTHxHEIGHT (the camera may give another; blurcam reports it)',
  },
  fps: {
    type: 'number',
    default: 30,
    describe: 'Requested frame rate',
  },
  effect: {
    type: 'string',
    choices: ['blur', 'replace', 'none'],
    default: 'blur',
    describe: "What happens to the background ('replace' needs --background)",
  },
  'blur-strength': {
    type: 'number',
    default: 0.5,
    describe: 'How blurred the background is, from 0 (barely) to 1 (very)',
  },
  background: {
    type: 'string',
    describe: 'Image that replaces the background (scaled to cover the frame); implies --effect replace',
  },
  output: {
    type: 'string',
    default: 'obs',
    describe: "Where frames go: 'obs', 'null' (discard, for benchmarks), or a video file path (.mp4, .avi)",
  },
  endpoint: {
    type: 'string',
    describe: 'ZeroMQ endpoint shared with the OBS plugin (default: an ipc socket in the runtime folder)',
  },
  'obs-url': {
    type: 'string',
    default: 'ws://127.0.0.1:4455',
    describe: "obs-websocket address (OBS: Tools > WebSocket Server Settings)",
  },
  'obs-password': {
    type: 'string',
    describe: 'obs-websocket password (better: BLURCAM_OBS_PASSWORD or the config file; never printed)',
  },
  'obs-config-dir': {
    type: 'string',
    describe: "OBS's settings folder (default: ~/.config/obs-studio on Linux, ~/Library/Application Support/obs-studio on macOS)",
  },
  'launch-obs': {
    type: 'boolean',
    default: false,
    describe: 'Start OBS if it is not running',
  },
  scene: {
    type: 'string',
    default: 'blurcam',
    describe: 'OBS scene that holds the blurcam source',
  },
  stats: {
    type: 'boolean',
    default: false,
    describe: 'Print live statistics every second',
  },
  frames: {
    type: 'number',
    describe: 'Stop after this many frames have gone out (start: until Ctrl-C without it; bench: 300)',
  },
  json: {
    type: 'boolean',
    default: false,
    describe: 'Print the result as one JSON object (bench, devices)',
  },
  force: {
    type: 'boolean',
    default: false,
    describe: 'Replace output files that already exist (masks, --output video); an input file is never replaced',
  },
  'max-megapixels': {
    type: 'number',
    default: DEFAULT_MAX_MEGAPIXELS,
    describe: 'Largest photo blurcam decodes, in megapixels (width x height / 1,000,000); larger ones are refused unread',
  },
} as const satisfies Record<string, Options>;

export type OptionName = keyof typeof OPTIONS;

export function pickOptions<K extends OptionName>(...names: K[]): Pick<typeof OPTIONS, K> {
  const picked = {} as Pick<typeof OPTIONS, K>;
  for (const name of names) picked[name] = OPTIONS[name];
  return picked;
}

/** The folder where blurcam keeps its config file: the platform's usual place. */
export function configDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.BLURCAM_CONFIG_DIR) return env.BLURCAM_CONFIG_DIR;
  const home = env.HOME ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'blurcam');
  return join(env.XDG_CONFIG_HOME ?? join(home, '.config'), 'blurcam');
}

export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  return join(configDir(env, platform), 'config.json');
}

/** Config keys may be written camelCase or as the flag (kebab-case); both reach yargs as flags. */
const KNOWN_KEYS = new Set<string>(Object.keys(OPTIONS).filter((key) => key !== 'config'));

/**
 * Reads a config file. A missing default file is fine (empty config); a missing file that was named
 * explicitly, bad JSON, an unknown key or a file others can read while it holds the password are errors.
 */
export function loadConfigFile(path: string, { explicit }: { explicit: boolean }): Record<string, unknown> {
  if (!existsSync(path)) {
    if (!explicit) return {};
    throw new BlurcamError('BAD_CONFIG_FILE', `Config file ${path} does not exist.`, 'Check the --config path.');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `Config file ${path} is not valid JSON: ${describeError(error)}`,
      'Fix the file, or delete it to go back to the defaults.',
      { cause: error },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BlurcamError('BAD_CONFIG_FILE', `Config file ${path} must hold a JSON object.`, 'Write it as {"option": value, ...}.');
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const flag = key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
    if (!KNOWN_KEYS.has(flag)) {
      throw new BlurcamError(
        'BAD_CONFIG_FILE',
        `Config file ${path} has an unknown option "${key}".`,
        `Known options: ${[...KNOWN_KEYS].join(', ')}.`,
      );
    }
    config[flag] = value;
  }
  if ('obs-password' in config && process.platform !== 'win32') {
    const mode = statSync(path).mode & 0o077;
    if (mode !== 0) {
      throw new BlurcamError(
        'BAD_CONFIG_FILE',
        `Config file ${path} holds the OBS password but other users can read it.`,
        `Make it private: chmod 600 "${path}"`,
      );
    }
  }
  return config;
}

/** BLURCAM_OBS_PASSWORD for --obs-password: the environment variable that sets each option. */
export function envVarFor(option: string): string {
  return `BLURCAM_${option.replace(/-/g, '_').toUpperCase()}`;
}

/**
 * The options set through BLURCAM_* environment variables, typed like their flags. Only names from the table
 * count, so other BLURCAM_* variables (BLURCAM_CONFIG_DIR, BLURCAM_DEBUG) are not mistaken for options.
 */
export function optionsFromEnv(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [option, spec] of Object.entries(OPTIONS)) {
    const variable = envVarFor(option);
    const raw = env[variable];
    if (raw === undefined || option === 'config') continue;
    if (spec.type === 'number') {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value)) {
        throw new BlurcamError('BAD_OPTION', `${variable}="${raw}" is not a number.`, `Set ${variable} to a number, or unset it.`);
      }
      values[option] = value;
    } else if (spec.type === 'boolean') {
      if (!/^(1|0|true|false|yes|no)$/i.test(raw)) {
        throw new BlurcamError('BAD_OPTION', `${variable}="${raw}" is not true or false.`, `Set ${variable} to 1 or 0, or unset it.`);
      }
      values[option] = /^(1|true|yes)$/i.test(raw);
    } else {
      values[option] = raw;
    }
  }
  return values;
}

export interface FrameSize {
  width: number;
  height: number;
}

/** Parses "1280x720"; names the option in the error so a user knows which value to fix. */
export function parseSize(value: string, option = 'size'): FrameSize {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(value.trim());
  const width = match ? Number(match[1]) : NaN;
  const height = match ? Number(match[2]) : NaN;
  if (!match || width < 16 || height < 16 || width > 7680 || height > 4320 || width % 2 || height % 2) {
    throw new BlurcamError(
      'BAD_OPTION',
      `--${option} "${value}" is not a frame size.`,
      `Write WIDTHxHEIGHT with even numbers from 16x16 to 7680x4320, e.g. --${option} 1280x720.`,
    );
  }
  return { width, height };
}

/** Checks a number option lies in [min, max]. */
export function checkRange(option: string, value: number, min: number, max: number): number {
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new BlurcamError(
      'BAD_OPTION',
      `--${option} ${value} is out of range.`,
      `Use a number from ${min} to ${max}.`,
    );
  }
  return value;
}

/** --max-megapixels: at least one megapixel, at most 1000 (about 3 GB per decoded copy). */
export function checkMaxMegapixels(value: number): number {
  return checkRange('max-megapixels', value, 1, 1000);
}
