import { chmodSync, constants, copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';

/** Files written and backups made by one change; both empty when nothing needed changing. */
export interface ConfigChange {
  changed: string[];
  backups: string[];
}

export interface ReplaceFileOptions {
  /** The file holds a password: only its owner may read it (the file and its backup: mode 0600). */
  secret: boolean;
  /** Names the backup (`PATH.blurcam-backup-<time>`). */
  now?: Date;
}

/** Backups kept per settings file: each change makes one, and the oldest beyond these are deleted. */
export const BACKUPS_KEPT = 5;

/**
 * Writes a settings file that may belong to the user: nothing happens when the text is unchanged; an
 * existing file is first copied to a backup (the newest BACKUPS_KEPT are kept); the new text is swapped in by
 * rename, so a reader (OBS) never sees a half-written file.
 */
export function replaceFile(path: string, before: string | undefined, after: string, options: ReplaceFileOptions): ConfigChange {
  if (before === after) return { changed: [], backups: [] };
  const mode = options.secret ? 0o600 : 0o644;
  const backups: string[] = [];
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (before !== undefined) {
      const backup = freeBackupName(path, options.now ?? new Date());
      copyFileSync(path, backup, constants.COPYFILE_EXCL);
      // Whatever the original's mode, a backup may hold a password.
      chmodSync(backup, 0o600);
      backups.push(backup);
    }
    const temporary = `${path}.blurcam-new`;
    // flush: on disk before the rename, so a power cut leaves the old file or the new one, never an empty one.
    writeFileSync(temporary, after, { mode, flush: true });
    // writeFileSync's mode is filtered by the umask and ignored for an existing file.
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  } catch (error) {
    throw new BlurcamError(
      'OUTPUT_UNWRITABLE',
      `Could not write the settings file ${path}: ${describeError(error)}`,
      `Check that you own ${dirname(path)} and that the disk is not full.`,
      { cause: error },
    );
  }
  if (backups.length > 0) pruneBackups(path);
  return { changed: [path], backups };
}

const BACKUP_MARK = '.blurcam-backup-';

/** PATH.blurcam-backup-<ISO time>, with -1, -2... when two changes fall in the same millisecond. */
function freeBackupName(path: string, now: Date): string {
  const stamped = `${path}${BACKUP_MARK}${now.toISOString().replace(/[:.]/g, '-')}`;
  let candidate = stamped;
  for (let n = 1; existsSync(candidate); n++) candidate = `${stamped}-${n}`;
  return candidate;
}

/** Deletes all but the newest BACKUPS_KEPT backups of `path` (names sort by their time). */
function pruneBackups(path: string): void {
  const folder = dirname(path);
  const prefix = `${basename(path)}${BACKUP_MARK}`;
  const backups = readdirSync(folder)
    .filter((name) => name.startsWith(prefix))
    .sort(byBackupTime);
  for (const old of backups.slice(0, -BACKUPS_KEPT)) {
    try {
      rmSync(join(folder, old), { force: true });
    } catch {
      // The change itself is done: an old backup that cannot be deleted stays, rather than fail a good write.
    }
  }
}

/** Oldest first: by the time in the name, then by the -N added to a name already taken. */
function byBackupTime(a: string, b: string): number {
  const [timeA, nA] = splitCounter(a);
  const [timeB, nB] = splitCounter(b);
  return timeA < timeB ? -1 : timeA > timeB ? 1 : nA - nB;
}

function splitCounter(name: string): [string, number] {
  const match = /^(.*Z)(?:-(\d+))?$/.exec(name);
  return match ? [match[1], Number(match[2] ?? 0)] : [name, 0];
}
