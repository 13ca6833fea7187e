/**
 * `blurcam configure-obs` (step 4 of scripts/install-obs.sh) against a real OBS: it refuses to run while that
 * OBS runs, its settings are the ones OBS really reads (OBS comes up with the websocket on and the password
 * blurcam stored), a second run changes nothing, and the password is never printed.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectObs } from '../../src/control/obs-connection.js';
import { ObsConfig, websocketStoresFor } from '../../src/control/obs-config.js';
import { detectObsVersion, findObsExecutable, isObsRunning, launchObs } from '../../src/control/obs-launcher.js';
import { runCli } from '../support/run-cli.js';
import { type HeadlessObs, startHeadlessObs } from '../support/headless-obs.js';

describe('blurcam configure-obs (real OBS)', () => {
  let obs: HeadlessObs;
  let blurcamConfigDir: string;
  let configure: () => ReturnType<typeof runCli>;

  beforeAll(async () => {
    obs = await startHeadlessObs();
    blurcamConfigDir = join(obs.home, 'blurcam-config');
    configure = () => runCli(['configure-obs', '--obs-config-dir', obs.configDir], { env: { HOME: obs.home, BLURCAM_CONFIG_DIR: blurcamConfigDir } });
  }, 120_000);

  afterAll(async () => {
    await obs?.dispose();
  }, 60_000);

  it('tells an OBS running on these settings from one running on others', async () => {
    expect(await isObsRunning(obs.configDir)).toBe(true);
    expect(await isObsRunning(join(obs.home, 'elsewhere'))).toBe(false);
  });

  it('refuses to change the settings while OBS runs on them', async () => {
    const result = await configure();
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('blurcam: OBS is running, and it would overwrite its websocket settings when it quits.\n  fix: Quit OBS (File > Exit), then run this again.\n');
  });

  it('turns the websocket on with a new password that OBS then accepts; a second run changes nothing', async () => {
    await obs.stop();
    // As on a machine where the websocket was never set up.
    const obsConfig = new ObsConfig(obs.configDir, websocketStoresFor(await detectObsVersion(findObsExecutable())));
    obsConfig.writeWebsocket({ serverEnabled: false, serverPort: obs.port, authRequired: false, serverPassword: '' });

    const first = await configure();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`websocket server on, port ${obs.port}, authentication on.`);
    expect(first.stdout).toContain('Password: newly generated (never printed).');
    expect(first.stdout).toMatch(/Backup of the previous version: .*global\.ini\.blurcam-backup-/);

    const configPath = join(blurcamConfigDir, 'config.json');
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    const stored = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, string>;
    const password = stored['obs-password'];
    expect(password).toMatch(/^[\w-]{24}$/);
    expect(stored['obs-url']).toBe(`ws://127.0.0.1:${obs.port}`);
    expect(first.stdout).not.toContain(password);

    const second = await configure();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('Password: kept from the OBS settings (never printed).');
    expect(second.stdout).toContain('Nothing to change.');

    // The OBS users run reads what was written: it opens the websocket and takes the stored password.
    const launched = await launchObs({ url: stored['obs-url'], password, env: obs.env, args: obs.args, multipleInstances: true, logPath: join(obs.home, 'configured.log') });
    try {
      const connection = await connectObs({ url: stored['obs-url'], password });
      expect(connection.version.obsWebSocketVersion).toMatch(/^5\./);
      await connection.close();
    } finally {
      await launched.stop();
    }
    // OBS saved its settings on the way out; they still hold blurcam's password.
    expect(obsConfig.readWebsocket()).toMatchObject({ serverEnabled: true, authRequired: true, serverPassword: password });
  });
});
