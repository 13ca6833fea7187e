/**
 * `npm run bench:ratios`: the speed targets of docs/segmentation.md ("Speed") measured the way they are set: the
 * read-and-convert floor (`floor.py`), the article's loop (`seed_baseline.py --arch lraspp`) and `blurcam bench`
 * on the same clip, one right after the other, so that all three see the same moment of a shared, noisy machine.
 * Each build runs twice a round, in turn and then in reverse (A B B A), between a floor run before and one after.
 * Prints every run and the two ratios: the article's frame over blurcam's (target: 10 or more) and blurcam's
 * frame over the floor's (the mean of the round's two floor runs; target: 4 or less). Several builds (each a
 * dist/cli.js) compare changes in one sitting; a single run moves by half a millisecond or more here, so compare
 * medians over rounds, never two runs.
 *
 * The two Python scripts live in ../shared/bench (never copied into the repo) and need Debian's python3-torch,
 * python3-torchvision and python3-opencv; the clip comes from that folder's make-clip.sh.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BlurcamError } from '../errors.js';
import { runCommand } from './run-command.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = '/usr/bin/python3';

export const TARGETS = { articleOverBlurcam: 10, blurcamOverFloor: 4 } as const;

export interface RatiosOptions {
  /** The folder holding floor.py, seed_baseline.py and make-clip.sh. */
  benchDir: string;
  clip: string;
  rounds: number;
  /** Frames `blurcam bench` measures a run. */
  frames: number;
  /** Frames the article's loop measures a run (about 80 ms each here). */
  articleFrames: number;
  /** Each build's cli.js. */
  builds: string[];
}

export interface RoundResult {
  /** p50 ms of the floor run before the builds and of the one after. */
  floor: [number, number];
  /** p50 ms of the article's loop. */
  article: number;
  /** Per build (in the order given), the p50 ms of its two runs. */
  builds: number[][];
}

export interface BuildSummary {
  build: string;
  runs: number;
  articleOverBlurcam: RangeSummary;
  blurcamOverFloor: RangeSummary;
}

export interface RangeSummary {
  min: number;
  median: number;
  max: number;
  /** Runs that meet the target. */
  meeting: number;
}

/** The floor a round's runs are divided by: the mean of its floor run before the builds and the one after. */
function floorOf(round: RoundResult): number {
  return (round.floor[0] + round.floor[1]) / 2;
}

/** The ratios of every run, per build, with how many runs meet each target. */
export function summarizeRatios(builds: string[], rounds: RoundResult[]): BuildSummary[] {
  return builds.map((build, index) => {
    const articleOverBlurcam: number[] = [];
    const blurcamOverFloor: number[] = [];
    for (const round of rounds) {
      const floor = floorOf(round);
      for (const p50 of round.builds[index]) {
        articleOverBlurcam.push(round.article / p50);
        blurcamOverFloor.push(p50 / floor);
      }
    }
    return {
      build,
      runs: articleOverBlurcam.length,
      articleOverBlurcam: { ...spread(articleOverBlurcam), meeting: articleOverBlurcam.filter((r) => r >= TARGETS.articleOverBlurcam).length },
      blurcamOverFloor: { ...spread(blurcamOverFloor), meeting: blurcamOverFloor.filter((r) => r <= TARGETS.blurcamOverFloor).length },
    };
  });
}

function spread(values: number[]): Omit<RangeSummary, 'meeting'> {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1] };
}

/** Refuses, with the fix, what would only fail later: a missing script folder, clip or build. */
export function checkRatiosInputs(options: RatiosOptions): void {
  for (const script of ['floor.py', 'seed_baseline.py']) {
    if (!existsSync(join(options.benchDir, script))) {
      throw new BlurcamError(
        'PATH_NOT_FOUND',
        `--bench ${options.benchDir}: no ${script} there.`,
        'Point --bench at the folder with floor.py and seed_baseline.py (../shared/bench beside the repository).',
      );
    }
  }
  if (!existsSync(options.clip)) {
    throw new BlurcamError(
      'PATH_NOT_FOUND',
      `--clip ${options.clip}: no such file.`,
      `Make it first: sh ${join(options.benchDir, 'make-clip.sh')} ${options.clip}`,
    );
  }
  for (const build of options.builds) {
    if (!existsSync(build)) {
      throw new BlurcamError('PATH_NOT_FOUND', `--build ${build}: no such file.`, 'Give the cli.js of a built checkout (npm run build writes dist/cli.js).');
    }
  }
  if (!(Number.isInteger(options.rounds) && options.rounds >= 1)) {
    throw new BlurcamError('BAD_OPTION', `--rounds ${options.rounds}: not a whole number of rounds.`, 'Use --rounds 3 or more.');
  }
}

