import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SOURCE_KINDS, sourceAdapters } from '../../../src/sources/index.js';

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
