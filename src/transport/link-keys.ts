/**
 * The keys that authenticate the frame link over tcp (ZeroMQ CURVE, docs/bridge.md#security): the plugin's
 * key pair (CURVE server) and blurcam's (CURVE client), in one file, `frame-link-keys`, in blurcam's private
 * settings folder. Whichever side starts first writes it (folder 0700, file 0600); both then read the same
 * file. obs/src/blurcam-link-keys.c is the plugin's side and must agree (test/integration/plugin-protocol.test.ts).
 */
import { closeSync, constants, fstatSync, linkSync, lstatSync, mkdirSync, openSync, readSync, unlinkSync, writeSync, fsyncSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { curveKeyPair } from 'zeromq';
import { configDir } from '../config-file.js';
import { BlurcamError, describeError } from '../errors.js';

export const LINK_KEYS_FILE_NAME = 'frame-link-keys';
/** Far more than the four lines the file holds: a larger file is not ours. */
const MAX_FILE_SIZE = 4096;
const KEY_NAMES = ['server-public', 'server-secret', 'client-public', 'client-secret'] as const;
const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

/** Z85 text of the two CURVE key pairs. */
export interface LinkKeys {
  serverPublic: string;
  serverSecret: string;
  clientPublic: string;
  clientSecret: string;
}

function keysError(dir: string, reason: string, cause?: unknown): BlurcamError {
  return new BlurcamError(
    'FRAME_LINK_KEYS',
    `Cannot use the frame link keys in ${dir}: ${reason}.`,
    `Delete ${join(dir, LINK_KEYS_FILE_NAME)}, make sure ${dir} is your own folder, then restart OBS and blurcam (new keys are made on the next start).`,
    { cause },
  );
}

/** Creates the folder (and missing parents) 0700; an existing one must be this user's, and is made private. */
function prepareDir(dir: string, uid: number): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw keysError(dir, `the folder could not be created (${describeError(error)})`, error);
  }
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid) throw keysError(dir, 'the folder is not a folder of yours');
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Writes fresh keys under a temporary name, then links it to the real name: a link never replaces a file, so
 * when blurcam and the plugin start at the same moment one wins and both read the winner's keys.
 */
function createKeys(dir: string, path: string): void {
  const server = curveKeyPair();
  const client = curveKeyPair();
  const values = [server.publicKey, server.secretKey, client.publicKey, client.secretKey];
  const text =
    '# blurcam frame link keys (ZeroMQ CURVE, Z85). Private: whoever reads this file can send frames into OBS.\n' +
    KEY_NAMES.map((name, index) => `${name} ${values[index]}\n`).join('');
  const temporary = join(dir, `.${LINK_KEYS_FILE_NAME}.${process.pid}.tmp`);
  try {
    unlinkSync(temporary);
  } catch {
    // Usually absent.
  }
  try {
    const fd = openSync(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(temporary, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  } catch (error) {
    throw keysError(dir, `the key file could not be written (${describeError(error)})`, error);
  } finally {
    try {
      unlinkSync(temporary);
    } catch {
      // Already gone.
    }
  }
}

function parseKeys(text: string): LinkKeys | undefined {
  const found = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const [name, value, ...rest] = line.split(' ');
    if (value === undefined || rest.length > 0) return undefined;
    if ((KEY_NAMES as readonly string[]).includes(name)) {
      if (!Z85_KEY.test(value)) return undefined;
      found.set(name, value);
    }
  }
  const [serverPublic, serverSecret, clientPublic, clientSecret] = KEY_NAMES.map((name) => found.get(name));
  if (!serverPublic || !serverSecret || !clientPublic || !clientSecret) return undefined;
  return { serverPublic, serverSecret, clientPublic, clientSecret };
}

function readKeys(dir: string, path: string, uid: number): LinkKeys {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw keysError(dir, code === 'ELOOP' ? 'the key file is a symbolic link' : `the key file could not be read (${describeError(error)})`, error);
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw keysError(dir, 'the key file is not a regular file');
    if (info.uid !== uid) throw keysError(dir, 'the key file belongs to another user');
    if ((info.mode & 0o077) !== 0) throw keysError(dir, 'the key file can be read or written by other users');
    if (info.size <= 0 || info.size > MAX_FILE_SIZE) throw keysError(dir, 'the key file has the wrong size');
    const buffer = Buffer.alloc(info.size);
    const length = readSync(fd, buffer, 0, info.size, 0);
    const keys = length === info.size ? parseKeys(buffer.toString('latin1')) : undefined;
    if (!keys) throw keysError(dir, 'the key file is damaged');
    return keys;
  } finally {
    closeSync(fd);
  }
}

/**
 * The frame link keys from `dir` (blurcam's settings folder by default), made there first when there are none.
 * Throws FRAME_LINK_KEYS when the folder or the file is not private to this user; an existing file is never
 * overwritten or loosened.
 */
export function loadLinkKeys(dir = configDir(), uid = process.getuid?.() ?? 0): LinkKeys {
  prepareDir(dir, uid);
  const path = join(dir, LINK_KEYS_FILE_NAME);
  try {
    lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw keysError(dir, `the key file could not be read (${describeError(error)})`, error);
    createKeys(dir, path);
  }
  return readKeys(dir, path, uid);
}
