/**
 * The hostile side of the lifecycle stress test: floods each endpoint given with garbage, malformed frames
 * and small valid frames, as fast as ZeroMQ takes them, without any key (over tcp the plugin must refuse it).
 * Prints its message count as one JSON line on SIGTERM, then exits.
 *
 *   node plugin-flood.mjs ENDPOINT...
 */
import { randomBytes } from 'node:crypto';
import { Push } from 'zeromq';

const HEADER_SIZE = 48;

function frame(width, height) {
  const message = Buffer.alloc(HEADER_SIZE + width * 4 * height, 0x40);
  message.write('BLCM', 0, 'latin1');
  message.writeUInt16LE(1, 4);
  message.writeUInt16LE(HEADER_SIZE, 6);
  message.writeUInt32LE(width, 8);
  message.writeUInt32LE(height, 12);
  message.writeUInt32LE(1, 16);
  message.writeUInt32LE(width * 4, 20);
  message.writeUInt32LE(width * 4 * height, 24);
  message.writeBigUInt64LE(process.hrtime.bigint(), 40);
  return message;
}

const valid = frame(64, 32);
const kinds = [
  () => randomBytes(Math.floor(Math.random() * 65536)),
  () => valid,
  () => valid.subarray(0, valid.length - 1),
  () => Buffer.concat([valid, Buffer.alloc(1)]),
  () => {
    const lying = Buffer.from(valid);
    lying.writeUInt32LE(0xffffffff, 24);
    return lying;
  },
];

let sent = 0;
let running = true;
const sockets = process.argv.slice(2).map((endpoint) => {
  const socket = new Push({ linger: 0, sendTimeout: 0, sendHighWaterMark: 4, ipv6: endpoint.includes('[::1]') });
  socket.connect(endpoint);
  return socket;
});

async function flood(socket) {
  for (let i = 0; running; i++) {
    try {
      await socket.send(kinds[i % kinds.length]());
      sent++;
    } catch {
      // Not connected, or the queue is full: the point is to try as often as possible.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }
}

const floods = sockets.map(flood);
process.on('SIGTERM', () => {
  running = false;
  void Promise.all(floods).then(() => {
    for (const socket of sockets) socket.close();
    process.stdout.write(`${JSON.stringify({ sent })}\n`);
    process.exit(0);
  });
});
