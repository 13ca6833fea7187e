import { statSync } from 'node:fs';
import type { Argv, Options } from 'yargs';
import { z } from 'zod';
import { readConfigObject } from './config-file.js';

export { configDir, defaultConfigPath } from './config-file.js';
import { DEFAULT_OBS_URL } from './control/obs-connection.js';
import { BlurcamError } from './errors.js';
import { DEFAULT_MAX_MEGAPIXELS } from './files/image-size.js';
import { validateEndpoint } from './transport/endpoint.js';

/** One option: its yargs declaration, and what its values must be. */
interface OptionSpec extends Options {
  type: 'string' | 'number' | 'boolean';
  /** Checks a value of the option's type and gives what commands receive (a transform may change its shape). */
  schema: z.ZodType;
  /** What a valid value is, in words: the fix line of an error says "Use <allowed>." */
  allowed: string;
  /** What a value of the right type that the schema refuses is, e.g. "is not a frame size". Default "is out of range". */
  invalid?: string;
  /** Never echo the value (the OBS password). */
  secret?: boolean;
}

const nonEmpty = z.string().min(1);

export interface FrameSize {
  width: number;
  height: number;
}

const SIZE_LIMITS = { min: 16, maxWidth: 7680, maxHeight: 4320 };

/** "1280x720" as a FrameSize: even numbers from 16x16 to 7680x4320; `onInvalid` otherwise. */
function parseSizeOr(value: string, onInvalid: () => void): FrameSize {
  const match = /^(\d{2,5})x(\d{2,5})$/.exec(value.trim());
  const width = match ? Number(match[1]) : NaN;
  const height = match ? Number(match[2]) : NaN;
  const { min, maxWidth, maxHeight } = SIZE_LIMITS;
  if (!match || width < min || height < min || width > maxWidth || height > maxHeight || width % 2 || height % 2) onInvalid();
  return { width, height };
}

function isWebsocketUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'ws:' || protocol === 'wss:';
  } catch {
    return false;
  }
}

/**
 * Every option blurcam knows, in one table: how yargs declares it (type, default, help) and what a value must be
 * (`schema`, a zod schema; `allowed` says it in words for error messages). Values are checked once, where they
 * enter (flags, BLURCAM_* environment variables, the config file), and reach the commands typed: inner code
 * trusts them. Precedence (yargs applies it): flags, then environment, then the config file, then the defaults.
 * Commands declare the options they use with `declareOptions`.
 */
