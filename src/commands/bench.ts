import type { CommandModule } from 'yargs';
import { declareOptions, type OptionValues, PIPELINE_OPTIONS } from '../config.js';

const BENCH_OPTIONS = ['config', ...PIPELINE_OPTIONS, 'json'] as const;

type BenchArgs = Pick<OptionValues, (typeof BENCH_OPTIONS)[number]>;

/** Frames run before measuring: the first inferences and allocations are slower than the steady state. */
const WARMUP_FRAMES = 20;

/**
 * `blurcam bench`: the whole pipeline over a clip (or the demo) as fast as it goes, one frame at a time, and one
 * JSON object with the figures the project follows over time. Keep its keys: scripts and docs read them.
 */
export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'Measure the pipeline on a clip or the demo scene: per-stage and total time per frame, fps, drops, memory',
  builder: (yargs) => declareOptions(yargs, BENCH_OPTIONS, { input: { default: 'demo' }, output: { default: 'null' }, frames: { default: 300 } }),
  async handler(argv) {
    // Loaded here, not at the top: OpenCV and onnxruntime take a while to load and other commands do not need them.
    const { openPipeline } = await import('../pipeline/open-pipeline.js');
    const { formatStats } = await import('../pipeline/format-stats.js');
    const { describePixelLoops } = await import('../native/native-pixels.js');
    const { pipeline, source, segmenter, effect } = await openPipeline(argv, { mode: 'bench', maxFrames: argv.frames, warmupFrames: WARMUP_FRAMES });
    await pipeline.run();
    const report = pipeline.stats.total();
    const provider = segmenter?.provider ?? 'none';
    if (!argv.json) {
      process.stdout.write(`bench: ${source.description}, effect ${effect.kind}, pixel loops ${describePixelLoops()}\n${formatStats(report, 'table', provider)}\n`);
      return;
    }
    const result = {
      frames: report.framesOut,
      input: source.description,
      size: `${source.width}x${source.height}`,
      effect: effect.kind,
      model: segmenter?.description ?? null,
      provider,
      pixel_loops: describePixelLoops(),
      stages: report.stages,
      total: report.total,
      fps: report.fpsOut,
      drops: report.dropsTotal,
      drops_by_cause: report.drops,
      peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  },
};
