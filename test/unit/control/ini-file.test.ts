import { describe, expect, it } from 'vitest';
import { IniFile } from '../../../src/control/ini-file.js';

const OBS_GLOBAL_INI = `[General]
FirstRun=true
LastVersion=486539266

[BasicWindow]
geometry=AdnQywADAAAAAAAAAAAAAAAABDYAAALY==
PreviewEnabled=false

[OBSWebSocket]
ServerEnabled=false
ServerPort=4455
`;

describe('IniFile', () => {
  it('reads values by section and key', () => {
    const ini = IniFile.parse(OBS_GLOBAL_INI);
    expect(ini.get('OBSWebSocket', 'ServerPort')).toBe('4455');
    // Values may contain '=' (OBS stores base64 window geometry).
    expect(ini.get('BasicWindow', 'geometry')).toBe('AdnQywADAAAAAAAAAAAAAAAABDYAAALY==');
    expect(ini.get('General', 'ServerPort')).toBeUndefined();
    expect(ini.get('Missing', 'Key')).toBeUndefined();
    expect(ini.has('General')).toBe(true);
    expect(ini.has('Missing')).toBe(false);
  });

  it('writes back exactly what it read when nothing is set', () => {
    expect(IniFile.parse(OBS_GLOBAL_INI).toString()).toBe(OBS_GLOBAL_INI);
    const crlfWithBom = `\uFEFF${OBS_GLOBAL_INI.replace(/\n/g, '\r\n')}`;
    expect(IniFile.parse(crlfWithBom).toString()).toBe(crlfWithBom);
  });

  it('changes a value in place and keeps every other line', () => {
    const ini = IniFile.parse(OBS_GLOBAL_INI);
    ini.set('OBSWebSocket', 'ServerEnabled', 'true');
    expect(ini.toString()).toBe(OBS_GLOBAL_INI.replace('ServerEnabled=false', 'ServerEnabled=true'));
  });

  it('adds a key at the end of its section, before the blank line', () => {
    const ini = IniFile.parse(OBS_GLOBAL_INI);
    ini.set('General', 'ConfirmOnExit', 'false');
    expect(ini.toString()).toBe(OBS_GLOBAL_INI.replace('LastVersion=486539266\n', 'LastVersion=486539266\nConfirmOnExit=false\n'));
  });

  it('adds a missing section at the end, separated by a blank line', () => {
    const ini = IniFile.parse('[General]\nFirstRun=true\n');
    ini.set('OBSWebSocket', 'ServerPort', '4455');
    expect(ini.toString()).toBe('[General]\nFirstRun=true\n\n[OBSWebSocket]\nServerPort=4455\n');
    const empty = IniFile.parse('');
    empty.set('General', 'Name', 'blurcam');
    expect(empty.toString()).toBe('[General]\nName=blurcam\n');
  });

  it('ignores comments and refuses values that would break the line structure', () => {
    const ini = IniFile.parse('[A]\n;Key=commented\nKey=real\n');
    expect(ini.get('A', 'Key')).toBe('real');
    expect(() => ini.set('A', 'Key', 'two\nlines')).toThrow('must be one line');
  });
});
