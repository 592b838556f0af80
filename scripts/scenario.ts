/**
 * Writes a month of generated word of mouth as JSON Lines, ready for `maillon import`: ordinary
 * days, one delivery outbreak, and the decoys the detector must not fall for.
 *
 *   npm run -s scenario -- --start 2026-01-05 --days 35 --outbreak-day 28 > month.jsonl
 */
import { parseArgs } from 'node:util';
import { generateScenario } from '../src/demo/scenario.js';

const { values } = parseArgs({
  options: {
    start: { type: 'string', default: '2026-01-05' },
    days: { type: 'string', default: '35' },
    seed: { type: 'string', default: '42' },
    'outbreak-day': { type: 'string', default: '28' },
    'no-decoys': { type: 'boolean', default: false },
  },
});
const { mentions, outbreakAt } = generateScenario({
  start: new Date(`${values.start}T00:00:00Z`),
  days: Number(values.days),
  seed: Number(values.seed),
  outbreakDay: values['outbreak-day'] === 'none' ? null : Number(values['outbreak-day']),
  decoys: !values['no-decoys'],
});
for (const m of mentions) process.stdout.write(`${JSON.stringify(m)}\n`);
process.stderr.write(
  `${mentions.length} mentions${outbreakAt ? `, delivery outbreak from ${outbreakAt.toISOString()}` : ''}\n`,
);
