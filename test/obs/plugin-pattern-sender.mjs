/**
 * The "blurcam" process of the plugin tests: feeds a four-colour test pattern through the real frame sender
 * (dist/, built by `npm test` or `npm run build`), so tests can kill it and start it again like the real
 * thing. Prints its counters as one JSON line per second.
 *
 *   node plugin-pattern-sender.mjs ENDPOINT COLOURS [FPS] [WIDTHxHEIGHT]
 *   COLOURS: four RRGGBB values for the top-left, top-right, bottom-left and bottom-right quarters
 */
import { ZmqFrameSender } from '../../dist/transport/zmq-frame-sender.js';

const [endpoint, colours, fps = '30', size = '1280x720'] = process.argv.slice(2);
const [width, height] = size.split('x').map(Number);
const quarters = colours.split(',').map((hex) => [0, 2, 4].map((at) => parseInt(hex.slice(at, at + 2), 16)));

function patternFrame() {
  const stride = width * 4;
  const data = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = quarters[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)];
      data.writeUInt32LE(((0xff << 24) | (r << 16) | (g << 8) | b) >>> 0, y * stride + x * 4);
    }
  }
  return { stride, data };
}

const { stride, data } = patternFrame();
const sender = new ZmqFrameSender(endpoint);
let seq = 0;
const frameTimer = setInterval(() => {
  sender.write({ seq: seq++, captureTimeNs: process.hrtime.bigint(), width, height, format: 'bgra', stride, data });
}, 1000 / Number(fps));
const statsTimer = setInterval(() => process.stdout.write(`${JSON.stringify(sender.stats)}\n`), 1000);

process.on('SIGTERM', () => {
  clearInterval(frameTimer);
  clearInterval(statsTimer);
  void sender.close().then(() => process.exit(0));
});
