import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { OBSResponseTypes } from 'obs-websocket-js';
import { checkObsVersion, connectObs } from '../../../src/control/obs-connection.js';
import { BlurcamError } from '../../../src/errors.js';
import { thrownBlurcamError as thrown } from '../../support/expect-blurcam-error.js';

const OBS_29_REQUESTS = [
  'GetVersion',
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

function version(overrides: Partial<OBSResponseTypes['GetVersion']>): OBSResponseTypes['GetVersion'] {
  return {
    obsVersion: '29.0.2',
    obsWebSocketVersion: '5.1.0',
    rpcVersion: 1,
    availableRequests: OBS_29_REQUESTS,
    supportedImageFormats: ['png'],
    platform: 'debian',
    platformDescription: 'Debian GNU/Linux 12 (bookworm)',
    ...overrides,
  };
}


describe('checkObsVersion', () => {
  it('accepts obs-websocket 5 with every request blurcam uses', () => {
    expect(() => checkObsVersion(version({}))).not.toThrow();
  });

  it('says OBS_TOO_OLD for obs-websocket 4', () => {
    const error = thrown(() => checkObsVersion(version({ obsVersion: '27.2.4', obsWebSocketVersion: '4.9.1' })));
    expect(error.code).toBe('OBS_TOO_OLD');
    expect(error.message).toBe('OBS 27.2.4 with obs-websocket 4.9.1 lacks what blurcam needs.');
    expect(error.hint).toContain('OBS Studio 28 or newer');
  });

  it('says OBS_TOO_OLD and names the requests an obs-websocket lacks', () => {
    const error = thrown(() =>
      checkObsVersion(version({ availableRequests: OBS_29_REQUESTS.filter((request) => request !== 'GetSourceActive' && request !== 'StartVirtualCam') })),
    );
    expect(error.code).toBe('OBS_TOO_OLD');
    expect(error.message).toBe('OBS 29.0.2 with obs-websocket 5.1.0 lacks what blurcam needs (GetSourceActive, StartVirtualCam).');
  });
});

describe('connectObs against a websocket server that is not obs-websocket 5', () => {
  const sockets: Duplex[] = [];

  it('says OBS_TOO_OLD when the server ignores the obs-websocket 5 subprotocol, as obs-websocket 4 does', async () => {
    // A bare RFC 6455 handshake that, like obs-websocket 4.x, answers without a Sec-WebSocket-Protocol.
    const server = createServer();
    server.on('upgrade', (request, socket) => {
      sockets.push(socket);
      const accept = createHash('sha1')
        .update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
        .digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await connectObs({ url, password: 'pw', connectTimeoutMs: 5_000 }).then(
        () => undefined,
        (reason: unknown) => reason as BlurcamError,
      );
      expect(error).toBeInstanceOf(BlurcamError);
      expect(error?.code).toBe('OBS_TOO_OLD');
      expect(error?.message).toMatch(new RegExp(`^The websocket server at ${url} does not speak obs-websocket 5 \\(.*subprotocol.*\\)\\.$`));
    } finally {
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('says OBS_UNREACHABLE when a server accepts the connection but never completes the handshake', async () => {
    const server = createServer();
    server.on('upgrade', (_request, socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const error = await connectObs({ url, password: 'pw', connectTimeoutMs: 300 }).then(
        () => undefined,
        (reason: unknown) => reason as BlurcamError,
      );
      expect(error?.code).toBe('OBS_UNREACHABLE');
      expect(error?.message).toBe(`OBS did not complete the websocket handshake at ${url} within 300 ms.`);
    } finally {
      // Upgraded sockets are no longer the HTTP server's to close.
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
