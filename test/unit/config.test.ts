import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../config/index.js';
import { STAGES } from '../../src/domain/vocabulary.js';
import { ConfigError } from '../../src/errors.js';
import { configDir } from '../helpers/config-dir.js';

const MONGODB_URL = 'mongodb://127.0.0.1:27017/maillon';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** A CONFIG_DIR holding the default files, with `files` written over them. */
function dirWith(files: Record<string, string>): string {
  const dir = configDir(files);
  tempDirs.push(dir);
  return dir;
}

/** Runs `loadConfig` expecting it to fail, and returns the ConfigError. */
function configError(...args: Parameters<typeof loadConfig>): ConfigError {
  let caught: unknown;
  try {
    loadConfig(...args);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return caught as ConfigError;
}

const demoSource = (over: Record<string, unknown> = {}) => ({
  id: 'demo',
  kind: 'rss',
  url: 'http://127.0.0.1:4000/feed.xml',
  ...over,
});

describe('loadConfig: defaults', () => {
  it('needs nothing but MONGODB_URL', () => {
    const config = loadConfig({ MONGODB_URL });

    expect(config.mongo).toEqual({ url: MONGODB_URL, dbName: 'maillon' });
    expect(config.redis).toEqual({ url: 'redis://127.0.0.1:6379', prefix: 'maillon' });
    expect(config.api.port).toBe(3000);
    expect(config.api.host).toBe('127.0.0.1');
    expect(config.api.publicUrl).toBe('http://127.0.0.1:3000');
    expect(config.nodeEnv).toBe('development');
    expect(config.log).toEqual({ level: 'info', format: 'json' });
    expect(config.http).toEqual({ timeoutMs: 15_000, maxBytes: 5 * 1024 * 1024 });
  });

  it('loads the default files shipped in config/ cleanly', () => {
    const config = loadConfig({ MONGODB_URL, CONFIG_DIR: DEFAULT_CONFIG_DIR });

    expect(config.sources.map((s) => s.id)).toEqual(['google-alerts-brand']);
    expect(config.sources[0]).toMatchObject({ kind: 'rss', enabled: false, every: 30 * 60_000 });
    expect(config.touchpoints.brand.name).toBe('Maison Lumière');
    // The default journey is the default preset (e-commerce) alone: no hotel rooms for a shop.
    expect(config.touchpoints.presets).toEqual(['e-commerce']);
    expect(config.touchpoints.touchpoints.map((t) => t.id)).toEqual([
      'advertising',
      'website',
      'pricing',
      'checkout',
      'delivery',
      'product',
      'returns',
      'support',
      'loyalty',
    ]);
    expect(config.touchpoints.watch).toContain('NOT');
    expect(config.alerts.channels).toEqual([
      expect.objectContaining({ id: 'console', type: 'log' }),
    ]);
    expect(config.detection).toBeDefined();
  });

  it('coerces numbers from environment strings', () => {
    const config = loadConfig({ MONGODB_URL, PORT: '8080', HTTP_TIMEOUT_MS: '2500' });

    expect(config.api.port).toBe(8080);
    expect(config.http.timeoutMs).toBe(2500);
    expect(config.api.publicUrl).toBe('http://127.0.0.1:8080');
  });

  it('drops the trailing slash of PUBLIC_URL', () => {
    const config = loadConfig({ MONGODB_URL, PUBLIC_URL: 'https://maillon.example.com/' });

    expect(config.api.publicUrl).toBe('https://maillon.example.com');
  });

  it('decodes the database name from the MONGODB_URL path', () => {
    const config = loadConfig({
      MONGODB_URL: 'mongodb://u:p@db.internal:27017/listening?tls=true',
    });

    expect(config.mongo.dbName).toBe('listening');
  });
});

describe('loadConfig: environment errors', () => {
  it('reports every problem at once', () => {
    const err = configError({ MONGODB_URL, PORT: 'abc', LOG_LEVEL: 'loud' });

    expect(err.issues).toHaveLength(2);
    expect(err.issues.some((i) => i.startsWith('environment: PORT:'))).toBe(true);
    expect(err.issues.some((i) => i.startsWith('environment: LOG_LEVEL:'))).toBe(true);
    expect(err.message).toContain('PORT');
    expect(err.message).toContain('LOG_LEVEL');
    expect(err.code).toBe('config_invalid');
  });

  it('names a missing MONGODB_URL', () => {
    const err = configError({});

    expect(err.issues).toEqual([expect.stringMatching(/^environment: MONGODB_URL:/)]);
  });

  it('refuses a MONGODB_URL that names no database', () => {
    for (const url of ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017/']) {
      const err = configError({ MONGODB_URL: url });

      expect(err.issues).toEqual([expect.stringMatching(/^environment: MONGODB_URL: .*database/)]);
    }
  });

  it('refuses a MONGODB_URL of another scheme', () => {
    const err = configError({ MONGODB_URL: 'postgres://127.0.0.1:5432/maillon' });

    expect(err.issues).toEqual([expect.stringMatching(/^environment: MONGODB_URL:/)]);
  });

  it('refuses out-of-range ports', () => {
    const err = configError({ MONGODB_URL, PORT: '70000' });

    expect(err.issues).toEqual([expect.stringMatching(/^environment: PORT:/)]);
  });

  it('ignores variables that are not its own', () => {
    const config = loadConfig({ MONGODB_URL, PATH: '/usr/bin', SOMETHING_ELSE: '???' });

    expect(config.mongo.dbName).toBe('maillon');
  });
});

describe('loadConfig: sources', () => {
  it.each([
    ['15m', 900_000],
    ['1h', 3_600_000],
    ['30s', 30_000],
    ['1d', 86_400_000],
    ['250ms', 250],
    [45_000, 45_000],
  ])('reads the duration %j as %i ms', (every, ms) => {
    const config = loadConfig({ MONGODB_URL }, { extraSources: [demoSource({ every })] });

    expect(config.sources.find((s) => s.id === 'demo')?.every).toBe(ms);
  });

  it('defaults every to 15 minutes and enabled to true', () => {
    const config = loadConfig({ MONGODB_URL }, { extraSources: [demoSource()] });

    expect(config.sources.find((s) => s.id === 'demo')).toMatchObject({
      every: 900_000,
      enabled: true,
    });
  });

  it.each(['soon', '15', '-1m', '1.5h', 0, -5, 1.5])('refuses the duration %j', (every) => {
    const err = configError({ MONGODB_URL }, { extraSources: [demoSource({ every })] });

    expect(err.issues).toEqual([expect.stringMatching(/^extra sources: 0\.every:/)]);
  });

  it('refuses duplicate source ids', () => {
    const err = configError(
      { MONGODB_URL },
      { extraSources: [demoSource(), demoSource({ url: 'http://127.0.0.1:4001/other.xml' })] },
    );

    expect(err.issues).toEqual(['sources.yaml: sources: duplicate id "demo"']);
  });

  it('refuses an extra source whose id repeats one of sources.yaml', () => {
    const err = configError(
      { MONGODB_URL },
      { extraSources: [demoSource({ id: 'google-alerts-brand' })] },
    );

    expect(err.issues).toEqual(['sources.yaml: sources: duplicate id "google-alerts-brand"']);
  });

  it('refuses source ids that could not travel in job ids and URLs', () => {
    const err = configError({ MONGODB_URL }, { extraSources: [demoSource({ id: 'My Feed' })] });

    expect(err.issues).toEqual([expect.stringMatching(/^extra sources: 0\.id:/)]);
  });

  it('refuses non-http source URLs and unknown kinds', () => {
    const err = configError(
      { MONGODB_URL },
      {
        extraSources: [
          demoSource({ url: 'file:///etc/passwd' }),
          demoSource({ id: 'b', kind: 'ftp' }),
        ],
      },
    );

    expect(err.issues).toHaveLength(2);
    expect(err.issues).toContainEqual(expect.stringMatching(/^extra sources: 0\.url:/));
    expect(err.issues).toContainEqual(expect.stringMatching(/^extra sources: 1\.kind:/));
  });
});

describe('loadConfig: YAML files', () => {
  it('names the file and the key of a bad value', () => {
    const CONFIG_DIR = dirWith({
      'sources.yaml':
        'sources:\n  - id: feed\n    kind: rss\n    every: soon\n    url: https://example.com/feed.xml\n',
    });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^sources\.yaml: sources\.0\.every: /);
  });

  it('names a misspelt key instead of dropping it', () => {
    const CONFIG_DIR = dirWith({
      'sources.yaml':
        'sources:\n  - id: feed\n    kind: rss\n    evry: 1h\n    url: https://example.com/feed.xml\n',
    });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toEqual([expect.stringMatching(/^sources\.yaml: sources\.0: .*evry/)]);
  });

  it('names a file that is not YAML', () => {
    const CONFIG_DIR = dirWith({ 'touchpoints.yaml': 'brand: [unclosed\n' });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toEqual([expect.stringMatching(/^touchpoints\.yaml: /)]);
  });

  it('reports problems of several files together', () => {
    const CONFIG_DIR = dirWith({
      'sources.yaml':
        'sources:\n  - id: feed\n    kind: rss\n    every: soon\n    url: https://example.com/\n',
      'alerts.yaml': 'channels:\n  - id: Bad Id\n    type: log\n',
    });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toHaveLength(2);
    expect(err.issues).toContainEqual(expect.stringMatching(/^sources\.yaml: sources\.0\.every:/));
    expect(err.issues).toContainEqual(expect.stringMatching(/^alerts\.yaml: channels\.0\.id:/));
  });

  it('treats an empty sources.yaml as no sources', () => {
    const CONFIG_DIR = dirWith({ 'sources.yaml': '# nothing yet\n' });

    expect(loadConfig({ MONGODB_URL, CONFIG_DIR }).sources).toEqual([]);
  });
});

