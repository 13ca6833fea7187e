/**
 * The ZeroMQ endpoint blurcam sends frames to and the OBS plugin listens on. Frames are camera images: they
 * must never leave the machine, so only ipc:// (a socket file in a private folder) and tcp:// on loopback
 * are accepted. obs/src/blurcam-endpoint.c applies the same rules on the plugin side;
 * test/integration/plugin-protocol.test.ts checks both agree.
 */
import { execFileSync } from 'node:child_process';
import { type Stats, chmodSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';

const IPC_PREFIX = 'ipc://';
const TCP_PREFIX = 'tcp://';
const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];
const DIR_NAME = 'blurcam';
const SOCKET_NAME = 'frames.sock';
const MAX_ENDPOINT_LENGTH = 511;
const HINT =
  'Use ipc:///absolute/path.sock or tcp://127.0.0.1:PORT (localhost and [::1] work too), or leave --endpoint out for the default.';

export interface EndpointContext {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  uid?: number;
  /** macOS: the per-user temporary folder, or undefined when it cannot be told. Default: darwinUserTempDir. */
  darwinTempDir?: () => string | undefined;
}

/** Longest socket path: sockaddr_un.sun_path minus its terminating NUL (108 bytes on Linux, 104 on macOS). */
function maxIpcPathLength(platform: NodeJS.Platform): number {
  return platform === 'linux' ? 107 : 103;
}

let cachedDarwinTempDir: { dir: string | undefined } | undefined;

/**
 * macOS's per-user temporary folder (/var/folders/.../T/), as confstr(_CS_DARWIN_USER_TEMP_DIR) names it in the
 * plugin. $TMPDIR is not used: an OBS started from the Dock may not have the terminal's. Asked once, then cached.
 */
export function darwinUserTempDir(): string | undefined {
  if (!cachedDarwinTempDir) {
    try {
      const output = execFileSync('/usr/bin/getconf', ['DARWIN_USER_TEMP_DIR'], { encoding: 'utf8', timeout: 5_000, stdio: ['ignore', 'pipe', 'ignore'] });
      cachedDarwinTempDir = { dir: output.trim() || undefined };
    } catch {
      // The plugin falls back to /tmp/blurcam-<uid> too when confstr fails, so both sides still agree.
      cachedDarwinTempDir = { dir: undefined };
    }
  }
  return cachedDarwinTempDir.dir;
}

/**
 * The default endpoint: ipc://$XDG_RUNTIME_DIR/blurcam/frames.sock on Linux, ipc://<per-user temporary
 * folder>/blurcam/frames.sock on macOS (both folders belong to the user), ipc:///tmp/blurcam-<uid>/frames.sock
 * when that folder cannot be told.
 */
export function defaultEndpoint({
  env = process.env,
  platform = process.platform,
  uid = process.getuid?.() ?? 0,
  darwinTempDir = darwinUserTempDir,
}: EndpointContext = {}): string {
  const runtimeDir = platform === 'darwin' ? darwinTempDir() : env.XDG_RUNTIME_DIR;
  if (runtimeDir?.startsWith('/')) {
    const trimmed = runtimeDir.replace(/\/+$/, '') || '/';
    return `${IPC_PREFIX}${trimmed}/${DIR_NAME}/${SOCKET_NAME}`;
  }
  return `${IPC_PREFIX}/tmp/${DIR_NAME}-${uid}/${SOCKET_NAME}`;
}

function invalid(endpoint: string, reason: string): BlurcamError {
  return new BlurcamError('ENDPOINT_INVALID', `Endpoint "${endpoint}" is refused: ${reason}.`, HINT);
}

/** Checks a user-given endpoint; returns it with localhost spelled 127.0.0.1, as the plugin binds it. */
export function validateEndpoint(endpoint: string, platform: NodeJS.Platform = process.platform): string {
  if (endpoint.length === 0 || endpoint.length > MAX_ENDPOINT_LENGTH) throw invalid(endpoint, 'it is empty or too long');
  if (endpoint.startsWith(TCP_PREFIX)) {
    const address = endpoint.slice(TCP_PREFIX.length);
    const host = LOOPBACK_HOSTS.find((candidate) => address.startsWith(`${candidate}:`));
    if (!host) throw invalid(endpoint, 'tcp endpoints must use 127.0.0.1, localhost or [::1] so frames stay on this machine');
    const port = address.slice(host.length + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
      throw invalid(endpoint, 'the tcp port must be a number from 1 to 65535');
    }
    return `${TCP_PREFIX}${host === 'localhost' ? '127.0.0.1' : host}:${port}`;
  }
  if (!endpoint.startsWith(IPC_PREFIX)) throw invalid(endpoint, 'only ipc:// and tcp:// (loopback) endpoints are allowed');
  const path = endpoint.slice(IPC_PREFIX.length);
  // Relative paths would differ between OBS and blurcam; abstract sockets (@name) have no permissions.
  if (!path.startsWith('/')) throw invalid(endpoint, 'ipc endpoints need an absolute path');
  if (Buffer.byteLength(path) > maxIpcPathLength(platform)) throw invalid(endpoint, 'the ipc socket path is too long for this system');
  return endpoint;
}

