/**
 * The scene list reaches `blurcam start` from the config file, and a wrong one stops it before it opens anything,
 * naming the entry; `blurcam status` and `stop` with no blurcam running.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('scenes and the running blurcam on the command line', () => {
  it('stops before the camera on a wrong scene in the config file, naming it', async () => {
    const config = join(mkdtempSync(join(tmpdir(), 'blurcam-scenes-')), 'config.json');
    writeFileSync(config, JSON.stringify({ scenes: [{ name: 'Soft', effect: 'blur', blurStrength: 0.2 }, { name: 'Odd', effect: 'sepia' }] }));
    // OBS is not running here: the scene list is checked before anything is opened, OBS included.
    const result = await runCli(['start', '--config', config, '--input', 'demo', '--obs-url', 'ws://127.0.0.1:9']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^blurcam: The scene list's scenes\[1\]\.effect is not valid: .+\.\n {2}fix: Write "scenes" as a list of/);
  });

  it('says so when no blurcam runs', async () => {
    for (const command of ['status', 'stop']) {
      const result = await runCli([command]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^blurcam: No blurcam is running for this user \(no control socket at \/.+\/blurcam\/control\.sock\)\.\n {2}fix: Start one with "blurcam start"\.\n$/);
    }
  });
});