describe('loadConfig: touchpoints.yaml', () => {
  const journey = (watch: string) =>
    [
      'brand:',
      '  name: Acme',
      `watch: '${watch}'`,
      'touchpoints:',
      '  - id: delivery',
      '    stage: receive',
      '    label: { fr: Livraison, en: Delivery }',
      '    keywords: { fr: [livraison], en: [delivery] }',
      '',
    ].join('\n');

  it('names the key and the position of a watch query that does not parse', () => {
    const CONFIG_DIR = dirWith({ 'touchpoints.yaml': journey('acme AND (job OR') });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toEqual([expect.stringMatching(/^touchpoints\.yaml: watch: .*position 17/)]);
  });

  it('defaults the watch query to the brand and product names', () => {
    const CONFIG_DIR = dirWith({
      'touchpoints.yaml': journey('x')
        .replace("watch: 'x'\n", '')
        .replace(
          '  name: Acme',
          '  name: Acme\n  aliases: [acme.fr]\n  products: [{ name: Roadrunner }]',
        ),
    });

    const { touchpoints } = loadConfig({ MONGODB_URL, CONFIG_DIR });

    expect(touchpoints.watch).toBe('"Acme" OR "acme.fr" OR "Roadrunner"');
    expect(touchpoints.brand.products).toEqual([{ name: 'Roadrunner', aliases: [] }]);
  });

  it('refuses unknown stages and keywords without letters', () => {
    const bad = journey('acme')
      .replace('stage: receive', 'stage: arrive')
      .replace('fr: [livraison]', 'fr: [livraison, "🙂"]');
    const CONFIG_DIR = dirWith({ 'touchpoints.yaml': bad });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toHaveLength(2);
    expect(err.issues).toContainEqual(
      expect.stringMatching(/^touchpoints\.yaml: touchpoints\.0\.stage:/),
    );
    expect(err.issues).toContainEqual(
      expect.stringMatching(/^touchpoints\.yaml: touchpoints\.0\.keywords\.fr\.1: has no letter/),
    );
  });

  it('refuses duplicate touchpoint ids', () => {
    const doubled = journey('acme').replace(
      'touchpoints:\n',
      'touchpoints:\n  - id: delivery\n    stage: buy\n    label: { fr: a, en: b }\n    keywords: { fr: [a], en: [b] }\n',
    );
    const CONFIG_DIR = dirWith({ 'touchpoints.yaml': doubled });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toEqual(['touchpoints.yaml: touchpoints.1.id: duplicate id "delivery"']);
  });
});

