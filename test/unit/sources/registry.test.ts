import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../config/index.js';
import { SOURCE_KINDS, sourceAdapters } from '../../../src/sources/index.js';
import { configDir } from '../../helpers/config-dir.js';

const SOURCES_DIR = fileURLToPath(new URL('../../../src/sources/', import.meta.url));

/** Adapter files: every .ts file of the folder except helpers (`_*.ts`) and the registry. */
const adapterFiles = readdirSync(SOURCES_DIR)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && f !== 'index.ts')
  .toSorted();

describe('the source registry', () => {
  it('finds adapter files to check', () => {
    expect(adapterFiles).toContain('rss.ts');
  });

  it.each(adapterFiles)('registers %s', async (file) => {
    const mod = (await import(pathToFileURL(path.join(SOURCES_DIR, file)).href)) as {
      default?: unknown;
    };

    expect(mod.default, `${file} has no default export`).toBeDefined();
    expect(Object.values(sourceAdapters)).toContain(mod.default);
  });

  it.each(adapterFiles)('keys %s by its kind, which is its file name', async (file) => {
    const kind = path.basename(file, '.ts');
    const mod = (await import(pathToFileURL(path.join(SOURCES_DIR, file)).href)) as {
      default?: { kind?: unknown };
    };

    expect(mod.default?.kind).toBe(kind);
    expect(Object.hasOwn(sourceAdapters, kind)).toBe(true);
    expect(sourceAdapters[kind as keyof typeof sourceAdapters]).toBe(mod.default);
  });

  it('lists nothing that has no file', () => {
    expect(Object.keys(sourceAdapters).toSorted()).toEqual(
      adapterFiles.map((f) => path.basename(f, '.ts')),
    );
  });

  it('lists every kind in SOURCE_KINDS, in registry order', () => {
    expect(SOURCE_KINDS).toEqual(Object.keys(sourceAdapters));
  });

  it('registers objects that have fetchPage and parse', () => {
    for (const adapter of Object.values(sourceAdapters)) {
      expect(typeof adapter.fetchPage).toBe('function');
      expect(typeof adapter.parse).toBe('function');
    }
  });
});

describe('every kind is documented and configurable', () => {
  const yaml = readFileSync(
    fileURLToPath(new URL('../../../config/sources.yaml', import.meta.url)),
    'utf8',
  );
  const readme = readFileSync(
    fileURLToPath(new URL('../../../README.md', import.meta.url)),
    'utf8',
  );
  /** The commented examples of sources.yaml, uncommented: `  # - id:` starts one. */
  const examples = (() => {
    const out: string[] = [];
    let current: string[] | undefined;
    for (const line of yaml.split('\n')) {
      if (/^ {2}# - id: /.test(line)) {
        current = [];
        out.push('');
      }
      if (current && /^ {2}# ( {2}|- )/.test(line))
        out[out.length - 1] += `${line.replace(/^( {2})# /, '$1')}\n`;
      else if (current && !/^ {2}# ( {2}|- )/.test(line)) current = undefined;
    }
    return out;
  })();

  it('has a commented example of each kind in config/sources.yaml', () => {
    const kinds = examples.map((e) => /kind: (\S+)/.exec(e)?.[1]);
    const inFile = new Set([
      ...kinds,
      ...[...yaml.matchAll(/^ {4}kind: (\S+)/gm)].map((m) => m[1]),
    ]);

    expect(SOURCE_KINDS.filter((k) => !inFile.has(k))).toEqual([]);
  });

  it('loads every example as written, with its credentials in the environment', () => {
    const dir = configDir({ 'sources.yaml': `sources:\n${examples.join('')}` });
    const env: Record<string, string> = {
      MONGODB_URL: 'mongodb://127.0.0.1:27017/maillon',
      CONFIG_DIR: dir,
    };
    for (const adapter of Object.values(sourceAdapters))
      for (const spec of Object.values(adapter.secrets)) env[spec.env] = 'x';

    const config = loadConfig(env);

    expect(config.sources.map((s) => s.kind).toSorted()).toEqual(
      examples.map((e) => /kind: (\S+)/.exec(e)?.[1] ?? '').toSorted(),
    );
  });

  it('has a row of each kind in the README’s source table', () => {
    const missing = SOURCE_KINDS.filter((k) => !new RegExp(`^\\| \`${k}\` +\\|`, 'm').test(readme));

    expect(missing).toEqual([]);
  });
});
