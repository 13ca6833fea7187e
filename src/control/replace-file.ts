import { chmodSync, copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
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

/**
 * Writes a settings file that may belong to the user: nothing happens when the text is unchanged; an
 * existing file is first copied to a backup; the new text is swapped in by rename, so a reader (OBS) never
 * sees a half-written file.
 */
export function replaceFile(path: string, before: string | undefined, after: string, options: ReplaceFileOptions): ConfigChange {
  if (before === after) return { changed: [], backups: [] };
  const mode = options.secret ? 0o600 : 0o644;
  const backups: string[] = [];
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (before !== undefined) {
      const backup = `${path}.blurcam-backup-${(options.now ?? new Date()).toISOString().replace(/[:.]/g, '-')}`;
      copyFileSync(path, backup);
      // Whatever the original's mode, a backup may hold a password.
      chmodSync(backup, 0o600);
      backups.push(backup);
    }
    const temporary = `${path}.blurcam-new`;
    writeFileSync(temporary, after, { mode });
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
  return { changed: [path], backups };
}