describe('loadConfig: journey presets', () => {
  const brand = 'brand:\n  name: Acme\n';
  const load = (yaml: string) =>
    loadConfig({ MONGODB_URL, CONFIG_DIR: dirWith({ 'touchpoints.yaml': brand + yaml }) })
      .touchpoints;
  const fails = (yaml: string) =>
    configError({ MONGODB_URL, CONFIG_DIR: dirWith({ 'touchpoints.yaml': brand + yaml }) }).issues;
  const ids = (yaml: string) => load(yaml).touchpoints.map((t) => t.id);

  it('takes the default preset when the file names neither a preset nor touchpoints', () => {
    const journey = load('');

    expect(journey.presets).toEqual(['e-commerce']);
    expect(journey.touchpoints.map((t) => t.id)).toContain('delivery');
    expect(journey.touchpoints.map((t) => t.id)).not.toContain('room');
  });

  it("selects a trade's preset, and merges several in stage order", () => {
    expect(ids('journey: { preset: cafe-restaurant }')).toEqual(
      expect.arrayContaining(['food', 'welcome', 'venue', 'delivery', 'checkout']),
    );
    expect(ids('journey: { preset: cafe-restaurant }')).not.toContain('room');
    const both = load('journey: { preset: [retail, e-commerce] }');
    expect(both.presets).toEqual(['retail', 'e-commerce']);
    expect(both.touchpoints.filter((t) => t.id === 'checkout')).toHaveLength(1);
    const checkout = both.touchpoints.find((t) => t.id === 'checkout')!;
    expect(checkout.keywords.fr).toEqual(expect.arrayContaining(['caisse', 'panier']));
    const stages = both.touchpoints.map((t) => t.stage);
    expect(stages).toEqual(stages.toSorted((a, b) => STAGES.indexOf(a) - STAGES.indexOf(b)));
  });

  it('drops what the brand does not have, adds to a preset touchpoint, and adds its own', () => {
    const journey = load(
      [
        'journey:',
        '  preset: cafe-restaurant',
        '  without: [booking, venue]',
        'touchpoints:',
        '  - id: food',
        '    keywords: { fr: [kouign-amann] }',
        '    exclude: [café acme]',
        '  - id: terrace-bar',
        '    stage: receive',
        '    label: { fr: Bar de la terrasse, en: Terrace bar }',
        '    keywords: { fr: [rooftop], en: [rooftop] }',
        '',
      ].join('\n'),
    );
    const tp = Object.fromEntries(journey.touchpoints.map((t) => [t.id, t]));

    expect(tp.booking).toBeUndefined();
    expect(tp.venue).toBeUndefined();
    expect(tp.food?.keywords.fr).toEqual(expect.arrayContaining(['croissant', 'kouign-amann']));
    expect(tp.food?.keywords.en).toContain('latte');
    expect(tp.food?.exclude).toContain('café acme');
    expect(tp['terrace-bar']).toMatchObject({ stage: 'receive', exclude: [] });
  });

  it('names an unknown preset, an unknown touchpoint to drop, and an incomplete new one', () => {
    expect(fails('journey: { preset: spaceport }')).toEqual([
      expect.stringMatching(/^touchpoints\.yaml: journey\.preset: .*e-commerce/),
    ]);
    expect(fails('journey: { preset: retail, without: [room] }')).toEqual([
      expect.stringMatching(
        /^touchpoints\.yaml: journey\.without\.0: no touchpoint "room" in retail/,
      ),
    ]);
    expect(
      fails(
        'journey: { preset: retail }\ntouchpoints:\n  - id: roof\n    keywords: { fr: [toit] }\n',
      ),
    ).toEqual([
      expect.stringMatching(
        /^touchpoints\.yaml: touchpoints\.0: "roof" is not a touchpoint of retail .*needs stage, label, keywords\.en$/,
      ),
    ]);
  });
});

