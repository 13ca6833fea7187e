import OBSWebSocket, { OBSWebSocketError, type OBSEventTypes, type OBSRequestTypes, type OBSResponseTypes } from 'obs-websocket-js';
import { BlurcamError, describeError } from '../errors.js';

/** obs-websocket's port unless the user changed it (OBS: Tools > WebSocket Server Settings). */
export const DEFAULT_OBS_PORT = 4455;
export const DEFAULT_OBS_URL = `ws://127.0.0.1:${DEFAULT_OBS_PORT}`;

export interface ObsConnectionOptions {
  /** obs-websocket address, e.g. ws://127.0.0.1:4455 (a ws:// or wss:// URL, checked where the user gives it). */
  url: string;
  /** Never logged or put in an error message. */
  password?: string;
  /** Limit for opening the socket and the obs-websocket handshake. */
  connectTimeoutMs?: number;
  /** Limit for one request's answer. */
  requestTimeoutMs?: number;
}

export interface ObsVersion {
  obsVersion: string;
  obsWebSocketVersion: string;
  rpcVersion: number;
  platform: string;
}

type ObsRequest = keyof OBSRequestTypes;
type ObsEvent = keyof OBSEventTypes;

const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/**
 * How long closing waits for OBS to answer the websocket's closing handshake before dropping the connection.
 * A frozen OBS never answers, and ws would wait 30 s; OBS itself answers in a few milliseconds.
 */
const CLOSE_TIMEOUT_MS = 1_000;

/** obs-websocket 5.0.0 (OBS 28) has all of these; an OBS without one of them is too old for blurcam. */
const REQUIRED_REQUESTS: readonly ObsRequest[] = [
  'GetInputKindList',
  'CreateScene',
  'CreateInput',
  'CreateSceneItem',
  'SetSceneItemTransform',
  'SetCurrentProgramScene',
  'GetSourceActive',
  'GetVirtualCamStatus',
  'StartVirtualCam',
];

/** The protocol's close codes (obs-websocket's WebSocketCloseCode) that blurcam explains. */
const CLOSE_AUTHENTICATION_FAILED = 4009;
const CLOSE_UNSUPPORTED_RPC_VERSION = 4010;

const HINT_START_OBS =
  'Start OBS (or add --launch-obs) and make sure its websocket server is on: run scripts/install-obs.sh with OBS closed, or OBS > Tools > WebSocket Server Settings.';
const HINT_UPDATE_OBS = 'Install OBS Studio 28 or newer (its obs-websocket 5 is built in): see docs/setup-linux.md or docs/setup-macos.md.';

/** One identified obs-websocket connection: typed requests with a deadline, events, and its end. */
export class ObsConnection {
  private readonly closed: Promise<OBSWebSocketError>;
  private isOpen = true;
  private versionInfo: ObsVersion = { obsVersion: '', obsWebSocketVersion: '', rpcVersion: 0, platform: '' };

  private constructor(
    private readonly socket: OBSWebSocket,
    readonly url: string,
    private readonly requestTimeoutMs: number,
  ) {
    this.closed = new Promise((resolve) => {
      socket.once('ConnectionClosed', (error) => {
        this.isOpen = false;
        resolve(error);
      });
    });
  }