/**
 * Makes sure the folder of the default ipc endpoint exists, belongs to this user and is private (0700):
 * a folder someone else made could hold a socket that collects the camera frames.
 */
function preparePrivateDir(endpoint: string, uid: number): void {
  const dir = dirname(endpoint.slice(IPC_PREFIX.length));
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new BlurcamError('ENDPOINT_INVALID', `Cannot create the folder ${dir} for the frame endpoint: ${describeError(error)}`, HINT, {
        cause: error,
      });
    }
  }
  const info = lstatSync(dir);
  if (!info.isDirectory() || info.uid !== uid) {
    throw new BlurcamError(
      'ENDPOINT_INVALID',
      `The folder ${dir} of the frame endpoint is not a folder of yours.`,
      `Remove it (it may be left from another user or program), or choose another place with --endpoint.`,
    );
  }
  if ((info.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

function unsafe(endpoint: string, reason: string): BlurcamError {
  return new BlurcamError(
    'ENDPOINT_UNSAFE',
    `The frame endpoint ${endpoint} is not private: ${reason}.`,
    'Put the socket in a folder of your own that only you can write to (chmod 700), or leave --endpoint out for the default.',
  );
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * blurcam's private runtime folder (where the default endpoint's socket lives), created 0700 and checked to be
 * the user's own: the place for other local-only sockets, such as the control socket.
 */
export function privateRuntimeDir(context: EndpointContext = {}): string {
  const endpoint = defaultEndpoint(context);
  preparePrivateDir(endpoint, context.uid ?? process.getuid?.() ?? 0);
  return dirname(endpoint.slice(IPC_PREFIX.length));
}

/**
 * Checks an ipc endpoint the user chose, as the plugin does before binding it: the folder must exist, belong
 * to this user and be writable by no one else (or another user could put their own socket there and collect
 * the frames), and a socket file already there must be this user's. Throws ENDPOINT_UNSAFE.
 */
export function checkChosenIpcEndpoint(endpoint: string, uid = process.getuid?.() ?? 0): void {
  const path = endpoint.slice(IPC_PREFIX.length);
  const folder = lstatOrUndefined(dirname(path));
  if (!folder) throw unsafe(endpoint, `its folder ${dirname(path)} does not exist`);
  if (!folder.isDirectory() || folder.uid !== uid) throw unsafe(endpoint, `its folder ${dirname(path)} is not a folder of yours`);
  if ((folder.mode & 0o022) !== 0) throw unsafe(endpoint, `other users can write in its folder ${dirname(path)}`);
  const socket = lstatOrUndefined(path);
  if (socket && !socket.isSocket()) throw unsafe(endpoint, 'the path exists and is not a socket');
  if (socket && socket.uid !== uid) throw unsafe(endpoint, 'the socket file belongs to another user');
}

/**
 * The endpoint to use: the --endpoint option checked (a chosen ipc path must be private, see
 * checkChosenIpcEndpoint), or the default with its private folder ready. Throws ENDPOINT_INVALID or
 * ENDPOINT_UNSAFE.
 */
export function resolveEndpoint(option: string | undefined, context: EndpointContext = {}): string {
  const platform = context.platform ?? process.platform;
  const uid = context.uid ?? process.getuid?.() ?? 0;
  if (option !== undefined && option !== '') {
    const endpoint = validateEndpoint(option, platform);
    if (endpoint.startsWith(IPC_PREFIX)) checkChosenIpcEndpoint(endpoint, uid);
    return endpoint;
  }
  const endpoint = validateEndpoint(defaultEndpoint(context), platform);
  preparePrivateDir(endpoint, uid);
  return endpoint;
}
