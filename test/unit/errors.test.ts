import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BlurcamError, describeError, isBlurcamError } from '../../src/errors.js';

const source = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8');
const codes = [...source.matchAll(/^\s*\| '([A-Z_]+)'/gm)].map((match) => match[1]);

describe('error codes', () => {
  it('are read from src/errors.ts', () => {
    expect(codes.length).toBeGreaterThan(20);
    expect(codes).toContain('OBS_AUTH_FAILED');
  });

  it('each have a section in docs/troubleshooting.md', () => {
    const doc = readFileSync(new URL('../../docs/troubleshooting.md', import.meta.url), 'utf8');
    const missing = codes.filter((code) => !doc.includes(`## ${code}\n`));
    expect(missing).toEqual([]);
  });

  it('are each raised somewhere in src/', async () => {
    const { execFileSync } = await import('node:child_process');
    const unused = codes.filter((code) => {
      try {
        execFileSync('grep', ['-rlq', `'${code}'`, '--include=*.ts', '--exclude=errors.ts', 'src'], { cwd: new URL('../..', import.meta.url) });
        return false;
      } catch {
        return true;
      }
    });
    expect(unused).toEqual([]);
  });
});

describe('BlurcamError', () => {
  it('carries code, message, hint and cause', () => {
    const cause = new Error('ECONNREFUSED');
    const error = new BlurcamError('OBS_UNREACHABLE', 'OBS does not answer.', 'Start OBS.', { cause });
    expect(isBlurcamError(error, 'OBS_UNREACHABLE')).toBe(true);
    expect(isBlurcamError(error, 'OBS_AUTH_FAILED')).toBe(false);
    expect(error.hint).toBe('Start OBS.');
    expect(error.cause).toBe(cause);
    expect(describeError(error)).toBe('OBS does not answer.');
    expect(describeError('plain')).toBe('plain');
  });
});
