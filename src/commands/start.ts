import type { CommandModule } from 'yargs';
import type { CameraEvent } from '../capture/camera-source.js';
import { outputClosed } from '../closed-output.js';
import { declareOptions, type OptionValues, PIPELINE_OPTIONS } from '../config.js';
import { obsConfigDir, protectPasswordFiles } from '../control/obs-config.js';
import { isBlurcamError } from '../errors.js';
import type { RunningStatus } from '../live/control-socket.js';
import { sceneDefinitions } from '../live/scene-config.js';
import type { ObsOutputEvent } from '../output/obs-output.js';
import type { OpenedPipeline } from '../pipeline/open-pipeline.js';
import type { Pipeline } from '../pipeline/pipeline.js';

const START_OPTIONS = [
  'config',
  ...PIPELINE_OPTIONS,
  'endpoint',
  'obs-url',
  'obs-password',
  'launch-obs',
  'obs-canvas',
  'scene',
  'scenes',
  'stats',
  'ui',
  'ui-port',
] as const;

type StartArgs = Pick<OptionValues, (typeof START_OPTIONS)[number]>;

const STATUS_INTERVAL_MS = 1000;

/** Said every second while the camera is not in use, above the statistics (which then show no frames). */
const MODE_LINES = {
  paused: 'paused: the live scene does not show blurcam (nothing is read or segmented; the camera is released after 10 s)',
  slate: 'be right back: OBS gets the slate, no camera frame leaves blurcam',
} as const;

/** `blurcam start`: the live pipeline until Ctrl-C, `blurcam stop` (or --frames), with a status line every second. */
export const startCommand: CommandModule<object, StartArgs> = {
  command: 'start',
  describe: 'Run the camera with the background blurred or replaced until Ctrl-C, with live statistics',
  builder: (yargs) => declareOptions(yargs, START_OPTIONS),
  async handler(argv) {
    const { ControlServer } = await import('../live/control-socket.js');
    const startedAt = new Date().toISOString();
    let running: RunningBlurcam | undefined;
    let stopAsked = false;
    // First of all: a blurcam already running keeps the camera, and this one says so and stops.
    const control = await ControlServer.open({
      status: () => running?.status() ?? startingStatus(startedAt),
      stop: () => {
        stopAsked = true;
        running?.pipeline.stop();
      },
    });
    try {
      running = await openLive(argv, startedAt);
      if (stopAsked) running.pipeline.stop();
      await running.run();
    } finally {
      await control.close();
    }
  },
};

interface RunningBlurcam {
  pipeline: Pipeline;
  status(): RunningStatus;
  /** Runs until Ctrl-C, `blurcam stop` or --frames, then prints the summary. */
  run(): Promise<void>;
}