/** Runs a JSON-printing benchmark and reads one p50 from its last line. */
async function p50Of(command: string, args: string[], read: (result: Record<string, unknown>) => unknown): Promise<number> {
  const { code, stdout, stderr } = await runCommand(command, args);
  const lastLine = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`${[command, ...args].join(' ')} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`);
  const value = read(JSON.parse(lastLine) as Record<string, unknown>);
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`${[command, ...args].join(' ')} printed no p50: ${lastLine}`);
  return value;
}

function floorRun(options: RatiosOptions): Promise<number> {
  return p50Of(PYTHON, [join(options.benchDir, 'floor.py'), options.clip, '--json'], (r) => r.total_ms_p50);
}

function articleRun(options: RatiosOptions): Promise<number> {
  const args = [join(options.benchDir, 'seed_baseline.py'), options.clip, '--arch', 'lraspp', '--frames', String(options.articleFrames), '--json'];
  return p50Of(PYTHON, args, (r) => r.total_ms_p50);
}

function blurcamRun(options: RatiosOptions, build: string): Promise<number> {
  const args = [build, 'bench', '--input', options.clip, '--frames', String(options.frames), '--json'];
  return p50Of(process.execPath, args, (r) => (r.total as { p50_ms?: unknown } | undefined)?.p50_ms);
}

/** One round: floor, article, each build in turn and again in reverse, floor. */
async function measureRound(options: RatiosOptions): Promise<RoundResult> {
  const before = await floorRun(options);
  const article = await articleRun(options);
  const builds = options.builds.map((): number[] => []);
  for (const index of options.builds.keys()) builds[index].push(await blurcamRun(options, options.builds[index]));
  for (const index of [...options.builds.keys()].reverse()) builds[index].push(await blurcamRun(options, options.builds[index]));
  const after = await floorRun(options);
  return { floor: [before, after], article, builds };
}

export async function measureRatios(options: RatiosOptions, onRound?: (round: RoundResult, index: number) => void): Promise<RoundResult[]> {
  checkRatiosInputs(options);
  const rounds: RoundResult[] = [];
  for (let index = 0; index < options.rounds; index++) {
    const round = await measureRound(options);
    rounds.push(round);
    onRound?.(round, index);
  }
  return rounds;
}

function buildName(build: string): string {
  return relative(process.cwd(), build) || build;
}

export function formatRound(builds: string[], round: RoundResult, index: number): string {
  const floor = floorOf(round);
  const lines = [`round ${index + 1}: floor ${round.floor[0].toFixed(2)} / ${round.floor[1].toFixed(2)} ms, article ${round.article.toFixed(1)} ms`];
  for (const [i, build] of builds.entries()) {
    const runs = round.builds[i];
    lines.push(
      `  ${buildName(build)}: ${runs.map((p50) => p50.toFixed(2)).join(', ')} ms` +
        `  (article/blurcam ${runs.map((p50) => `${(round.article / p50).toFixed(2)}x`).join(', ')};` +
        ` blurcam/floor ${runs.map((p50) => `${(p50 / floor).toFixed(2)}x`).join(', ')})`,
    );
  }
  return lines.join('\n');
}

export function formatSummary(summaries: BuildSummary[]): string {
  return summaries
    .map(({ build, runs, articleOverBlurcam: a, blurcamOverFloor: f }) =>
      [
        `${buildName(build)}: article/blurcam ${a.min.toFixed(1)}-${a.max.toFixed(1)}x, median ${a.median.toFixed(2)}x, ${TARGETS.articleOverBlurcam}x or more in ${a.meeting} of ${runs} runs;`,
        `  blurcam/floor ${f.min.toFixed(2)}-${f.max.toFixed(2)}x, median ${f.median.toFixed(2)}x, ${TARGETS.blurcamOverFloor}x or less in ${f.meeting} of ${runs} runs`,
      ].join('\n'),
    )
    .join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      bench: { type: 'string', default: resolve(REPO, '..', 'shared', 'bench') },
      clip: { type: 'string', default: join(tmpdir(), 'person720.mp4') },
      rounds: { type: 'string', default: '3' },
      frames: { type: 'string', default: '300' },
      'article-frames': { type: 'string', default: '100' },
      build: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
  });
  const options: RatiosOptions = {
    benchDir: resolve(values.bench ?? ''),
    clip: resolve(values.clip ?? ''),
    rounds: Number(values.rounds),
    frames: Number(values.frames),
    articleFrames: Number(values['article-frames']),
    builds: (values.build ?? [join(REPO, 'dist', 'cli.js')]).map((build) => resolve(build)),
  };
  try {
    const rounds = await measureRatios(options, values.json ? undefined : (round, index) => process.stdout.write(`${formatRound(options.builds, round, index)}\n`));
    const summaries = summarizeRatios(options.builds, rounds);
    process.stdout.write(values.json ? `${JSON.stringify({ rounds, summaries }, null, 2)}\n` : `${formatSummary(summaries)}\n`);
  } catch (error) {
    if (!(error instanceof BlurcamError)) throw error;
    process.stderr.write(`bench:ratios: ${error.message}\n${error.hint}\n`);
    process.exitCode = 2;
  }
}
