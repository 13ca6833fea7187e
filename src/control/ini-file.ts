/**
 * OBS's .ini files (global.ini, a profile's basic.ini), edited line by line so that everything blurcam does
 * not touch (other sections, comments, key order, line endings) stays exactly as OBS or the user wrote it.
 */
export class IniFile {
  private constructor(
    private readonly lines: string[],
    private readonly eol: string,
    private readonly bom: string,
  ) {}

  static parse(text: string): IniFile {
    const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
    const body = text.slice(bom.length);
    const eol = body.includes('\r\n') ? '\r\n' : '\n';
    const lines = body.length === 0 ? [] : body.split(/\r?\n/);
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return new IniFile(lines, eol, bom);
  }

  get(section: string, key: string): string | undefined {
    const index = this.keyLine(section, key);
    if (index === undefined) return undefined;
    const line = this.lines[index];
    return line.slice(line.indexOf('=') + 1).trim();
  }

  has(section: string): boolean {
    return this.sectionRange(section) !== undefined;
  }

  /** Sets a value, adding the key at the end of its section, or the section at the end of the file. */
  set(section: string, key: string, value: string): void {
    if (/[\r\n]/.test(value)) throw new Error(`ini value for ${section}.${key} must be one line`);
    const index = this.keyLine(section, key);
    if (index !== undefined) {
      this.lines[index] = `${key}=${value}`;
      return;
    }
    const range = this.sectionRange(section);
    if (range === undefined) {
      if (this.lines.length > 0 && this.lines[this.lines.length - 1].trim() !== '') this.lines.push('');
      this.lines.push(`[${section}]`, `${key}=${value}`);
      return;
    }
    // After the section's last non-blank line, so the blank line that separates sections stays in place.
    let insertAt = range.end;
    while (insertAt > range.start + 1 && this.lines[insertAt - 1].trim() === '') insertAt--;
    this.lines.splice(insertAt, 0, `${key}=${value}`);
  }

  toString(): string {
    return this.bom + this.lines.map((line) => line + this.eol).join('');
  }

  /** [start, end): start is the header line, end the next header or the end of the file. */
  private sectionRange(section: string): { start: number; end: number } | undefined {
    const start = this.lines.findIndex((line) => line.trim() === `[${section}]`);
    if (start < 0) return undefined;
    let end = start + 1;
    while (end < this.lines.length && !/^\s*\[.*\]\s*$/.test(this.lines[end])) end++;
    return { start, end };
  }

  private keyLine(section: string, key: string): number | undefined {
    const range = this.sectionRange(section);
    if (range === undefined) return undefined;
    for (let i = range.start + 1; i < range.end; i++) {
      const line = this.lines[i];
      const equals = line.indexOf('=');
      if (equals > 0 && !/^\s*[;#]/.test(line) && line.slice(0, equals).trim() === key) return i;
    }
    return undefined;
  }
}
