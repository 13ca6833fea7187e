/**
 * The plugin's side of the transport tests, in its own process so tests can make it slow, kill it and start
 * it again: binds a PULL socket like the plugin (receive high-water mark 1) and prints one JSON line per
 * message with its header bytes, size, payload hash and the receive time (same clock as capture times).
 * With BLURCAM_TEST_CURVE_SECRET set it is a CURVE server with that secret key, as the plugin is over tcp.
 *
 *   node transport-receiver.mjs ENDPOINT [READ_DELAY_MS]
 */
import { createHash } from 'node:crypto';
import { Pull } from 'zeromq';

const [endpoint, readDelayMs = '0'] = process.argv.slice(2);
const curveSecretKey = process.env.BLURCAM_TEST_CURVE_SECRET;
const curve = curveSecretKey ? { curveServer: true, curveSecretKey } : {};
const socket = new Pull({ receiveHighWaterMark: 1, linger: 0, ipv6: endpoint.includes('[::1]'), ...curve });
await socket.bind(endpoint);
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);

for await (const [message] of socket) {
  const receivedNs = process.hrtime.bigint().toString();
  const header = message.subarray(0, 48).toString('base64');
  const payloadSha1 = createHash('sha1').update(message.subarray(48)).digest('hex');
  process.stdout.write(`${JSON.stringify({ header, size: message.length, payloadSha1, receivedNs })}\n`);
  await new Promise((resolve) => setTimeout(resolve, Number(readDelayMs)));
}
