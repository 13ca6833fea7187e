/**
 * `blurcam start --ui`: a page on 127.0.0.1 that shows the live output and the mask, fps and per-stage times over
 * the last minute, and the effect controls. The pictures are camera frames, so the server listens on the loopback
 * address only, answers only requests that carry this run's random token and name 127.0.0.1 as their host (a web
 * page elsewhere cannot reach it through DNS tricks), and sends nothing while "be right back" is live but the slate.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { BlurcamError, describeError } from '../errors.js';
import { cv } from '../opencv.js';
import type { PipelineSnapshot } from '../pipeline/pipeline.js';
import type { StatsReport } from '../pipeline/pipeline-stats.js';
import type { RunningStatus } from './control-socket.js';
import { STATUS_PAGE_HTML } from './status-page-html.js';

/** One point of the chart: a second of statistics. */
export interface HistoryPoint {
  /** Milliseconds since the epoch. */
  at: number;
  fpsIn: number;
  fpsOut: number;
  /** Median time per stage over that second, in ms (null when no frame went through it). */
  stagesMs: Record<string, number | null>;
}

export interface StatusPageSources {
  status(): RunningStatus;
  snapshot(): Promise<PipelineSnapshot | undefined>;
  /** A control request, as the body of a blurcam custom event; returns the line blurcam logged. */
  control(request: unknown): string | undefined;
}

const HISTORY_SECONDS = 60;
const MAX_BODY_BYTES = 4096;
const JPEG_QUALITY = 80;

/** The status page's server; record() feeds the chart once a second. */
export class StatusPage {
  private readonly history: HistoryPoint[] = [];

  private constructor(
    private readonly server: Server,
    private readonly token: string,
    readonly url: string,
  ) {}

  /** Listens on 127.0.0.1 (`port` 0: any free port). */
  static async open(sources: StatusPageSources, port = 0): Promise<StatusPage> {
    const token = randomBytes(18).toString('base64url');
    let page: StatusPage | undefined;
    const server = createServer((request, response) => {
      if (page) void page.serve(request, response, sources).catch((error: unknown) => reply(response, 500, 'text/plain', describeError(error)));
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
    } catch (error) {
      throw new BlurcamError('BAD_OPTION', `The status page cannot listen on 127.0.0.1:${port} (${describeError(error)}).`, 'Choose another --ui-port, or 0 for any free port.', {
        cause: error,
      });
    }
    const address = server.address();
    const boundPort = typeof address === 'object' && address ? address.port : port;
    page = new StatusPage(server, token, `http://127.0.0.1:${boundPort}/?token=${token}`);
    return page;
  }

  record(report: StatsReport): void {
    const stagesMs = Object.fromEntries(Object.entries(report.stages).map(([stage, timing]) => [stage, Number.isFinite(timing.p50_ms) ? timing.p50_ms : null]));
    this.history.push({ at: Date.now(), fpsIn: report.fpsIn, fpsOut: report.fpsOut, stagesMs });
    if (this.history.length > HISTORY_SECONDS) this.history.shift();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serve(request: IncomingMessage, response: ServerResponse, sources: StatusPageSources): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const port = new URL(this.url).port;
    if (request.headers.host !== `127.0.0.1:${port}` || !this.tokenMatches(url.searchParams.get('token') ?? request.headers['x-blurcam-token'])) {
      return reply(response, 403, 'text/plain', 'blurcam: this page needs the address blurcam start printed, token included.\n');
    }
    if (request.method === 'GET' && url.pathname === '/') return reply(response, 200, 'text/html; charset=utf-8', STATUS_PAGE_HTML);
    if (request.method === 'GET' && url.pathname === '/api/status') {
      return reply(response, 200, 'application/json', JSON.stringify({ status: sources.status(), history: this.history }));
    }
    if (request.method === 'GET' && url.pathname === '/api/frame') {
      const kind = url.searchParams.get('kind') === 'mask' ? 'mask' : 'output';
      const snapshot = await sources.snapshot();
      const jpeg = snapshot && encodeJpeg(snapshot, kind);
      if (!jpeg) return reply(response, 204, 'text/plain', '');
      return reply(response, 200, 'image/jpeg', jpeg);
    }
    if (request.method === 'POST' && url.pathname === '/api/control') {
      const body = await readBody(request);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return reply(response, 400, 'application/json', JSON.stringify({ line: 'control: event refused (not JSON); nothing changed.' }));
      }
      const line = sources.control({ blurcam: parsed });
      return reply(response, 200, 'application/json', JSON.stringify({ line }));
    }
    return reply(response, 404, 'text/plain', 'not found\n');
  }

  private tokenMatches(given: string | string[] | undefined | null): boolean {
    if (typeof given !== 'string') return false;
    const expected = Buffer.from(this.token);
    const actual = Buffer.from(given);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}

function reply(response: ServerResponse, status: number, type: string, body: string | Buffer): void {
  // No caching, no embedding in other sites' pages, no guessing of types.
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; img-src 'self' blob:; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
  });
  response.end(body);
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_BODY_BYTES) throw new Error('request body too large');
  }
  return body;
}

function encodeJpeg(snapshot: PipelineSnapshot, kind: 'output' | 'mask'): Buffer | undefined {
  const { width, height } = snapshot;
  if (kind === 'mask') {
    if (!snapshot.mask) return undefined;
    return cv.imencode('.jpg', new cv.Mat(height, width, cv.CV_8UC1, snapshot.mask), [cv.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]);
  }
  const bgr = new cv.Mat(height, width, cv.CV_8UC4, snapshot.output).cvtColor(cv.COLOR_BGRA2BGR);
  try {
    return cv.imencode('.jpg', bgr, [cv.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]);
  } finally {
    bgr.release();
  }
}
