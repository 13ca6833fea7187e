import { LatencyHistogram } from './latency-histogram.js';

export const STAGES = ['capture', 'segment', 'composite', 'output'] as const;
export type StageName = (typeof STAGES)[number];

/**
 * Why a frame was dropped: the named stage was still busy with an earlier frame when a newer one arrived (the older
 * waiting one gave way), or the sink refused it (its consumer is slow or absent).
 */
export const DROP_CAUSES = ['segment-busy', 'composite-busy', 'output-busy', 'sink-refused'] as const;
export type DropCause = (typeof DROP_CAUSES)[number];

export interface TimingSummary {
  p50_ms: number;
  p95_ms: number;
}

/** What the status line, the final summary and `blurcam bench` print. */
export interface StatsReport {
  /** How long the report covers. */
  elapsedMs: number;
  framesIn: number;
  framesOut: number;
  fpsIn: number;
  fpsOut: number;
  stages: Record<StageName, TimingSummary>;
  /** From the frame's capture to its hand-off to the sink. */
  total: TimingSummary;
  drops: Record<DropCause, number>;
  dropsTotal: number;
}

class Counters {
  readonly stages = Object.fromEntries(STAGES.map((stage) => [stage, new LatencyHistogram()])) as Record<StageName, LatencyHistogram>;
  readonly total = new LatencyHistogram();
  readonly drops = Object.fromEntries(DROP_CAUSES.map((cause) => [cause, 0])) as Record<DropCause, number>;
  framesIn = 0;
  framesOut = 0;
  startMs: number;

  constructor(nowMs: number) {
    this.startMs = nowMs;
  }

  report(nowMs: number): StatsReport {
    const elapsedMs = Math.max(0, nowMs - this.startMs);
    const perSecond = (count: number) => (elapsedMs > 0 ? (count * 1000) / elapsedMs : 0);
    const summary = (histogram: LatencyHistogram): TimingSummary => ({
      p50_ms: round(histogram.percentile(0.5)),
      p95_ms: round(histogram.percentile(0.95)),
    });
    const drops = { ...this.drops };
    return {
      elapsedMs,
      framesIn: this.framesIn,
      framesOut: this.framesOut,
      fpsIn: round(perSecond(this.framesIn)),
      fpsOut: round(perSecond(this.framesOut)),
      stages: Object.fromEntries(STAGES.map((stage) => [stage, summary(this.stages[stage])])) as Record<StageName, TimingSummary>,
      total: summary(this.total),
      drops,
      dropsTotal: DROP_CAUSES.reduce((sum, cause) => sum + drops[cause], 0),
    };
  }
}

/** Two decimals are plenty for milliseconds and frame rates; NaN (nothing measured yet) stays NaN. */
function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * The pipeline's counters, kept twice: over the whole run (the summary, the benchmark) and over a window the
 * status line restarts every second. Fixed memory however long it runs.
 */
export class PipelineStats {
  private run: Counters;
  private window: Counters;

  constructor(private readonly nowMs: () => number = () => performance.now()) {
    this.run = new Counters(nowMs());
    this.window = new Counters(nowMs());
  }

  frameIn(): void {
    this.run.framesIn++;
    this.window.framesIn++;
  }

  frameOut(totalMs: number): void {
    for (const counters of [this.run, this.window]) {
      counters.framesOut++;
      counters.total.record(totalMs);
    }
  }

  stage(stage: StageName, durationMs: number): void {
    this.run.stages[stage].record(durationMs);
    this.window.stages[stage].record(durationMs);
  }

  drop(cause: DropCause): void {
    this.run.drops[cause]++;
    this.window.drops[cause]++;
  }

  /** Forget everything measured so far (the benchmark's warm-up). */
  restart(): void {
    this.run = new Counters(this.nowMs());
    this.window = new Counters(this.nowMs());
  }

  /** The whole run so far. */
  total(): StatsReport {
    return this.run.report(this.nowMs());
  }

  /** The time since the last call (or the start), and a fresh window for the next one. */
  takeWindow(): StatsReport {
    const report = this.window.report(this.nowMs());
    this.window = new Counters(this.nowMs());
    return report;
  }
}
