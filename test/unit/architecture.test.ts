import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CODE = /\.(ts|mts|cts|js|mjs|cjs)$/;

interface SourceFile {
  /** Relative to the repository, with forward slashes: `src/store/mongo.ts`. */
  rel: string;
  text: string;
}

function scan(dir: string): SourceFile[] {
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && CODE.test(e.name))
    .map((e) => {
      const abs = path.join(e.parentPath, e.name);
      return {
        rel: path.relative(ROOT, abs).split(path.sep).join('/'),
        text: readFileSync(abs, 'utf8'),
      };
    })
    .toSorted((a, b) => a.rel.localeCompare(b.rel));
}

/** Module specifiers of static imports, re-exports, side-effect imports and `import()`. */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) specs.push(m[1] as string);
  return specs;
}

const src = scan('src');

describe('architecture', () => {
  it('sees the source tree', () => {
    const files = src.map((f) => f.rel);
    expect(files).toContain('src/server.ts');
    expect(files).toContain('src/store/mongo.ts');
    expect(files).toContain('src/sources/rss.ts');
    // The scanner reads imports as the compiler would.
    const mongo = src.find((f) => f.rel === 'src/store/mongo.ts');
    expect(importsOf(mongo?.text ?? '')).toContain('mongodb');
  });

  it('reads every kind of import', () => {
    const text = [
      "import a from 'pkg-a';",
      "import { b,\n  c } from 'pkg-b/sub';",
      "import type { D } from 'pkg-d';",
      "export * from 'pkg-e';",
      "import 'pkg-f';",
      "const g = await import('pkg-g');",
    ].join('\n');

    expect(importsOf(text)).toEqual(
      expect.arrayContaining(['pkg-a', 'pkg-b/sub', 'pkg-d', 'pkg-e', 'pkg-f', 'pkg-g']),
    );
  });

  it('reads process.env only in the entry points', () => {
    const entryPoints = ['src/cli/maillon.ts', 'src/run-workers.ts', 'src/server.ts'];
    const readers = src.filter((f) => /\bprocess\.env\b/.test(f.text)).map((f) => f.rel);

    expect(readers.filter((f) => !entryPoints.includes(f))).toEqual([]);
  });

  it('never uses console in src/, workers/ or scripts/', () => {
    const offences = ['src', 'workers', 'scripts']
      .flatMap((dir) => scan(dir))
      .filter((f) => /\bconsole\./.test(f.text))
      .map((f) => f.rel);

    expect(offences).toEqual([]);
  });
});
