import { describe, it } from 'vitest';
import { openPipeline, type PipelineArgs } from '../../../src/pipeline/open-pipeline.js';
import { expectFailure } from '../../support/expect-blurcam-error.js';

const ARGS: PipelineArgs = {
  input: 'demo',
  camera: 0,
  size: '320x240',
  fps: 30,
  effect: 'blur',
  'blur-strength': 0.5,
  output: 'null',
  model: 'auto',
  device: 'cpu',
  threshold: 0.5,
  softness: 0.1,
};

describe('openPipeline', () => {
  it('names the option and what is allowed before opening anything', async () => {
    const open = (changes: Partial<PipelineArgs>, maxFrames?: number) => () => openPipeline({ ...ARGS, ...changes }, { mode: 'live', maxFrames });
    await expectFailure(open({ fps: 500 }), 'BAD_OPTION', /--fps 500 is out of range/);
    await expectFailure(open({ camera: -1 }), 'BAD_OPTION', /--camera -1 is not a camera index/);
    await expectFailure(open({ camera: 1.5 }), 'BAD_OPTION', /--camera 1.5 is not a camera index/);
    await expectFailure(open({}, 0), 'BAD_OPTION', /--frames 0 is not a frame count/);
    await expectFailure(open({ size: '320' }), 'BAD_OPTION', /--size "320" is not a frame size/);
    await expectFailure(open({ 'blur-strength': -0.1 }), 'BAD_OPTION', /--blur-strength -0.1 is out of range/);
  });
});
