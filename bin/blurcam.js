#!/usr/bin/env node
// The compiled CLI lives in dist/ (npm install runs the build through the `prepare` script).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('blurcam: the build is missing (dist/cli.js).');
  console.error('Fix: run "npm install" (or "npm run build") in the blurcam folder.');
  process.exit(1);
}
await import(cli.href);
