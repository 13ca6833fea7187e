/// <reference lib="dom" />
/**
 * `blurcam start --ui` in a real headless Chromium (Debian's, driven by playwright-core): the page shows the live
 * output and the mask, draws the last minute's chart, and its controls change the effect of the running blurcam.
 * The server answers only 127.0.0.1 requests that carry the token.
 */
import { request } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningStatus } from '../../src/live/control-socket.js';
import { DemoScene } from '../../src/capture/demo-scene.js';
import { cv } from '../../src/opencv.js';
import { demoRegions } from '../obs/demo-regions.js';
import { Blurcam } from '../support/blurcam-process.js';

const WIDTH = 640;
const HEIGHT = 360;
/** Where the test leaves its screenshot of the page (docs/images/status-page.png is one). */
const SCREENSHOT = join(tmpdir(), 'blurcam-status-page.png');

/** Debian's chromium, with a new empty profile and the switches that keep it off the network (this machine's is closed). */
async function launchChromium(): Promise<BrowserContext> {
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'blurcam-chromium-')), {
    executablePath: '/usr/bin/chromium',
    viewport: { width: 1440, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A GET with a Host header of our choosing (fetch() would not let a test set it). */
function getStatus(url: URL, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: url.port, path: `${url.pathname}${url.search}`, headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('blurcam start --ui (real Chromium)', { timeout: 180_000 }, () => {
  let blurcam: Blurcam;
  let browser: BrowserContext;
  let url: URL;

  beforeAll(async () => {
    blurcam = new Blurcam(['start', '--input', 'demo', '--size', `${WIDTH}x${HEIGHT}`, '--fps', '15', '--output', 'null', '--ui'], {
      XDG_RUNTIME_DIR: mkdtempSync(join(tmpdir(), 'blurcam-ui-run-')),
    });
    url = new URL((await blurcam.waitForStderr(/status page: (\S+)/)).slice('status page: '.length));
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await blurcam?.end('SIGINT');
  }, 60_000);

  it('listens on 127.0.0.1 only and refuses requests without the token or with another host', async () => {
    expect(url.hostname).toBe('127.0.0.1');
    const api = new URL('/api/status', url);
    expect((await fetch(api)).status).toBe(403);
    expect((await fetch(`${api}?token=wrong`)).status).toBe(403);
    const withToken = new URL(`/api/status?token=${url.searchParams.get('token')}`, url);
    expect((await fetch(withToken)).status).toBe(200);
    // A page elsewhere reaching this port through a name that resolves to 127.0.0.1 (DNS rebinding) is refused.
    expect(await getStatus(withToken, `attacker.example:${url.port}`)).toBe(403);
    expect(await getStatus(withToken, `127.0.0.1:${url.port}`)).toBe(200);
  });

  it('shows the live output, the mask and the chart, and its controls change the effect', async () => {
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.waitForFunction(() => {
      const loaded = (id: string) => (document.getElementById(id) as HTMLImageElement).naturalWidth > 0;
      return loaded('output') && loaded('mask');
    });
    expect(await page.locator('#output').evaluate((image: HTMLImageElement) => [image.naturalWidth, image.naturalHeight])).toEqual([WIDTH, HEIGHT]);
    await page.waitForFunction(() => Number(document.getElementById('chart')?.dataset.points) >= 3, undefined, { timeout: 30_000 });
    expect(await page.locator('#effect').textContent()).toBe('blur (strength 0.5)');
    expect(await page.locator('#input').textContent()).toBe(`demo scene (${WIDTH}x${HEIGHT} @ 15 fps)`);

    // The mask the page shows is the person: bright where the demo person always is, dark where she never is.
    const maskJpeg = await page.evaluate(async () => {
      const token = new URLSearchParams(location.search).get('token') ?? '';
      const response = await fetch('/api/frame?kind=mask', { headers: { 'x-blurcam-token': token } });
      return Array.from(new Uint8Array(await response.arrayBuffer()));
    });
    const mask = cv.imdecode(Buffer.from(maskJpeg), cv.IMREAD_GRAYSCALE);
    const { person, background } = demoRegions(DemoScene.create(WIDTH, HEIGHT));
    expect(mask.meanStdDev(person).mean.at(0, 0)).toBeGreaterThan(200);
    expect(mask.meanStdDev(background).mean.at(0, 0)).toBeLessThan(30);

    await page.screenshot({ path: SCREENSHOT });

    await page.getByRole('button', { name: 'None' }).click();
    await page.waitForFunction(() => document.getElementById('effect')?.textContent === 'none (pass-through)');
    expect(await page.locator('#outcome').textContent()).toBe('control: "blurcam" now none (pass-through).');
    await page.locator('#strength').evaluate((slider: HTMLInputElement) => {
      slider.value = '0.8';
      slider.dispatchEvent(new Event('change'));
    });
    await page.waitForFunction(() => document.getElementById('effect')?.textContent === 'blur (strength 0.8)');
    await blurcam.waitForStderr(/control: "blurcam" now blur \(strength 0\.8\)\./);

    // A bad request from the page changes nothing either.
    await page.locator('#background').fill('/no/such/picture.jpg');
    await page.getByRole('button', { name: 'Use' }).click();
    await page.waitForFunction(() => /^control: event refused \(.*no such file.*\); nothing changed\.$/.test(document.getElementById('outcome')?.textContent ?? ''));
    const status = JSON.parse(
      await page.evaluate(async () => {
        const token = new URLSearchParams(location.search).get('token') ?? '';
        return (await fetch('/api/status', { headers: { 'x-blurcam-token': token } })).text();
      }),
    ) as { status: RunningStatus };
    expect(status.status.effect).toBe('blur (strength 0.8)');
    await page.close();
  });
});