export const OPTIONS = {
  config: {
    type: 'string',
    describe: 'JSON config file (default: config.json in the config folder of the platform, see docs/configuration.md)',
    schema: nonEmpty,
    allowed: 'a file path',
  },
  model: {
    type: 'string',
    default: 'auto',
    describe:
      "Segmentation model: 'auto' (best for the input), 'selfie', 'selfie-landscape', or a path to an ONNX model that follows docs/model-contract.md",
    schema: nonEmpty,
    allowed: "'auto', 'selfie', 'selfie-landscape' or the path to an ONNX model",
  },
  device: {
    type: 'string',
    choices: ['auto', 'cpu', 'coreml'],
    default: 'auto',
    describe: "Execution provider: 'auto' is CoreML on Apple Silicon Macs, CPU elsewhere",
    schema: z.enum(['auto', 'cpu', 'coreml']),
    allowed: 'auto, cpu or coreml',
    invalid: 'is not an execution provider',
  },
  threshold: {
    type: 'number',
    // No default here: each mode has its own (DEFAULT_THRESHOLD in src/segment/create-segmenter.ts).
    describe: 'Model score (0..1) at which a pixel counts as person [default: 0.45 for video, 0.5 for photos]',
    schema: z.number().min(0).max(1).optional(),
    allowed: 'a number from 0 to 1',
  },
  softness: {
    type: 'number',
    default: 0.1,
    describe: 'Width of the soft edge around the threshold, in model score (0 = hard edge, max 0.5)',
    schema: z.number().min(0).max(0.5),
    allowed: 'a number from 0 to 0.5',
  },
  input: {
    type: 'string',
    default: 'camera',
    describe: "Where frames come from: 'camera', 'demo' (built-in, no camera needed), or a video file (loops)",
    schema: nonEmpty,
    allowed: "'camera', 'demo' or the path to a video file",
  },
  camera: {
    type: 'number',
    default: 0,
    describe: "Camera index ('blurcam devices' lists them)",
    schema: z.number().int().min(0),
    allowed: '0, 1, 2... ("blurcam devices" lists them)',
    invalid: 'is not a camera index',
  },
  size: {
    type: 'string',
    default: '1280x720',
    describe: 'Requested frame size WIDTHxHEIGHT (the camera may give another; blurcam reports it)',
    schema: z.string().transform((value, context) => parseSizeOr(value, () => context.addIssue({ code: 'custom', message: 'not a frame size' }))),
    allowed: 'WIDTHxHEIGHT with even numbers from 16x16 to 7680x4320, e.g. 1280x720',
    invalid: 'is not a frame size',
  },
  fps: {
    type: 'number',
    default: 30,
    describe: 'Requested frame rate',
    schema: z.number().min(1).max(120),
    allowed: 'a number from 1 to 120',
  },
  effect: {
    type: 'string',
    choices: ['blur', 'replace', 'none'],
    default: 'blur',
    describe: "What happens to the background ('replace' needs --background)",
    schema: z.enum(['blur', 'replace', 'none']),
    allowed: 'blur, replace or none',
    invalid: 'is not an effect',
  },
  'blur-strength': {
    type: 'number',
    default: 0.5,
    describe: 'How blurred the background is, from 0 (barely) to 1 (very)',
    schema: z.number().min(0).max(1),
    allowed: 'a number from 0 to 1',
  },
  background: {
    type: 'string',
    describe: 'Image that replaces the background (scaled to cover the frame); implies --effect replace',
    schema: z.string(),
    allowed: 'the path to a .jpg or .png image',
  },
  output: {
    type: 'string',
    default: 'obs',
    describe: "Where frames go: 'obs', 'null' (discard, for benchmarks), or a video file path (.mp4, .avi)",
    schema: nonEmpty,
    allowed: "'obs', 'null' or a video file path (.mp4, .avi)",
  },
  endpoint: {
    type: 'string',
    describe: 'ZeroMQ endpoint shared with the OBS plugin (default: an ipc socket in the runtime folder)',
    // The transport's own rules (local transports only), spelled the way the plugin binds it.
    schema: z.string().transform((value, context) => {
      if (value === '') return undefined;
      try {
        return validateEndpoint(value);
      } catch {
        context.addIssue({ code: 'custom', message: 'not a local endpoint' });
        return z.NEVER;
      }
    }),
    allowed: 'ipc:///absolute/path.sock or tcp://127.0.0.1:PORT (localhost and [::1] work too)',
    invalid: 'is not a local ZeroMQ endpoint',
  },
  'obs-url': {
    type: 'string',
    default: DEFAULT_OBS_URL,
    describe: 'obs-websocket address (OBS: Tools > WebSocket Server Settings)',
    schema: z.string().refine(isWebsocketUrl),
    allowed: `ws://HOST:PORT, e.g. ${DEFAULT_OBS_URL}`,
    invalid: 'is not a websocket address',
  },
  'obs-password': {
    type: 'string',
    describe: 'obs-websocket password (better: BLURCAM_OBS_PASSWORD or the config file; never printed)',
    schema: z.string(),
    allowed: 'the password set in OBS (Tools > WebSocket Server Settings)',
    secret: true,
  },
  'obs-config-dir': {
    type: 'string',
    describe: "OBS's settings folder (default: ~/.config/obs-studio on Linux, ~/Library/Application Support/obs-studio on macOS)",
    schema: nonEmpty,
    allowed: 'a folder path',
  },
  'launch-obs': {
    type: 'boolean',
    default: false,
    describe: 'Start OBS if it is not running',
    schema: z.boolean(),
    allowed: 'true or false',
  },
  'obs-canvas': {
    type: 'string',
    choices: ['camera', 'keep'],
    default: 'camera',
    describe:
      "camera: make OBS's canvas the camera's size and rate while no output runs, so the Virtual Camera has no bars (previous values kept in obs-video-backup.json); keep: leave it",
    schema: z.enum(['camera', 'keep']),
    allowed: 'camera or keep',
    invalid: 'is not a canvas policy',
  },
  scene: {
    type: 'string',
    default: 'blurcam',
    describe: 'OBS scene that holds the blurcam source',
    schema: nonEmpty,
    allowed: 'a scene name',
  },
  scenes: {
    // A JSON list in the config file; a flag or BLURCAM_SCENES gives it as JSON text. sceneDefinitions()
    // (src/live/scene-config.ts, a zod schema) checks it before anything opens and names the entry that is wrong.
    type: 'string',
    describe: "blurcam's other OBS scenes and the effect of each: a JSON list of {name, effect, blurStrength?, background?} (docs/configuration.md#scenes)",
    schema: z.unknown(),
    allowed: 'a list of scenes (docs/configuration.md#scenes)',
  },
  ui: {
    type: 'boolean',
    default: false,
    describe: 'Serve a status page on 127.0.0.1 (live output and mask, fps chart, effect controls); blurcam prints its address',
    schema: z.boolean(),
    allowed: 'true or false',
  },
  'ui-port': {
    type: 'number',
    default: 0,
    describe: 'Port of the status page (0: any free port)',
    schema: z.number().int().min(0).max(65535),
    allowed: 'a whole number from 1 to 65535, or 0 for any free port',
    invalid: 'is not a port',
  },
  stats: {
    type: 'boolean',
    default: false,
    describe: 'Print live statistics every second',
    schema: z.boolean(),
    allowed: 'true or false',
  },
  frames: {
    type: 'number',
    describe: 'Stop after this many frames have gone out (start: until Ctrl-C without it; bench: 300)',
    schema: z.number().int().min(1),
    allowed: 'a whole number of at least 1',
    invalid: 'is not a frame count',
  },
  every: {
    type: 'number',
    default: 5,
    describe: 'record: keep every Nth frame (neighbouring frames are nearly the same picture)',
    schema: z.number().int().min(1),
    allowed: 'a whole number of at least 1',
    invalid: 'is not a count',
  },
  json: {
    type: 'boolean',
    default: false,
    describe: 'Print the result as one JSON object (bench, devices, doctor)',
    schema: z.boolean(),
    allowed: 'true or false',
  },
  force: {
    type: 'boolean',
    default: false,
    describe: 'Replace output files that already exist (masks, --output video); an input file is never replaced',
    schema: z.boolean(),
    allowed: 'true or false',
  },
  'max-megapixels': {
    type: 'number',
    default: DEFAULT_MAX_MEGAPIXELS,
    describe: 'Largest photo blurcam decodes, in megapixels (width x height / 1,000,000); larger ones are refused unread',
    // At most 1000 megapixels: about 3 GB per decoded copy.
    schema: z.number().min(1).max(1000),
    allowed: 'a number from 1 to 1000',
  },
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

/** The options of the live pipeline (openPipeline's PipelineArgs), shared by `start` and `bench`. */
export const PIPELINE_OPTIONS = [
  'input',
  'camera',
  'size',
  'fps',
  'effect',
  'blur-strength',
  'background',
  'output',
  'force',
  'model',
  'device',
  'threshold',
  'softness',
  'frames',
] as const satisfies readonly OptionName[];

/** Each option's checked value, as the commands receive it (--size as a FrameSize, for one). */
export type OptionValues = { -readonly [K in OptionName]: z.output<(typeof OPTIONS)[K]['schema']> };

/**
 * Declares `names` on a command's yargs builder. Its handler then gets their checked, typed values (the middleware
 * in src/cli.ts runs checkOptions before any handler). `overrides` changes a declaration for this command only
 * (another default, say).
 */
export function declareOptions<A, K extends OptionName>(
  yargs: Argv<A>,
  names: readonly K[],
  overrides: Partial<Record<K, Options>> = {},
): Argv<A & Pick<OptionValues, K>> {
  const declarations: Record<string, Options> = {};
  for (const name of names) {
    const { schema: _schema, allowed: _allowed, invalid: _invalid, secret: _secret, ...declaration } = OPTIONS[name] as OptionSpec;
    declarations[name] = { ...declaration, ...overrides[name] };
  }
  return yargs.options(declarations) as unknown as Argv<A & Pick<OptionValues, K>>;
}

/** Config keys may be written camelCase or as the flag (kebab-case); both reach yargs as flags. */
const KNOWN_KEYS = new Set<string>(Object.keys(OPTIONS).filter((key) => key !== 'config'));

/**
 * Reads a config file. A missing default file is fine (empty config); a missing file that was named
 * explicitly, bad JSON, an unknown key or a file others can read while it holds the password are errors.
 */
export function loadConfigFile(path: string, { explicit }: { explicit: boolean }): Record<string, unknown> {
  const parsed = readConfigObject(path);
  if (parsed === undefined) {
    if (!explicit) return {};
    throw new BlurcamError('BAD_CONFIG_FILE', `Config file ${path} does not exist.`, 'Check the --config path.');
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
    checkOption(flag as OptionName, value, { kind: 'file', path, key });
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
    // Text becomes the option's type first (an unreadable number stays text, which the check then refuses).
    let value: unknown = raw;
    if (spec.type === 'number' && raw.trim() !== '' && Number.isFinite(Number(raw))) value = Number(raw);
    if (spec.type === 'boolean' && /^(1|0|true|false|yes|no)$/i.test(raw)) value = /^(1|true|yes)$/i.test(raw);
    checkOption(option as OptionName, value, { kind: 'env', variable, raw });
    values[option] = value;
  }
  return values;
}

/** The spellings of a flag on the command line: --blur-strength, --blurStrength, and --no-... for booleans. */
function flagSpellings(name: string): string[] {
  const camel = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return [...new Set([name, camel])].flatMap((spelling) => [`--${spelling}`, `--no-${spelling}`]);
}

/** The text after the last --name (or in --name=...) on the command line, if the flag is there. */
function flagText(args: readonly string[], name: string): { given: boolean; raw?: string } {
  const spellings = flagSpellings(name);
  let found: { given: boolean; raw?: string } = { given: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') break;
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (!spellings.includes(flag)) continue;
    found = { given: true, raw: inline ?? (args[i + 1]?.startsWith('-') ? undefined : args[i + 1]) };
  }
  return found;
}

/** What `main` knows of where values came from, so a bad one can be pointed at. */
export interface OptionOrigins {
  args: readonly string[];
  env: Record<string, unknown>;
  file: Record<string, unknown>;
  filePath: string;
}

/**
 * The check at the edge: every option value a command received (argv after yargs: flags over environment over
 * the config file over defaults) through its schema, replaced by its typed value, and the rules between options.
 * Values from the environment and the config file were checked when read; this catches flags, and gives all of
 * them their typed shape.
 */
export function checkOptions(argv: Record<string, unknown>, origins: OptionOrigins): void {
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    const value = argv[name];
    if (value === undefined) continue;
    const flag = flagText(origins.args, name);
    const source: OptionSource = flag.given
      ? { kind: 'flag' }
      : name in origins.env
        ? { kind: 'env', variable: envVarFor(name), raw: String(origins.env[name]) }
        : name in origins.file
          ? { kind: 'file', path: origins.filePath, key: name }
          : { kind: 'default' };
    const checked = checkOption(name, value, source, typeof value === 'number' && Number.isNaN(value) ? flag.raw : undefined);
    argv[name] = checked;
    const camel = name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
    if (camel !== name) argv[camel] = checked;
  }
  checkOptionCombinations(argv as Partial<OptionValues>);
}

