/**
 * The CI workflows cannot run on the development machine (GitHub runs them), so each is checked here against
 * GitHub's workflow schema with action-validator (a devDependency; no network), and for the commands the docs
 * say the jobs run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoDir = resolve(import.meta.dirname, '..', '..');
const workflowsDir = join(repoDir, '.github', 'workflows');
const validator = join(repoDir, 'node_modules', '.bin', 'action-validator');
const workflows = readdirSync(workflowsDir).filter((name) => /\.ya?ml$/.test(name));

function validate(path: string): { status: number | null; output: string } {
  const result = spawnSync(validator, [path], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, output: result.stdout + result.stderr };
}

describe('.github/workflows', () => {
  it.each(workflows)('%s follows GitHub\'s workflow schema', (file) => {
    expect(validate(join(workflowsDir, file))).toEqual({ status: 0, output: '' });
  });

  it('action-validator refuses a workflow with a misspelt key (so a pass means something)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'blurcam-workflow-'));
    try {
      const broken = join(dir, 'broken.yml');
      writeFileSync(broken, 'name: x\non: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    step:\n      - run: true\n');
      const result = validate(broken);
      expect(result.status).toBe(1);
      expect(result.output).toContain("Additional property 'step' is not allowed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run .ci/run on Debian 12 and the install script, tests and CoreML check on an Apple Silicon runner', () => {
    const ci = readFileSync(join(workflowsDir, 'ci.yml'), 'utf8');
    expect(ci).toMatch(/container: debian:12\n[\s\S]*run: bash \.ci\/run\n/);
    expect(ci).toMatch(/runs-on: macos-(1[4-9]|[2-9]\d)\n/);
    expect(ci).toContain('run: scripts/install-obs.sh --yes\n');
    expect(ci).toContain('npx vitest run test/unit test/integration');
    expect(ci).toContain("executionProviders: [{ name: 'coreml', coreMlFlags: 0x010 }]");
  });
});
