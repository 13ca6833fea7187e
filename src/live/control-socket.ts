/**
 * The running blurcam answers `blurcam status` and `blurcam stop` on a unix socket in the user's private runtime
 * folder (the folder of the default frame endpoint: 0700 and the user's own, see src/transport/endpoint.ts), the
 * socket itself 0600. Only this user (and root) can reach it, and a client talks only to a socket this user owns.
 * It also keeps blurcam to one at a time: a second `start` finds the first one's socket answering and stops.
 *
 * One request per connection, one JSON line each way: {"command": "status"} or {"command": "stop"}.
 */
import { chmodSync, existsSync, lstatSync, unlinkSync } from 'node:fs';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { join } from 'node:path';
import { BlurcamError, describeError } from '../errors.js';
import { type EndpointContext, privateRuntimeDir } from '../transport/endpoint.js';

const SOCKET_NAME = 'control.sock';
/** A request or answer larger than this is not one of ours. */
const MAX_MESSAGE_BYTES = 64 * 1024;
const CLIENT_TIMEOUT_MS = 3_000;

/** What `blurcam status` shows. */
export interface RunningStatus {
  pid: number;
  startedAt: string;
  input: string;
  effect: string;
  /** 'live', 'paused' or 'slate' (src/pipeline/pipeline.ts). */
  mode: string;
  /** Over the last second. */
  fpsIn: number;
  fpsOut: number;
  /** Since start. */
  framesIn: number;
  framesOut: number;
  dropped: number;
  /** Frames segmented since start: stops growing while paused. */
  segmented: number;
  provider: string;
  /** The output's state (OBS's link and counts, or a file). */
  output: string;
  liveScene?: { name: string; showsBlurcam: boolean };
}

export interface ControlHandlers {
  status(): RunningStatus;
  /** Asks for an ordered stop; the server answers before the process ends. */
  stop(): void;
}

export function controlSocketPath(context: EndpointContext = {}): string {
  return join(privateRuntimeDir(context), SOCKET_NAME);
}

/** The control socket of a running blurcam; close() removes it. */
export class ControlServer {
  private constructor(
    private readonly server: Server,
    readonly path: string,
  ) {}

  /**
   * Listens at `path` (default: controlSocketPath()). Throws ALREADY_RUNNING when a blurcam answers there; a socket
   * file nobody answers on is left from a crash, and is replaced.
   */
  static async open(handlers: ControlHandlers, path = controlSocketPath()): Promise<ControlServer> {
    if (existsSync(path)) {
      const running = await request(path, 'status').catch(() => undefined);
      if (running) throw alreadyRunning(running as RunningStatus);
      unlinkSync(path);
    }
    const server = createServer((socket) => serve(socket, handlers));
    // The umask keeps the socket private from its first moment; chmod makes sure.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // Another blurcam started at the same moment and won.
      if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') throw alreadyRunning(undefined);
      throw error;
    } finally {
      process.umask(umask);
    }
    chmodSync(path, 0o600);
    return new ControlServer(server, path);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function alreadyRunning(status: RunningStatus | undefined): BlurcamError {
  const which = status ? ` (pid ${status.pid}, started ${status.startedAt}, effect ${status.effect})` : '';
  return new BlurcamError(
    'ALREADY_RUNNING',
    `blurcam is already running${which}; two would fight over the camera.`,
    'See what it does with "blurcam status", or stop it with "blurcam stop" first.',
  );
}

function serve(socket: Socket, handlers: ControlHandlers): void {
  let received = '';
  socket.setEncoding('utf8');
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: string) => {
    received += chunk;
    if (received.length > MAX_MESSAGE_BYTES) return socket.destroy();
    const end = received.indexOf('\n');
    if (end < 0) return;
    socket.end(`${JSON.stringify(answer(received.slice(0, end), handlers))}\n`);
  });
}

function answer(line: string, handlers: ControlHandlers): unknown {
  let command: unknown;
  try {
    command = (JSON.parse(line) as { command?: unknown }).command;
  } catch {
    return { error: 'not JSON' };
  }
  if (command === 'status') return handlers.status();
  if (command === 'stop') {
    // After the answer is on its way: the stop closes this server.
    setImmediate(() => handlers.stop());
    return { stopping: true };
  }
  return { error: `unknown command ${JSON.stringify(command)}` };
}

/** Sends one command to the running blurcam and returns its answer. Throws NOT_RUNNING when none answers. */
export async function request(path: string, command: 'status' | 'stop'): Promise<unknown> {
  const notRunning = (why: string) =>
    new BlurcamError('NOT_RUNNING', `No blurcam is running for this user (${why}).`, 'Start one with "blurcam start".');
  let owner: number;
  try {
    const info = lstatSync(path);
    if (!info.isSocket()) throw notRunning(`${path} is not a socket`);
    owner = info.uid;
  } catch (error) {
    if (error instanceof BlurcamError) throw error;
    throw notRunning(`no control socket at ${path}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && owner !== uid) {
    throw new BlurcamError('NOT_RUNNING', `The control socket ${path} belongs to another user; blurcam does not talk to it.`, `Remove ${path}, then start blurcam again.`);
  }
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let received = '';
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${CLIENT_TIMEOUT_MS} ms`)), CLIENT_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify({ command })}\n`));
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_MESSAGE_BYTES) socket.destroy(new Error('answer too long'));
    });
    socket.on('error', (error) => {
      clearTimeout(timer);
      reject(notRunning(`${path} does not answer: ${describeError(error)}`));
    });
    socket.on('end', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(received));
      } catch {
        reject(notRunning(`${path} gave an answer that is not blurcam's`));
      }
    });
  });
}