describe('loadConfig: alert channels', () => {
  const slackAlerts = [
    'channels:',
    '  - id: slack-community',
    '    type: slack',
    '    webhookUrlEnv: COMMUNITY_WEBHOOK',
    '    lang: fr',
    '',
  ].join('\n');

  it('names alerts.yaml and the variable when the webhook variable is not set', () => {
    const CONFIG_DIR = dirWith({ 'alerts.yaml': slackAlerts });

    const err = configError({ MONGODB_URL, CONFIG_DIR });

    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatch(/^alerts\.yaml: channels\.0\.webhookUrlEnv: /);
    expect(err.issues[0]).toContain('COMMUNITY_WEBHOOK');
    expect(err.issues[0]).toContain('not set');
  });

  it('refuses a webhook variable that does not hold an http(s) URL', () => {
    const CONFIG_DIR = dirWith({ 'alerts.yaml': slackAlerts });

    const err = configError({ MONGODB_URL, CONFIG_DIR, COMMUNITY_WEBHOOK: 'not a url' });

    expect(err.issues).toEqual([expect.stringContaining('COMMUNITY_WEBHOOK')]);
    // The secret itself stays out of the message.
    expect(err.message).not.toContain('not a url');
  });

  it('resolves the webhook URL from the environment', () => {
    const CONFIG_DIR = dirWith({ 'alerts.yaml': slackAlerts });
    const webhookUrl = 'https://hooks.slack.example/services/T000/B000/XXXX';

    const config = loadConfig({ MONGODB_URL, CONFIG_DIR, COMMUNITY_WEBHOOK: webhookUrl });

    expect(config.alerts.channels).toEqual([
      {
        id: 'slack-community',
        type: 'slack',
        lang: 'fr',
        digestOnly: false,
        secrets: { webhookUrl },
      },
    ]);
  });

  it('defaults to one log channel when alerts.yaml names none', () => {
    const CONFIG_DIR = dirWith({ 'alerts.yaml': '# no channels\n' });

    expect(loadConfig({ MONGODB_URL, CONFIG_DIR }).alerts.channels).toEqual([
      { id: 'console', type: 'log', digestOnly: false, secrets: {} },
    ]);
  });
});

