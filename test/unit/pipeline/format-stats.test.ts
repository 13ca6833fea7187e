import { describe, expect, it } from 'vitest';
import { formatStats } from '../../../src/pipeline/format-stats.js';
import { PipelineStats } from '../../../src/pipeline/pipeline-stats.js';

function sampleReport() {
  let nowMs = 0;
  const stats = new PipelineStats(() => nowMs);
  for (let i = 0; i < 30; i++) {
    stats.frameIn();
    stats.stage('capture', 1.2);
    stats.stage('segment', 3.4);
    stats.stage('composite', 4.5);
    stats.stage('output', 0.1);
    stats.frameOut(9.6);
  }
  stats.drop('segment-busy');
  nowMs = 1000;
  return stats.total();
}

describe('formatStats', () => {
  it('fits the essentials on one status line', () => {
    expect(formatStats(sampleReport(), 'line', 'cpu')).toBe(
      'in 30.0 fps, out 30.0 fps | capture 1.2/1.2, segment 3.4/3.4, composite 4.5/4.5, output 0.1/0.1, total 9.6/9.6 ms p50/p95 | dropped 1 | cpu',
    );
  });

  it('shows every stage, the total and each drop cause in the table', () => {
    const table = formatStats(sampleReport(), 'table', 'coreml');
    expect(table).toContain('30 frames in (30.0 fps), 30 out (30.0 fps) over 1.0 s, provider coreml');
    expect(table).toMatch(/segment\s+3\.4\s+3\.4/);
    expect(table).toMatch(/total\s+9\.6\s+9\.6/);
    expect(table).toContain('dropped 1: segment-busy 1, composite-busy 0, output-busy 0, sink-refused 0');
  });

  it('leaves out stages that did not run (no model for the none effect)', () => {
    const stats = new PipelineStats(() => 0);
    stats.stage('composite', 0.5);
    expect(formatStats(stats.total(), 'line', 'no model')).toMatch(/\| composite 0\.5\/0\.5, total -\/- ms/);
    expect(formatStats(stats.total(), 'table', 'no model')).toMatch(/segment\s+-\s+-/);
  });
});
