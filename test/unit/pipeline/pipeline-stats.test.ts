import { describe, expect, it } from 'vitest';
import { PipelineStats } from '../../../src/pipeline/pipeline-stats.js';

describe('PipelineStats', () => {
  it('reports rates, stage times and drops over the run and over a window', () => {
    let nowMs = 0;
    const stats = new PipelineStats(() => nowMs);
    for (let i = 0; i < 30; i++) {
      stats.frameIn();
      stats.stage('segment', 2 + (i % 10) * 0.1);
      stats.frameOut(8);
    }
    stats.drop('segment-busy');
    stats.drop('sink-refused');
    nowMs = 1000;
    const window = stats.takeWindow();
    expect(window.fpsIn).toBe(30);
    expect(window.fpsOut).toBe(30);
    expect(window.stages.segment.p50_ms).toBeCloseTo(2.4, 1);
    expect(window.stages.capture.p50_ms).toBeNaN();
    expect(window.total.p95_ms).toBeCloseTo(8, 1);
    expect(window.drops['segment-busy']).toBe(1);
    expect(window.dropsTotal).toBe(2);

    stats.frameIn();
    nowMs = 2000;
    expect(stats.takeWindow().framesIn).toBe(1);
    const run = stats.total();
    expect(run.framesIn).toBe(31);
    expect(run.fpsIn).toBe(15.5);
    expect(run.dropsTotal).toBe(2);
  });

  it('forgets the warm-up on restart', () => {
    let nowMs = 0;
    const stats = new PipelineStats(() => nowMs);
    stats.frameOut(100);
    nowMs = 500;
    stats.restart();
    stats.frameOut(5);
    nowMs = 1500;
    const run = stats.total();
    expect(run.framesOut).toBe(1);
    expect(run.total.p50_ms).toBeCloseTo(5, 1);
    expect(run.elapsedMs).toBe(1000);
  });
});
