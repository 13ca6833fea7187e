import { describe, expect, it } from 'vitest';
import { describeVideo, fpsFraction } from '../../../src/control/obs-canvas.js';
import { type Check, runChecks } from '../../../src/doctor/check.js';
import { nodeVersionSupported, pixelLoopsResult } from '../../../src/doctor/machine-checks.js';
import { cameraExtensionState, pluginFileCandidates, sameAspect } from '../../../src/doctor/obs-checks.js';
import { BlurcamError } from '../../../src/errors.js';

describe('doctor checks: the pure parts', () => {
  it('accepts Node 20.19 and newer', () => {
    expect(['v20.19.0', 'v20.20.2', 'v22.1.0', 'v24.0.0'].map(nodeVersionSupported)).toEqual([true, true, true, true]);
    expect(['v20.18.3', 'v18.20.0', 'v16.0.0'].map(nodeVersionSupported)).toEqual([false, false, false]);
  });

  it('says which pixel loops composite: the native ones, JavaScript on purpose, or JavaScript because the addon is missing', () => {
    const built = { blendPerson: () => {}, layBackground: () => {} };
    expect(pixelLoopsResult({ pixels: built })).toEqual({ status: 'ok', message: 'The native pixel loops load: frames are composited in C.' });
    expect(pixelLoopsResult({ turnedOff: true, reason: 'turned off by BLURCAM_NATIVE=0' })).toMatchObject({ status: 'ok', message: expect.stringMatching(/turned off by BLURCAM_NATIVE=0: frames are composited in JavaScript/) });
    const missing = pixelLoopsResult({ turnedOff: false, reason: 'not built' });
    expect(missing.status).toBe('problem');
    expect(missing.message).toBe('The native pixel loops are not built; frames are composited in JavaScript, about 0.5 ms a 720p frame slower.');
    expect(missing.fix).toMatch(/npm run build:native/);
  });

  it('compares aspects with a little slack (1366x768 is 16:9), and tells 16:10 from 16:9', () => {
    expect(sameAspect({ width: 1280, height: 720 }, { width: 1920, height: 1080 })).toBe(true);
    expect(sameAspect({ width: 1366, height: 768 }, { width: 1280, height: 720 })).toBe(true);
    expect(sameAspect({ width: 1280, height: 800 }, { width: 1280, height: 720 })).toBe(false);
    expect(sameAspect({ width: 640, height: 480 }, { width: 1280, height: 720 })).toBe(false);
  });

  it("looks for the plugin where each platform's OBS loads it, and in OBS_PLUGINS_PATH", () => {
    expect(pluginFileCandidates('/home/ada/.config/obs-studio', 'linux', { OBS_PLUGINS_PATH: '/opt/a:/opt/b' })).toEqual([
      '/home/ada/.config/obs-studio/plugins/blurcam-obs/bin/64bit/blurcam-obs.so',
      '/opt/a/blurcam-obs.so',
      '/opt/b/blurcam-obs.so',
    ]);
    expect(pluginFileCandidates('/Users/ada/Library/Application Support/obs-studio', 'darwin', {})).toEqual([
      '/Users/ada/Library/Application Support/obs-studio/plugins/blurcam-obs.plugin/Contents/MacOS/blurcam-obs',
    ]);
  });

  it('writes frame rates as OBS fractions and describes video settings', () => {
    expect(fpsFraction(30)).toEqual({ fpsNumerator: 30, fpsDenominator: 1 });
    expect(fpsFraction(29.97)).toEqual({ fpsNumerator: 29970, fpsDenominator: 1000 });
    expect(describeVideo({ baseWidth: 1280, baseHeight: 800, outputWidth: 1024, outputHeight: 640, fpsNumerator: 30000, fpsDenominator: 1001 })).toBe(
      '1280x800 (output 1024x640) at 29.97 fps',
    );
  });

  it('reports a check that throws as a problem with its cause and fix, and goes on with the next', async () => {
    const failing: Check = {
      link: 'failing',
      run: async () => {
        throw new BlurcamError('OBS_REQUEST_FAILED', 'OBS said no.', 'Ask again.');
      },
    };
    const fine: Check = { link: 'fine', run: async () => ({ status: 'ok', message: 'Fine.' }) };
    const seen: string[] = [];
    const context = { options: {} as never, frameSize: { width: 1, height: 1 } };
    const results = await runChecks([failing, fine], context, (result) => seen.push(result.link));
    expect(results).toEqual([
      { link: 'failing', status: 'problem', message: 'OBS said no.', fix: 'Ask again.' },
      { link: 'fine', status: 'ok', message: 'Fine.' },
    ]);
    expect(seen).toEqual(['failing', 'fine']);
  });

  it("reads the state of OBS's camera extension from `systemextensionsctl list`", () => {
    // The layout systemextensionsctl prints: enabled, active, team ID, bundle ID (version), name, [state].
    const listing = [
      '2 extension(s)',
      '--- com.apple.system_extension.cmio',
      'enabled\tactive\tteamID\tbundleID (version)\tname\t[state]',
      '\t\t2MMRE5MTB8\tcom.obsproject.obs-studio.mac-camera-extension (31.1.2/31.1.2)\tOBS Virtual Camera\t[activated waiting for user]',
      '*\t*\tABCDE12345\tcom.example.other-camera (1.0/1)\tOther Camera\t[activated enabled]',
    ].join('\n');
    expect(cameraExtensionState(listing)).toBe('activated waiting for user');
    expect(cameraExtensionState(listing.replace('[activated waiting for user]', '[activated enabled]'))).toBe('activated enabled');
    expect(cameraExtensionState('0 extension(s)\n')).toBeUndefined();
  });
});
