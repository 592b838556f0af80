/**
 * A detector command for ../shared/benchmarks/detection/nab-score.mjs: reads one NAB CSV on
 * stdin, prints the timestamp of every wave Maillon opens (config/detection.yaml, NAB clock and
 * gates as in nab.ts). `npm run bench:detect` runs the scorer's CLI through it once, as a check
 * that the in-process scores match the scorer's own harness.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDetectionParams } from '../../../src/detection/params.js';
import { maillonRows, type NabFile } from './nab.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const params = loadDetectionParams(path.join(root, 'config/detection.yaml'));
const text = readFileSync(0, 'utf8');
const times = text
  .split(/\r?\n/)
  .slice(1)
  .filter((l) => l.trim() !== '')
  .map((l) => Date.parse(`${l.split(',')[0]?.replace(' ', 'T')}Z`));
const file: NabFile = { name: process.env.NAB_FILE ?? 'stdin', text, times, windows: [] };
const out = maillonRows(file, params).map((i) => new Date(times[i] ?? 0).toISOString());
process.stdout.write(out.length > 0 ? `${out.join('\n')}\n` : '');