async function openLive(argv: StartArgs, startedAt: string): Promise<RunningBlurcam> {
  // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
  const { openPipeline } = await import('../pipeline/open-pipeline.js');
  const { formatStats } = await import('../pipeline/format-stats.js');
  const { CameraSource } = await import('../capture/camera-source.js');
  const { SceneDirector, describeEffect } = await import('../live/scene-director.js');
  const { ObsOutput } = await import('../output/obs-output.js');
  const { StatusPage } = await import('../live/status-page.js');
  const status = (line: string) => process.stderr.write(`${line}\n`);
  if (argv.output === 'obs') protectObsPassword(status);
  // With OBS, the live scene sets the effect: blurcam's scenes are made and followed (docs/stream-deck.md). Without
  // it, the status page's controls still change the effect of the one scene there is.
  const mainScene = { sceneName: argv.scene, effect: argv.effect, blurStrength: argv['blur-strength'], background: argv.background };
  const scenes = argv.output === 'obs' ? sceneDefinitions(argv.scenes, mainScene) : argv.ui ? sceneDefinitions([], mainScene) : undefined;
  const director = scenes && new SceneDirector(scenes, status);
  // Opened before the camera, so a port already taken stops blurcam before anything else is open.
  let ready: { pipeline: Pipeline; status: () => RunningStatus } | undefined;
  const page = argv.ui
    ? await StatusPage.open(
        {
          status: () => ready?.status() ?? startingStatus(startedAt),
          snapshot: async () => ready?.pipeline.snapshot(),
          control: (request) => director?.handleEvent(request),
        },
        argv['ui-port'],
      )
    : undefined;
  const obs = {
    url: argv['obs-url'],
    password: argv['obs-password'],
    sceneName: argv.scene,
    otherScenes: scenes?.slice(1).map((scene) => scene.name),
    endpoint: argv.endpoint,
    launch: argv['launch-obs'],
    canvas: argv['obs-canvas'],
    onEvent: (event: ObsOutputEvent) => status(describeObsEvent(event)),
  };
  const opened = await openPipeline(argv, {
    mode: 'live',
    maxFrames: argv.frames,
    onCameraEvent: (event) => status(describeCameraEvent(event)),
    obs,
    effectChanges: director !== undefined,
  }).catch(async (error: unknown) => {
    await page?.close();
    throw error;
  });
  const { pipeline, segmenter, sink, source } = opened;
  const session = sink instanceof ObsOutput ? sink.session : undefined;
  if (director && session) {
    director.followScene(session.programScene);
    session.onProgramSceneChanged((scene) => director.followScene(scene));
    session.on('programSceneAnnounced', (sceneName) => director.sceneAnnounced(sceneName));
    session.on('customEvent', (eventData) => director.handleEvent(eventData));
  } else {
    director?.followScene({ sceneName: argv.scene, showsBlurcam: true, shownThrough: [argv.scene] });
  }
  director?.drive(pipeline, opened.compositor);
  const provider = segmenter?.provider ?? 'no model';
  for (const line of startupReport(opened, source instanceof CameraSource)) status(line);
  let lastWindow = pipeline.stats.takeWindow();

  const currentStatus = (): RunningStatus => {
    const total = pipeline.stats.total();
    const scene = session?.programScene;
    return {
      pid: process.pid,
      startedAt,
      input: source.description,
      effect: director ? describeEffect(director.state.effect) : describeEffect(opened.effect),
      mode: pipeline.mode,
      fpsIn: lastWindow.fpsIn,
      fpsOut: lastWindow.fpsOut,
      framesIn: total.framesIn,
      framesOut: total.framesOut,
      dropped: total.dropsTotal,
      segmented: pipeline.segmentedFrames,
      provider,
      output: sink.status?.() ?? sink.description,
      liveScene: scene && { name: scene.sceneName, showsBlurcam: scene.showsBlurcam },
    };
  };

  ready = { pipeline, status: currentStatus };
  if (page) status(`status page: ${page.url}`);

  const run = async () => {
    const stop = () => pipeline.stop();
    // once: a second Ctrl-C during shutdown falls through to Node's default and ends the process.
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // Said only now: until a handler is in place, Ctrl-C ends the process at once, whatever it was doing.
    status('running: Ctrl-C stops.');
    // Nobody reads the status lines any more (src/closed-output.ts): stop as on Ctrl-C.
    if (outputClosed.aborted) stop();
    outputClosed.addEventListener('abort', stop, { once: true });
    const timer = setInterval(() => {
      lastWindow = pipeline.stats.takeWindow();
      page?.record(lastWindow);
      const output = sink.status?.();
      if (pipeline.mode !== 'live') status(MODE_LINES[pipeline.mode]);
      if (argv.stats) status(`stats over the last second:\n${formatStats(lastWindow, 'table', provider)}${output ? `\n  ${output}` : ''}`);
      else status(`${formatStats(lastWindow, 'line', provider)}${output ? ` | ${output}` : ''}`);
    }, STATUS_INTERVAL_MS);
    try {
      await pipeline.run();
    } finally {
      clearInterval(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      outputClosed.removeEventListener('abort', stop);
      await page?.close();
    }
    const output = sink.status?.();
    process.stdout.write(`blurcam stopped.\n${formatStats(pipeline.stats.total(), 'table', provider)}\n${output ? `  ${output}\n` : ''}`);
  };
  return { pipeline, status: currentStatus, run };
}

function startingStatus(startedAt: string): RunningStatus {
  return {
    pid: process.pid,
    startedAt,
    input: 'opening',
    effect: 'not yet known',
    mode: 'starting',
    fpsIn: 0,
    fpsOut: 0,
    framesIn: 0,
    framesOut: 0,
    dropped: 0,
    segmented: 0,
    provider: 'not yet known',
    output: 'opening',
  };
}

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
  lines.push(`output: ${sink.description}`);
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
