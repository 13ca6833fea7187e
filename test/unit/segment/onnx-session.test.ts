import { describe, expect, it } from 'vitest';
import { chooseProvider, describeCoverage, parseCoremlCoverage } from '../../../src/segment/onnx-session.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

describe('chooseProvider', () => {
  it('runs CoreML on Apple Silicon Macs and the CPU elsewhere for auto', () => {
    expect(chooseProvider('auto', 'darwin', 'arm64')).toBe('coreml');
    expect(chooseProvider('auto', 'darwin', 'x64')).toBe('cpu');
    expect(chooseProvider('auto', 'linux', 'x64')).toBe('cpu');
  });

  it('forces the CPU anywhere and CoreML where it exists', () => {
    expect(chooseProvider('cpu', 'darwin', 'arm64')).toBe('cpu');
    expect(chooseProvider('coreml', 'darwin', 'arm64')).toBe('coreml');
  });

  it.each([
    ['linux', 'x64'],
    ['darwin', 'x64'],
  ])('refuses CoreML on %s/%s with DEVICE_UNAVAILABLE', async (platform, arch) => {
    await expectFailure(() => chooseProvider('coreml', platform, arch), 'DEVICE_UNAVAILABLE', new RegExp(`CoreML is not available on ${platform}/${arch}`));
  });
});

describe('CoreML coverage', () => {
  const line = (supported: number) =>
    `2026-11-27 10:00:00.000 [I:onnxruntime:, coreml_execution_provider.cc:98 GetCapability] CoreMLExecutionProvider::GetCapability, number of partitions supported by CoreML: 1 number of nodes in the graph: 120 number of nodes supported by CoreML: ${supported}\n`;

  it("reads onnxruntime's info line", () => {
    expect(parseCoremlCoverage(`noise\n${line(120)}more noise`)).toEqual({ partitions: 1, nodes: 120, supportedNodes: 120 });
    expect(parseCoremlCoverage('2026 [W:onnxruntime:, something else]')).toBeNull();
  });

  it('says CoreML runs all, part or none of the graph', () => {
    expect(describeCoverage(parseCoremlCoverage(line(120)))).toEqual({ provider: 'coreml', note: 'all 120 nodes on CoreML' });
    expect(describeCoverage({ partitions: 3, nodes: 120, supportedNodes: 100 })).toEqual({
      provider: 'coreml',
      note: 'CoreML took 100 of 120 nodes in 3 partitions, the rest runs on CPU',
    });
    expect(describeCoverage(parseCoremlCoverage(line(0)))).toEqual({ provider: 'cpu', note: 'CoreML took none of the graph, so it runs on CPU' });
    expect(describeCoverage(null).provider).toBe('coreml');
  });
});