  /** Connects, identifies and checks the OBS version. Throws BlurcamError (OBS_UNREACHABLE, OBS_AUTH_FAILED, OBS_TOO_OLD). */
  static async connect(options: ObsConnectionOptions): Promise<ObsConnection> {
    const socket = new OBSWebSocket();
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const handshake = socket.connect(options.url, options.password);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new HandshakeTimeout()), connectTimeoutMs);
    });
    try {
      await Promise.race([handshake, deadline]);
    } catch (error) {
      handshake.catch(() => undefined);
      await closeSocket(socket);
      throw connectError(error, options, connectTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
    const connection = new ObsConnection(socket, options.url, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
    try {
      const version = await connection.call('GetVersion');
      checkObsVersion(version);
      connection.versionInfo = pickVersion(version);
      return connection;
    } catch (error) {
      await connection.close();
      throw error;
    }
  }

  get version(): ObsVersion {
    return this.versionInfo;
  }

  get connected(): boolean {
    return this.isOpen;
  }

  /**
   * Sends one request. Throws OBS_REQUEST_FAILED when OBS refuses it (obsStatusCode() gives the protocol's
   * status code), OBS_UNREACHABLE when the connection ends or no answer comes in time.
   */
  async call<T extends ObsRequest>(type: T, data?: OBSRequestTypes[T], timeoutMs = this.requestTimeoutMs): Promise<OBSResponseTypes[T]> {
    if (!this.isOpen) throw lostConnection(this.url, type);
    let timer: NodeJS.Timeout | undefined;
    // obs-websocket-js never settles a request whose connection closed; a listener per request (removed
    // afterwards, so a long session does not pile them up) turns that into an error.
    let onClosed: (() => void) | undefined;
    const request = this.socket.call(type, data);
    try {
      return await Promise.race([
        request,
        new Promise<never>((_, reject) => {
          onClosed = () => reject(lostConnection(this.url, type));
          this.socket.once('ConnectionClosed', onClosed);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new BlurcamError(
                  'OBS_UNREACHABLE',
                  `OBS did not answer the request ${type} within ${timeoutMs} ms.`,
                  'OBS may be frozen or overloaded: check that its window responds, or restart it.',
                ),
              ),
            timeoutMs,
          );
        }),
      ]);
    } catch (error) {
      request.catch(() => undefined);
      if (error instanceof OBSWebSocketError) {
        throw new BlurcamError(
          'OBS_REQUEST_FAILED',
          `OBS refused the request ${type}: ${error.message} (status ${error.code}).`,
          "Check OBS's log (Help > Log Files) for the reason.",
          { cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
      if (onClosed) this.socket.off('ConnectionClosed', onClosed);
    }
  }

  /** Listens to an obs-websocket event; returns the function that stops listening. */
  on<E extends ObsEvent>(event: E, listener: (data: OBSEventTypes[E]) => void): () => void {
    const untyped = this.socket as unknown as NodeJS.EventEmitter;
    untyped.on(event, listener);
    return () => untyped.off(event, listener);
  }

  /** Calls the listener once, when the connection ends for any reason (OBS quit, network, close()). */
  onClose(listener: (code: number, reason: string) => void): void {
    void this.closed.then((error) => listener(error.code, error.message));
  }

  /** Ends the connection; takes at most about a second, even when OBS is frozen. */
  async close(): Promise<void> {
    await closeSocket(this.socket);
    this.isOpen = false;
  }
}

export const connectObs = (options: ObsConnectionOptions): Promise<ObsConnection> => ObsConnection.connect(options);

/** The obs-websocket request status code behind an OBS_REQUEST_FAILED error (e.g. 604 for no Virtual Camera). */
export function obsStatusCode(error: unknown): number | undefined {
  const cause = error instanceof BlurcamError ? error.cause : undefined;
  return cause instanceof OBSWebSocketError ? cause.code : undefined;
}

class HandshakeTimeout extends Error {}

/** Closes politely, and drops the TCP connection when OBS does not answer within CLOSE_TIMEOUT_MS. */
async function closeSocket(socket: OBSWebSocket): Promise<void> {
  const closing = socket.disconnect().catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS, 'timeout')));
  const outcome = await Promise.race([closing, timedOut]);
  clearTimeout(timer);
  if (outcome !== 'timeout') return;
  // obs-websocket-js keeps the ws socket in a field its types mark protected; ws's terminate() destroys the TCP
  // socket at once, which emits the close event that disconnect() waits for.
  (socket as unknown as { socket?: { terminate?: () => void } }).socket?.terminate?.();
  await closing;
}

function connectError(error: unknown, options: ObsConnectionOptions, timeoutMs: number): BlurcamError {
  const { url } = options;
  if (error instanceof HandshakeTimeout) {
    return new BlurcamError('OBS_UNREACHABLE', `OBS did not complete the websocket handshake at ${url} within ${timeoutMs} ms.`, HINT_START_OBS, {
      cause: error,
    });
  }
  const code = error instanceof OBSWebSocketError ? error.code : undefined;
  const reason = describeError(error);
  if (code === CLOSE_AUTHENTICATION_FAILED) {
    return new BlurcamError(
      'OBS_AUTH_FAILED',
      options.password
        ? `OBS rejected the websocket password (at ${url}).`
        : `OBS asks for a websocket password (at ${url}) and none was given.`,
      'Copy the password from OBS > Tools > WebSocket Server Settings > Show Connect Info into BLURCAM_OBS_PASSWORD or the config file (see docs/troubleshooting.md), or run scripts/install-obs.sh with OBS closed.',
      { cause: error },
    );
  }
  if (code === CLOSE_UNSUPPORTED_RPC_VERSION || /subprotocol/i.test(reason)) {
    return new BlurcamError('OBS_TOO_OLD', `The websocket server at ${url} does not speak obs-websocket 5 (${reason}).`, HINT_UPDATE_OBS, {
      cause: error,
    });
  }
  return new BlurcamError('OBS_UNREACHABLE', `OBS does not answer at ${url} (${reason || `websocket closed with code ${code}`}).`, HINT_START_OBS, {
    cause: error,
  });
}

/** Throws OBS_TOO_OLD unless GetVersion shows obs-websocket 5 with every request blurcam uses. */
export function checkObsVersion(version: OBSResponseTypes['GetVersion']): void {
  const major = Number(/^(\d+)/.exec(version.obsWebSocketVersion)?.[1] ?? 0);
  const missing = REQUIRED_REQUESTS.filter((request) => !version.availableRequests.includes(request));
  if (version.rpcVersion < 1 || major < 5 || missing.length > 0) {
    throw new BlurcamError(
      'OBS_TOO_OLD',
      `OBS ${version.obsVersion} with obs-websocket ${version.obsWebSocketVersion} lacks what blurcam needs${missing.length ? ` (${missing.join(', ')})` : ''}.`,
      HINT_UPDATE_OBS,
    );
  }
}

function pickVersion(version: OBSResponseTypes['GetVersion']): ObsVersion {
  return {
    obsVersion: version.obsVersion,
    obsWebSocketVersion: version.obsWebSocketVersion,
    rpcVersion: version.rpcVersion,
    platform: version.platform,
  };
}

function lostConnection(url: string, request: string): BlurcamError {
  return new BlurcamError('OBS_UNREACHABLE', `The connection to OBS at ${url} ended before it answered ${request}.`, HINT_START_OBS);
}
