/**
 * Reading blurcam's JSON config file, shared by the option loader (src/config.ts) and `configure-obs`, which
 * stores the OBS password in the same file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { BlurcamError, describeError } from './errors.js';

/** The file's top-level object as written, or undefined when there is no file. Bad JSON or a non-object is an error. */
export function readConfigObject(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new BlurcamError(
      'BAD_CONFIG_FILE',
      `Config file ${path} is not valid JSON: ${describeError(error)}`,
      'Fix the file, or delete it to go back to the defaults.',
      { cause: error },
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new BlurcamError('BAD_CONFIG_FILE', `Config file ${path} must hold a JSON object.`, 'Write it as {"option": value, ...}.');
  }
  return parsed as Record<string, unknown>;
}
