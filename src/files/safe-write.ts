/**
 * How blurcam writes its outputs (masks, videos), so that no run can destroy a user's file:
 * - a file that already exists is replaced only when the user says so (--force);
 * - a file the same run reads is never written, not even with --force. Files are compared as files (device and
 *   inode), so another name for the same file counts: a symlink, a hard link, another spelling on a
 *   case-insensitive disk;
 * - a file appears under its name only when complete: it is written to a hidden temporary file in the same
 *   folder, flushed to disk, and then moved into place, so a crash leaves at most a `.NAME.blurcam-partial-*`
 *   file, never half a mask or half a video under the real name.
 */
import { randomBytes } from 'node:crypto';
import { link, lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';

export interface OutputRules {
  /** Replace files that already exist (--force). */
  force: boolean;
  /** The files this run reads; none of them may be written. */
  inputs: readonly string[];
  /** The option that named the outputs, for the messages (--out, --output). */
  option: string;
}

/** How many existing files an OUTPUT_EXISTS message names before it just counts the rest. */
const NAMED_IN_MESSAGE = 3;

/**
 * Checks, before any work starts, that writing `targets` follows the rules: throws OUTPUT_IS_INPUT when a target
 * is one of the inputs, OUTPUT_EXISTS when targets exist and `force` is off.
 */
export async function checkOutputs(targets: readonly string[], rules: OutputRules): Promise<void> {
  const inputsById = new Map<string, string>();
  for (const input of rules.inputs) {
    const id = await fileIdentity(input);
    if (id) inputsById.set(id, input);
  }
  const existing: string[] = [];
  for (const target of targets) {
    const id = await fileIdentity(target);
    const input = id && inputsById.get(id);
    if (input) {
      throw new BlurcamError(
        'OUTPUT_IS_INPUT',
        `${rules.option} would write ${target}, which is the input ${input}: writing it would destroy it.`,
        `Choose another ${rules.option} (--force never replaces an input).`,
      );
    }
    if (await exists(target)) existing.push(target);
  }
  if (existing.length === 0 || rules.force) return;
  const named = existing.slice(0, NAMED_IN_MESSAGE).join(', ');
  const more = existing.length > NAMED_IN_MESSAGE ? ` and ${existing.length - NAMED_IN_MESSAGE} more` : '';
  throw new BlurcamError(
    'OUTPUT_EXISTS',
    existing.length === 1 ? `${named} already exists; blurcam does not replace it.` : `${existing.length} files already exist (${named}${more}); blurcam does not replace them.`,
    `Choose another ${rules.option}, or add --force to replace ${existing.length === 1 ? 'it' : 'them'}.`,
  );
}

/** Writes `data` to `path` through a temporary file; without `force`, fails with OUTPUT_EXISTS if `path` appeared meanwhile. */
export async function writeFileSafely(path: string, data: Uint8Array, { force }: { force: boolean }): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(data);
    } finally {
      await file.close();
    }
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw unwritable(path, error);
  }
  try {
    await commitFile(temporary, path, { force });
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** A hidden name beside `path` that keeps its extension (a video writer picks the container from it). */
export function temporaryPathFor(path: string): string {
  const extension = extname(path);
  return join(dirname(path), `.${basename(path, extension)}.blurcam-partial-${randomBytes(4).toString('hex')}${extension}`);
}

/**
 * Moves a finished temporary file to `path` after flushing it to disk. Without `force` the move cannot replace a
 * file: a hard link fails when the name is taken, atomically. The temporary file is left in place on failure.
 */
export async function commitFile(temporary: string, path: string, { force }: { force: boolean }): Promise<void> {
  try {
    const file = await open(temporary, 'r');
    try {
      await file.sync();
    } finally {
      await file.close();
    }
    if (force) {
      await rename(temporary, path);
      return;
    }
    try {
      await link(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsNow(path);
      // Disks without hard links (FAT, exFAT, some network shares): check, then move (a narrow race, not an atomic one).
      if (await exists(path)) throw existsNow(path);
      await rename(temporary, path);
      return;
    }
    await unlink(temporary);
  } catch (error) {
    if (error instanceof BlurcamError) throw error;
    throw unwritable(path, error);
  }
}

/** Device and inode of the file at `path` (after symlinks), or undefined when there is none. */
async function fileIdentity(path: string): Promise<string | undefined> {
  try {
    const info = await stat(path);
    return `${info.dev}:${info.ino}`;
  } catch {
    return undefined;
  }
}

/** Anything under that name, a dangling symlink included. */
async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function existsNow(path: string): BlurcamError {
  return new BlurcamError('OUTPUT_EXISTS', `${path} appeared while blurcam was writing it; blurcam does not replace it.`, 'Run again with another output, or add --force to replace it.');
}

function unwritable(path: string, cause: unknown): BlurcamError {
  return new BlurcamError('OUTPUT_UNWRITABLE', `Cannot write ${path}: ${describeError(cause)}`, 'Choose a folder you can write to, on a disk with room.', { cause });
}
