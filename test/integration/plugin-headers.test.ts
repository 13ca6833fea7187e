/**
 * scripts/fetch-obs-headers.sh's release-archive route (the one macOS uses), run here for real with git, curl
 * and tar against a local obs-studio-like repository served over file://: choosing the newest release tag not
 * newer than OBS, unpacking only the libobs headers, caching, and the one-line errors. Only reading
 * OBS.app's Info.plist (plutil) is left to a Mac. Also build-plugin.sh's check of BLURCAM_OBS_SOURCE_DIR.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoDir = resolve(import.meta.dirname, '..', '..');
const fetchScript = join(repoDir, 'scripts', 'fetch-obs-headers.sh');

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('fetch-obs-headers.sh --from github', () => {
  let workDir: string;
  let sourceUrl: string;
  let cacheHome: string;

  function git(args: string[], cwd: string): string {
    const result = spawnSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
    });
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  }

  function fetchHeaders(args: string[], env: NodeJS.ProcessEnv = {}): ScriptResult {
    const result = spawnSync(fetchScript, ['--from', 'github', ...args], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, BLURCAM_OBS_SOURCE_URL: sourceUrl, ...env },
      timeout: 60_000,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  /** Commits a libobs/ of the given API version (and, as a release archive does, files around it), then tags it. */
  function release(repo: string, tag: string, withHeaders = true): void {
    const [major, minor, patch] = tag.split(/[.-]/);
    rmSync(join(repo, 'libobs'), { recursive: true, force: true });
    mkdirSync(join(repo, 'libobs', 'util'), { recursive: true });
    if (withHeaders) {
      writeFileSync(join(repo, 'libobs', 'obs.h'), '#pragma once\n');
      writeFileSync(join(repo, 'libobs', 'obs-module.h'), '#pragma once\n');
      writeFileSync(
        join(repo, 'libobs', 'obs-config.h'),
        `#define LIBOBS_API_MAJOR_VER ${major}\n#define LIBOBS_API_MINOR_VER ${minor}\n#define LIBOBS_API_PATCH_VER ${patch}\n`,
      );
    }
    writeFileSync(join(repo, 'libobs', 'util', 'base.h'), '#pragma once\n');
    writeFileSync(join(repo, 'libobs', 'obs.c'), 'int obs;\n');
    writeFileSync(join(repo, 'README.md'), tag);
    git(['add', '-A', 'libobs', 'README.md'], repo);
    git(['commit', '-q', '-m', tag], repo);
    git(['tag', tag], repo);
    // The layout of GitHub's archives: one top folder named after the repository and tag.
    const archive = join(repo, 'archive', 'refs', 'tags', `${tag}.tar.gz`);
    git(['archive', '--format=tar.gz', `--prefix=obs-studio-${tag}/`, '-o', archive, tag], repo);
  }

  beforeAll(() => {
    workDir = mkdtempSync(join(tmpdir(), 'blurcam-obs-headers-'));
    const repo = join(workDir, 'obs-studio');
    mkdirSync(join(repo, 'archive', 'refs', 'tags'), { recursive: true });
    git(['init', '-q'], repo);
    writeFileSync(join(repo, '.gitignore'), 'archive/\n');
    for (const tag of ['30.0.0', '30.2.3', '31.0.0-beta1', '31.0.0']) release(repo, tag);
    release(repo, '31.1.0', false);
    sourceUrl = `file://${repo}`;
    cacheHome = join(workDir, 'cache');
  });

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it('takes the newest release not newer than OBS, and keeps only the libobs headers', () => {
    const result = fetchHeaders(['--obs-version', '30.2.5']);
    expect(result.stderr).toContain('Fetching the libobs headers of obs-studio 30.2.3 (for OBS 30.2.5)');
    const includeDir = result.stdout.trim();
    expect(result.code).toBe(0);
    expect(includeDir).toBe(join(cacheHome, 'blurcam', 'obs-headers', 'github-30.2.3', 'libobs'));
    expect(readdirSync(includeDir).sort()).toEqual(['obs-config.h', 'obs-module.h', 'obs.h', 'util']);
    expect(readdirSync(join(includeDir, 'util'))).toEqual(['base.h']);
    expect(existsSync(join(includeDir, '..', 'README.md'))).toBe(false);
  });

  it('skips betas and release candidates, and reads X.Y as X.Y.0', () => {
    expect(fetchHeaders(['--obs-version', '31.0.0']).stdout.trim()).toMatch(/github-31\.0\.0\/libobs$/);
    expect(fetchHeaders(['--obs-version', '30.1']).stdout.trim()).toMatch(/github-30\.0\.0\/libobs$/);
  });

  it('takes the release archive route when BLURCAM_OBS_VERSION names the version, as build-plugin.sh passes it', () => {
    const result = spawnSync(fetchScript, [], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: cacheHome, BLURCAM_OBS_SOURCE_URL: sourceUrl, BLURCAM_OBS_VERSION: '30.2.3' },
    });
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toMatch(/github-30\.2\.3\/libobs$/);
  });

  it('serves the exact release from the cache without the network', () => {
    expect(fetchHeaders(['--obs-version', '31.0.0']).code).toBe(0);
    const cached = fetchHeaders(['--obs-version', '31.0.0'], { BLURCAM_OBS_SOURCE_URL: 'file:///nonexistent/obs-studio' });
    expect(cached.code).toBe(0);
    expect(cached.stdout.trim()).toMatch(/github-31\.0\.0\/libobs$/);
    expect(cached.stderr).toBe('');
  });

  it('fails in one line of cause and one of fix', () => {
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['--obs-version', '29.1.0'], {}, /obs-studio has no release tag at or below 29\.1\.0\.\n {2}fix: /],
      [['--obs-version', 'thirty'], {}, /'thirty' is not an OBS version of the form X\.Y\.Z\.\n {2}fix: /],
      [['--obs-version', '31.1.2'], {}, /unpacked without libobs\/obs\.h\.\n {2}fix: /],
      [['--obs-version', '30.2.4'], { BLURCAM_OBS_SOURCE_URL: 'file:///nonexistent/obs-studio' }, /could not list obs-studio's release tags at file:\/\/\/nonexistent\/obs-studio\.\n {2}fix: /],
      [['--from', 'elsewhere'], {}, /--from must be debian or github, not 'elsewhere'\.\n {2}fix: see --help/],
    ];
    for (const [args, env, message] of cases) {
      const result = fetchHeaders(args, env);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(message);
    }
  });

  it('leaves no half-fetched folder behind after a failure', () => {
    fetchHeaders(['--obs-version', '31.1.2']);
    const entries = readdirSync(join(cacheHome, 'blurcam', 'obs-headers'));
    expect(entries.filter((name) => name.startsWith('.'))).toEqual([]);
    expect(entries).not.toContain('github-31.1.0');
  });
});

describe('build-plugin.sh', () => {
  it('refuses a BLURCAM_OBS_SOURCE_DIR without libobs headers, in one line of cause and one of fix', () => {
    const result = spawnSync(join(repoDir, 'scripts', 'build-plugin.sh'), [], {
      encoding: 'utf8',
      env: { ...process.env, BLURCAM_OBS_SOURCE_DIR: '/nonexistent/obs-studio' },
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^build-plugin\.sh: BLURCAM_OBS_SOURCE_DIR \(\/nonexistent\/obs-studio\) has no libobs\/obs-module\.h\.\n {2}fix: point it at an obs-studio source tree/m,
    );
  });
});
