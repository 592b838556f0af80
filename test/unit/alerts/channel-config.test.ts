/**
 * Teams and e-mail channels in alerts.yaml: their settings validated with their own schemas,
 * their secrets named by `<secret>Env` and resolved from the environment, the e-mail login
 * optional (a relay that takes mail without one), and the commented examples of the shipped
 * alerts.yaml valid once uncommented.
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_DIR, loadConfig } from '../../../config/index.js';
import { ConfigError } from '../../../src/errors.js';
import { configDir } from '../../helpers/config-dir.js';

const MONGODB_URL = 'mongodb://127.0.0.1:27017/maillon';
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function load(alertsYaml: string, env: Record<string, string> = {}) {
  const CONFIG_DIR = configDir({ 'alerts.yaml': alertsYaml });
  tempDirs.push(CONFIG_DIR);
  return loadConfig({ MONGODB_URL, CONFIG_DIR, ...env });
}

function issues(alertsYaml: string, env: Record<string, string> = {}): string[] {
  let caught: unknown;
  try {
    load(alertsYaml, env);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  return (caught as ConfigError).issues;
}

const teams = 'channels:\n  - { id: teams-cm, type: teams, urlEnv: TEAMS_URL, lang: fr }\n';
const mail = [
  'channels:',
  '  - id: mail-cm',
  '    type: email',
  '    host: smtp.example.com',
  '    from: alerts@example.com',
  '    to: [cm@example.com, lead@example.com]',
  '',
].join('\n');

describe('alerts.yaml: Teams and e-mail channels', () => {
  it('resolves the Teams webhook URL from the environment, and refuses one that is not http(s)', () => {
    const url = 'https://example.webhook.office.com/webhookb2/x/IncomingWebhook/y/z';
    expect(load(teams, { TEAMS_URL: url }).alerts.channels).toEqual([
      { id: 'teams-cm', type: 'teams', lang: 'fr', digestOnly: false, secrets: { url } },
    ]);
    expect(issues(teams)).toEqual([
      expect.stringMatching(/^alerts\.yaml: channels\.0\.urlEnv: .*TEAMS_URL.*not set/),
    ]);
    expect(issues(teams, { TEAMS_URL: 'ftp://x' })).toEqual([
      expect.stringContaining('must hold an http(s) URL'),
    ]);
  });

  it('takes an e-mail channel without a login, with its defaults', () => {
    expect(load(mail).alerts.channels).toEqual([
      {
        id: 'mail-cm',
        type: 'email',
        digestOnly: false,
        host: 'smtp.example.com',
        port: 587,
        secure: false,
        starttls: true,
        from: 'alerts@example.com',
        fromName: 'Maillon',
        to: ['cm@example.com', 'lead@example.com'],
        lang: 'en',
        secrets: {},
      },
    ]);
  });

  it('resolves the login when the file names it, and says which variable is missing', () => {
    const withLogin = `${mail}    userEnv: SMTP_USER\n    passwordEnv: SMTP_PASSWORD\n`;
    const config = load(withLogin, { SMTP_USER: 'maillon', SMTP_PASSWORD: 's3cret' });
    expect(config.alerts.channels[0]?.secrets).toEqual({ user: 'maillon', password: 's3cret' });
    const missing = issues(withLogin, { SMTP_USER: 'maillon' });
    expect(missing).toEqual([
      expect.stringMatching(/^alerts\.yaml: channels\.0\.passwordEnv: .*SMTP_PASSWORD.*not set/),
    ]);
    expect(missing.join()).not.toContain('maillon');
  });

  it('refuses a recipient that is not an address', () => {
    expect(issues(mail.replace('lead@example.com', 'lead'))).toEqual([
      expect.stringMatching(/^alerts\.yaml: channels\.0\.to\.1: /),
    ]);
  });

  it('loads the commented examples of the shipped alerts.yaml once uncommented', () => {
    const shipped = readFileSync(path.join(DEFAULT_CONFIG_DIR, 'alerts.yaml'), 'utf8');
    const start = shipped.indexOf('  # - id: teams-');
    expect(start).toBeGreaterThan(0);
    // The Teams and e-mail examples, up to the next blank line.
    const block = shipped.slice(start, shipped.indexOf('\n\n', start));
    const examples = block.replace(/^ {2}# ?/gm, '  ');
    const config = load(`channels:\n${examples}\n`, {
      TEAMS_WEBHOOK_URL: 'https://example.webhook.office.com/x',
      SMTP_USER: 'u',
      SMTP_PASSWORD: 'p',
    });
    expect(config.alerts.channels.map((c) => c.type)).toEqual(['teams', 'email']);
  });
});
