import type { CommandModule } from 'yargs';
import type { CameraEvent } from '../capture/camera-source.js';
import { outputClosed } from '../closed-output.js';
import { declareOptions, type OptionValues } from '../config.js';
import { obsConfigDir, protectPasswordFiles } from '../control/obs-config.js';
import { isBlurcamError } from '../errors.js';
import type { ObsOutputEvent } from '../output/obs-output.js';
import type { OpenedPipeline } from '../pipeline/open-pipeline.js';

const START_OPTIONS = [
  'config',
  'input',
  'camera',
  'size',
  'fps',
  'effect',
  'blur-strength',
  'background',
  'output',
  'force',
  'endpoint',
  'obs-url',
  'obs-password',
  'launch-obs',
  'obs-canvas',
  'scene',
  'model',
  'device',
  'threshold',
  'softness',
  'frames',
  'stats',
] as const;

type StartArgs = Pick<OptionValues, (typeof START_OPTIONS)[number]>;

const STATUS_INTERVAL_MS = 1000;

/** `blurcam start`: the live pipeline until Ctrl-C (or --frames), with a status line every second. */
export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Run the camera with the background blurred or replaced until Ctrl-C, with live statistics',
  builder: (yargs) => declareOptions(yargs, START_OPTIONS),
  async handler(argv) {
    // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
    const { openPipeline } = await import('../pipeline/open-pipeline.js');
    const { formatStats } = await import('../pipeline/format-stats.js');
    const { CameraSource } = await import('../capture/camera-source.js');
    const { keepFrameMemoryInProcess } = await import('../opencv.js');
    keepFrameMemoryInProcess();
    const status = (line: string) => process.stderr.write(`${line}\n`);
    if (argv.output === 'obs') protectObsPassword(status);
    const obs = {
      url: argv['obs-url'],
      password: argv['obs-password'],
      sceneName: argv.scene,
      endpoint: argv.endpoint,
      launch: argv['launch-obs'],
      canvas: argv['obs-canvas'],
      onEvent: (event: ObsOutputEvent) => status(describeObsEvent(event)),
    };
    const opened = await openPipeline(argv, { mode: 'live', maxFrames: argv.frames, onCameraEvent: (event) => status(describeCameraEvent(event)), obs });
    const { pipeline, segmenter, sink } = opened;
    const provider = segmenter?.provider ?? 'no model';
    for (const line of startupReport(opened, opened.source instanceof CameraSource)) status(line);

    const stop = () => pipeline.stop();
    // once: a second Ctrl-C during shutdown falls through to Node's default and ends the process.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Nobody reads the status lines any more (src/closed-output.ts): stop as on Ctrl-C.
    if (outputClosed.aborted) stop();
    outputClosed.addEventListener('abort', stop, { once: true });
    const timer = setInterval(() => {
      const window = pipeline.stats.takeWindow();
      const output = sink.status?.();
      if (argv.stats) status(`stats over the last second:\n${formatStats(window, 'table', provider)}${output ? `\n  ${output}` : ''}`);
      else status(`${formatStats(window, 'line', provider)}${output ? ` | ${output}` : ''}`);
    }, STATUS_INTERVAL_MS);
    try {
      await pipeline.run();
    } finally {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      outputClosed.removeEventListener('abort', stop);
    }
    const output = sink.status?.();
    process.stdout.write(`blurcam stopped.\n${formatStats(pipeline.stats.total(), 'table', provider)}\n${output ? `  ${output}\n` : ''}`);
  },
};

/** OBS re-saves its settings readable by everyone (see protectPasswordFiles); a failure is worth a warning, not a stop. */
function protectObsPassword(status: (line: string) => void): void {
  try {
    protectPasswordFiles(obsConfigDir());
  } catch (error) {
    if (!isBlurcamError(error)) throw error;
    status(`obs: ${error.message}\n  fix: ${error.hint}`);
  }
}

function startupReport({ source, segmenter, sink, effect, requested }: OpenedPipeline, isCamera: boolean): string[] {
  const lines = [`input: ${source.description}`];
  const gives = `${source.width}x${source.height} @ ${source.fps} fps`;
  const asked = `${requested.width}x${requested.height} @ ${requested.fps} fps`;
  if (isCamera && gives !== asked) lines.push(`  asked for ${asked}; the camera gives ${gives}`);
  const what = effect.kind === 'blur' ? `blur (strength ${effect.strength})` : effect.kind === 'replace' ? 'replace the background' : 'none (pass-through)';
  lines.push(`effect: ${what}`);
  if (segmenter) lines.push(`model: ${segmenter.description}`);
  lines.push(`output: ${sink.description}`, 'running: Ctrl-C stops.');
  return lines;
}

function describeCameraEvent(event: CameraEvent): string {
  if (event.kind === 'lost') return `camera: ${event.error.message} ${event.error.hint}`;
  return `camera: ${event.description} is back.`;
}

/** One line of cause and one of fix, as errors are printed; blurcam keeps feeding OBS either way. */
function describeObsEvent(event: ObsOutputEvent): string {
  if (event.kind === 'canvas') return `obs: ${event.line}`;
  if (event.kind === 'warning') return `obs: ${event.warning.message}\n  fix: ${event.warning.hint}`;
  if (event.kind === 'lost') return `obs: ${event.reason?.message ?? 'The connection to OBS was lost.'}\n  ${event.reason?.hint ?? 'blurcam reconnects by itself.'}`;
  return "obs: connected again; blurcam's scene and source are set up.";
}
