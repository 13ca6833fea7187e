/**
 * `blurcam doctor` walks the chain from this machine to the Virtual Camera one link at a time. Each link is a
 * small check that answers ok, problem (with the fix) or skipped (an earlier link failed, or the options do not
 * use it). Checks share what they learnt through the DoctorContext (the OBS connection, the frame size).
 */
import type { ObsConnection } from '../control/obs-connection.js';
import { BlurcamError, describeError } from '../errors.js';

export type LinkStatus = 'ok' | 'problem' | 'skipped';

export interface LinkResult {
  /** Short stable name of the link, e.g. "obs-websocket". */
  link: string;
  status: LinkStatus;
  message: string;
  /** What to do about a problem (or why a link was skipped); absent when ok. */
  fix?: string;
}

export interface DoctorOptions {
  /** 'camera', 'demo' or a video file, as `start --input`. */
  input: string;
  camera: number;
  width: number;
  height: number;
  fps: number;
  device: string;
  model: string;
  url: string;
  password?: string;
  /** OBS's settings folder. */
  obsConfigDir: string;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
}

export interface DoctorContext {
  readonly options: DoctorOptions;
  /** The frames' size, once the input was opened (else the requested size). */
  frameSize: { width: number; height: number };
  /** The OBS executable and version, when OBS is installed. */
  obsExecutable?: string;
  obsVersion?: string;
  /** An identified websocket connection, once the password was accepted. */
  obs?: ObsConnection;
  /** Whether the running OBS registered our source kind. */
  pluginLoaded?: boolean;
}

export interface Check {
  link: string;
  run(context: DoctorContext): Promise<Omit<LinkResult, 'link'>>;
}

export const ok = (message: string): Omit<LinkResult, 'link'> => ({ status: 'ok', message });
export const problem = (message: string, fix: string): Omit<LinkResult, 'link'> => ({ status: 'problem', message, fix });
export const skipped = (message: string, fix?: string): Omit<LinkResult, 'link'> => ({ status: 'skipped', message, ...(fix ? { fix } : {}) });

/** A BlurcamError as a problem (its message and hint); anything else as a problem with a generic fix. */
export function problemFrom(error: unknown, fallbackFix: string): Omit<LinkResult, 'link'> {
  if (error instanceof BlurcamError) return problem(error.message, error.hint);
  return problem(describeError(error), fallbackFix);
}

/** Runs the checks in order; a check that throws is reported as a problem, never as a crash of the doctor. */
export async function runChecks(checks: Check[], context: DoctorContext, onResult?: (result: LinkResult) => void): Promise<LinkResult[]> {
  const results: LinkResult[] = [];
  for (const check of checks) {
    let outcome: Omit<LinkResult, 'link'>;
    try {
      outcome = await check.run(context);
    } catch (error) {
      outcome = problemFrom(error, 'Run the command again; if it persists, report it with this message.');
    }
    const result = { link: check.link, ...outcome };
    results.push(result);
    onResult?.(result);
  }
  return results;
}
