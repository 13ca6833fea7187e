import { describe, expect, it } from 'vitest';
import { resolveModelFile } from '../../../src/segment/model-files.js';

describe('resolveModelFile', () => {
  const dir = '/models';

  it('uses the square model for photos', () => {
    expect(resolveModelFile('auto', 'photo', undefined, dir)).toEqual({ name: 'selfie', path: '/models/selfie-square.onnx', bundled: true });
  });

  it('picks the model whose shape fits the video frame', () => {
    expect(resolveModelFile('auto', 'video', { width: 1280, height: 720 }, dir).name).toBe('selfie-landscape');
    expect(resolveModelFile('auto', 'video', { width: 640, height: 480 }, dir).name).toBe('selfie-landscape');
    expect(resolveModelFile('auto', 'video', { width: 720, height: 720 }, dir).name).toBe('selfie');
    expect(resolveModelFile('auto', 'video', { width: 720, height: 1280 }, dir).name).toBe('selfie');
    expect(resolveModelFile('auto', 'video', undefined, dir).name).toBe('selfie-landscape');
  });

  it('takes bundled names and paths', () => {
    expect(resolveModelFile('selfie-landscape', 'photo', undefined, dir)).toEqual({
      name: 'selfie-landscape',
      path: '/models/selfie-landscape.onnx',
      bundled: true,
    });
    expect(resolveModelFile('/tmp/lraspp.onnx', 'video', undefined, dir)).toEqual({ name: 'lraspp.onnx', path: '/tmp/lraspp.onnx', bundled: false });
  });
});
