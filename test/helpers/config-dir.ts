/** A throw-away CONFIG_DIR: the default files, with some replaced. */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_CONFIG_DIR } from '../../config/index.js';

export function configDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'maillon-config-'));
  for (const f of ['sources.yaml', 'touchpoints.yaml', 'alerts.yaml', 'detection.yaml']) {
    cpSync(path.join(DEFAULT_CONFIG_DIR, f), path.join(dir, f));
  }
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