describe("loadConfig: the brand's time zone", () => {
  const shipped = (file: string) => readFileSync(path.join(DEFAULT_CONFIG_DIR, file), 'utf8');
  /** touchpoints.yaml as shipped, with `brand.timeZone` set to `tz` (or left out). */
  const touchpoints = (tz?: string) => {
    const text = shipped('touchpoints.yaml').replace(/^ {2}timeZone: .*\n/m, '');
    return tz ? text.replace(/^brand:\n/m, `brand:\n  timeZone: ${tz}\n`) : text;
  };
  /** detection.yaml as shipped, with its former `baseline.timeZone` set to `tz`. */
  const detection = (tz: string) =>
    shipped('detection.yaml').replace(/^baseline:\n/m, `baseline:\n  timeZone: ${tz}\n`);
  /** alerts.yaml with a digest, and its former `timezone` if `tz` is given. */
  const alerts = (tz?: string) =>
    [
      'channels:',
      '  - id: console',
      '    type: log',
      'digest:',
      '  channel: console',
      ...(tz ? [`  timezone: ${tz}`] : []),
      '',
    ].join('\n');
  const zones = (files: Record<string, string>) => {
    const config = loadConfig({ MONGODB_URL, CONFIG_DIR: dirWith(files) });
    return {
      brand: config.touchpoints.brand.timeZone,
      detection: config.detection.baseline.timeZone,
      digest: config.alerts.digest?.timezone,
    };
  };
  const issues = (files: Record<string, string>) =>
    configError({ MONGODB_URL, CONFIG_DIR: dirWith(files) }).issues;

  it("is touchpoints.yaml's brand.timeZone, shipped as Europe/Paris", () => {
    expect(shipped('touchpoints.yaml')).toMatch(/^ {2}timeZone: Europe\/Paris$/m);
    expect(shipped('detection.yaml')).not.toMatch(/timeZone:/);
    expect(zones({ 'alerts.yaml': alerts() })).toEqual({
      brand: 'Europe/Paris',
      detection: 'Europe/Paris',
      digest: 'Europe/Paris',
    });
  });

  it('sets the clock of the detector and of the digest', () => {
    expect(
      zones({ 'touchpoints.yaml': touchpoints('Asia/Kolkata'), 'alerts.yaml': alerts() }),
    ).toEqual({ brand: 'Asia/Kolkata', detection: 'Asia/Kolkata', digest: 'Asia/Kolkata' });
  });

  it('is Europe/Paris when nothing names one', () => {
    expect(zones({ 'touchpoints.yaml': touchpoints(), 'alerts.yaml': alerts() })).toEqual({
      brand: 'Europe/Paris',
      detection: 'Europe/Paris',
      digest: 'Europe/Paris',
    });
  });

  it("takes detection.yaml's former baseline.timeZone when touchpoints.yaml names none", () => {
    expect(
      zones({
        'touchpoints.yaml': touchpoints(),
        'detection.yaml': detection('America/Montreal'),
        'alerts.yaml': alerts(),
      }),
    ).toEqual({
      brand: 'America/Montreal',
      detection: 'America/Montreal',
      digest: 'America/Montreal',
    });
  });

  it("takes alerts.yaml's former digest.timezone when touchpoints.yaml names none", () => {
    expect(zones({ 'touchpoints.yaml': touchpoints(), 'alerts.yaml': alerts('UTC') })).toEqual({
      brand: 'UTC',
      detection: 'UTC',
      digest: 'UTC',
    });
  });

  it('accepts a former key that says the same as brand.timeZone', () => {
    expect(
      zones({
        'touchpoints.yaml': touchpoints('UTC'),
        'detection.yaml': detection('UTC'),
        'alerts.yaml': alerts('UTC'),
      }).brand,
    ).toBe('UTC');
  });

  it('names both keys when a former one differs from brand.timeZone', () => {
    const found = issues({
      'touchpoints.yaml': touchpoints('Europe/Paris'),
      'detection.yaml': detection('UTC'),
      'alerts.yaml': alerts('Europe/London'),
    });

    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^touchpoints\.yaml: brand\.timeZone: "Europe\/Paris" differs from /);
    expect(found[0]).toContain('detection.yaml\'s baseline.timeZone "UTC"');
    expect(found[1]).toMatch(/^touchpoints\.yaml: brand\.timeZone: /);
    expect(found[1]).toContain('alerts.yaml\'s digest.timezone "Europe/London"');
  });

  it('names both former keys when they differ and touchpoints.yaml names none', () => {
    const found = issues({
      'touchpoints.yaml': touchpoints(),
      'detection.yaml': detection('UTC'),
      'alerts.yaml': alerts('Europe/London'),
    });

    expect(found).toEqual([
      expect.stringMatching(
        /^detection\.yaml: baseline\.timeZone: "UTC" differs from alerts\.yaml's digest\.timezone "Europe\/London"/,
      ),
    ]);
  });

  it('refuses a zone Intl does not know', () => {
    expect(issues({ 'touchpoints.yaml': touchpoints('Europe/Lutece') })).toEqual([
      expect.stringMatching(/^touchpoints\.yaml: brand\.timeZone: expected an IANA time zone/),
    ]);
  });
});