/**
 * Parses "1280x720" for a size option of a tool that reads its own arguments (the benchmarks); commands get
 * --size already parsed.
 */
export function parseSize(value: string, option = 'size'): FrameSize {
  return parseSizeOr(value, () => {
    throw new BlurcamError('BAD_OPTION', `--${option} "${value}" is not a frame size.`, `Use ${OPTIONS.size.allowed}.`);
  });
}

/** Where a value came from, for an error message that points at it. */
export type OptionSource = { kind: 'flag' } | { kind: 'env'; variable: string; raw: string } | { kind: 'file'; path: string; key: string } | { kind: 'default' };

/**
 * Checks one value against its option's schema and returns what commands receive; a value of the wrong type or out
 * of bounds is an error naming the option, where it came from and what is allowed. `raw` is the text given on the
 * command line, when yargs has already turned it into something else (NaN for "--fps fast").
 */
export function checkOption<K extends OptionName>(name: K, value: unknown, source: OptionSource, raw?: string): OptionValues[K] {
  const spec: OptionSpec = OPTIONS[name];
  const result = spec.schema.safeParse(value);
  if (result.success) return result.data as OptionValues[K];
  // zod reports a fraction where a whole number is due as a type error too; the option's type decides here.
  const wrongType = typeof value !== spec.type || Number.isNaN(value);
  const problem = wrongType ? `is not ${TYPE_NOUNS[spec.type]}` : (spec.invalid ?? 'is out of range');
  const shown = spec.secret ? '(hidden)' : raw !== undefined ? JSON.stringify(raw) : typeof value === 'string' ? JSON.stringify(value) : String(value);
  switch (source.kind) {
    case 'env':
      return fail('BAD_OPTION', `${source.variable}=${spec.secret ? '(hidden)' : JSON.stringify(source.raw)} ${problem}.`, `Set ${source.variable} to ${spec.allowed}, or unset it.`);
    case 'file':
      return fail('BAD_CONFIG_FILE', `Config file ${source.path}: "${source.key}": ${spec.secret ? '(hidden)' : JSON.stringify(value)} ${problem}.`, `Use ${spec.allowed}.`);
    case 'default':
      return fail('BAD_OPTION', `The default of --${name} (${shown}) ${problem}.`, 'This is a bug in blurcam; please report it.');
    default:
      return fail('BAD_OPTION', `--${name} ${shown} ${problem}.`, `Use ${spec.allowed}.`);
  }
}

const TYPE_NOUNS = { string: 'text', number: 'a number', boolean: 'true or false' } as const;

function fail(code: 'BAD_OPTION' | 'BAD_CONFIG_FILE', message: string, hint: string): never {
  throw new BlurcamError(code, message, hint);
}

/** Rules between options, checked with them at the edge. */
export function checkOptionCombinations(values: Partial<OptionValues>): void {
  if (values.effect === 'replace' && !values.background) {
    fail('BAD_OPTION', '--effect replace needs an image to put behind you.', 'Add --background PATH (a .jpg or .png).');
  }
}
