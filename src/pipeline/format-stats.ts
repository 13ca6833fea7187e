import { DROP_CAUSES, STAGES, type StatsReport, type TimingSummary } from './pipeline-stats.js';

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');
const pair = (timing: TimingSummary) => `${ms(timing.p50_ms)}/${ms(timing.p95_ms)}`;

/**
 * Statistics as text: 'line' is the one-line status `start` prints every second, 'table' the full view
 * (`--stats`, the final summary, `bench` without --json). Times are median/p95 in milliseconds.
 */
export function formatStats(report: StatsReport, style: 'line' | 'table', provider: string): string {
  if (style === 'line') {
    const stages = STAGES.filter((stage) => Number.isFinite(report.stages[stage].p50_ms))
      .map((stage) => `${stage} ${pair(report.stages[stage])}`)
      .join(', ');
    return `in ${report.fpsIn.toFixed(1)} fps, out ${report.fpsOut.toFixed(1)} fps | ${stages}, total ${pair(report.total)} ms p50/p95 | dropped ${report.dropsTotal} | ${provider}`;
  }
  const rows = [...STAGES.map((stage) => [stage, report.stages[stage]] as const), ['total', report.total] as const].map(
    ([name, timing]) => `  ${name.padEnd(10)} ${ms(timing.p50_ms).padStart(8)} ${ms(timing.p95_ms).padStart(8)}`,
  );
  const drops = DROP_CAUSES.map((cause) => `${cause} ${report.drops[cause]}`).join(', ');
  return [
    `  ${report.framesIn} frames in (${report.fpsIn.toFixed(1)} fps), ${report.framesOut} out (${report.fpsOut.toFixed(1)} fps) over ${(report.elapsedMs / 1000).toFixed(1)} s, provider ${provider}`,
    `  ${'stage'.padEnd(10)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}`,
    ...rows,
    `  dropped ${report.dropsTotal}: ${drops}`,
  ].join('\n');
}
