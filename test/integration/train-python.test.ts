import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const TRAIN_DIR = fileURLToPath(new URL('../../train/', import.meta.url));
// Debian's python3-torch and friends work only with the system interpreter; on a Mac, point this at the venv.
const PYTHON = process.env.BLURCAM_TRAIN_PYTHON ?? '/usr/bin/python3';
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx, pytest'], { stdio: 'ignore' }).status === 0;

describe('train/ (Python, PyTorch on the CPU)', () => {
  // Linux machines (CI included) get PyTorch from scripts/install-obs.sh, so a missing one is a failure there.
  it.skipIf(process.platform === 'darwin' && !hasTorch)(
    'passes its own test suite: data checks, augmentation, a short training run, export, blurcam segment on the export',
    () => {
      const result = spawnSync(PYTHON, ['-m', 'pytest', 'tests', '-q', '-p', 'no:cacheprovider'], {
        cwd: TRAIN_DIR,
        encoding: 'utf8',
        env: { ...process.env, BLURCAM_TRAIN_REQUIRE_CLI: '1' },
        timeout: 300_000,
      });
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.error, output).toBeUndefined();
      expect(output).toMatch(/\b\d+ passed\b/);
      expect(output).not.toMatch(/\b\d+ (failed|skipped|errors?)\b/);
      expect(result.status, output).toBe(0);
    },
    330_000,
  );
});
