import { UnrecoverableError } from 'bullmq';
import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../config/index.js';
import { alertKey, isTriggered, windowStart } from '../../src/alerts/rules.js';
import { slackMessage } from '../../src/alerts/slack-message.js';
import type { Alert } from '../../src/domain/alert.js';
import {
  DeliveryError,
  NotFoundError,
  SourceHttpError,
  SourceParseError,
  ValidationError,
} from '../../src/errors.js';
import { classifyForQueue } from '../../src/jobs/_errors.js';

describe('alert rules', () => {
  const HOUR = 3_600_000;
  const rule: AlertRule = {
    id: 'negative-burst',
    description: '',
    window: HOUR,
    minNegative: 5,
    severity: 'warning',
  };

  it('aligns windows on multiples of their length since the epoch', () => {
    expect(windowStart(new Date('2026-01-02T10:59:59.999Z'), HOUR)).toEqual(
      new Date('2026-01-02T10:00:00.000Z'),
    );
    expect(windowStart(new Date('2026-01-02T11:00:00.000Z'), HOUR)).toEqual(
      new Date('2026-01-02T11:00:00.000Z'),
    );
    expect(windowStart(new Date('2026-01-02T11:14:59Z'), 15 * 60_000)).toEqual(
      new Date('2026-01-02T11:00:00Z'),
    );
    expect(windowStart(new Date('2026-01-02T23:30:00Z'), 24 * HOUR)).toEqual(
      new Date('2026-01-02T00:00:00Z'),
    );
  });

  it('gives the same key to the same rule and window, another to another window', () => {
    const start = windowStart(new Date('2026-01-02T10:20:00Z'), HOUR);
    const key = alertKey(rule, start);

    expect(key).toBe('negative-burst@2026-01-02T10:00:00.000Z');
    expect(alertKey({ ...rule }, windowStart(new Date('2026-01-02T10:59:00Z'), HOUR))).toBe(key);
    expect(alertKey(rule, windowStart(new Date('2026-01-02T11:00:00Z'), HOUR))).not.toBe(key);
    expect(alertKey({ ...rule, id: 'other' }, start)).not.toBe(key);
  });

  it('triggers from minNegative on', () => {
    expect(isTriggered(rule, 4)).toBe(false);
    expect(isTriggered(rule, 5)).toBe(true);
    expect(isTriggered(rule, 6)).toBe(true);
  });
});

/** What these tests read of a Block Kit block. */
interface Block {
  type: string;
  text?: { type: string; text: string };
}

describe('slackMessage', () => {
  const alert: Alert = {
    id: 'a1',
    key: 'negative-burst@2026-01-02T10:00:00.000Z',
    ruleId: 'negative-burst',
    severity: 'warning',
    title: 'Several negative mentions within the same hour',
    openedAt: new Date('2026-01-02T10:40:00Z'),
    windowStart: new Date('2026-01-02T10:00:00Z'),
    windowEnd: new Date('2026-01-02T11:00:00Z'),
    evidence: {
      negative: 6,
      threshold: 5,
      quotes: [
        {
          mentionId: 'm1',
          source: 'reviews',
          url: 'https://reviews.example.com/r/1',
          author: 'Eve <eve@example.com>',
          quote: 'Broken <script>alert(1)</script> & late\nagain',
          publishedAt: new Date('2026-01-02T10:10:00Z'),
        },
      ],
    },
    status: 'open',
    createdAt: new Date('2026-01-02T10:41:00Z'),
  };
  const alertUrl = 'https://maillon.example.com/api/v1/alerts/a1';

  it('speaks the channel language', () => {
    const en = JSON.stringify(slackMessage(alert, { lang: 'en', alertUrl }));
    const fr = JSON.stringify(slackMessage(alert, { lang: 'fr', alertUrl }));

    expect(fr).not.toBe(en);
    expect(fr).toContain('négatives');
    expect(fr).toContain('Bouche-à-oreille négatif');
    expect(en).toContain('negative mentions');
    expect(en).not.toContain('négatives');
  });

  it('states the count, threshold and window in UTC', () => {
    const msg = slackMessage(alert, { lang: 'en', alertUrl });

    expect(msg.text).toBe(
      'Negative word of mouth: Several negative mentions within the same hour (warning)',
    );
    expect(JSON.stringify(msg.blocks)).toContain(
      '*6* negative mentions between 2026-01-02 10:00 UTC and 2026-01-02 11:00 UTC (threshold 5).',
    );
  });

  it('escapes quotes and authors for Slack mrkdwn', () => {
    const blocks = slackMessage(alert, { lang: 'en', alertUrl }).blocks as Block[];
    const text = blocks.find((b) => b.type === 'section' && b.text?.text.startsWith('> '))?.text
      ?.text;

    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; late again');
    expect(text).toContain('Eve &lt;eve@example.com&gt;');
    expect(text).not.toContain('<script>');
    expect(text).toContain('<https://reviews.example.com/r/1|reviews>');
  });

  it('links its button to the alert', () => {
    const msg = slackMessage(alert, { lang: 'fr', alertUrl });
    const actions = msg.blocks.find((b) => b.type === 'actions');

    expect(actions).toEqual({
      type: 'actions',
      elements: [
        { type: 'button', text: { type: 'plain_text', text: "Ouvrir l'alerte" }, url: alertUrl },
      ],
    });
  });

  it('keeps the header within the 150 characters Slack allows', () => {
    const blocks = slackMessage({ ...alert, title: 'x'.repeat(400) }, { lang: 'en', alertUrl })
      .blocks as Block[];

    expect(blocks[0]?.type).toBe('header');
    expect(blocks[0]?.text?.text).toHaveLength(150);
  });
});

describe('classifyForQueue', () => {
  it.each([
    ['a parse error', new SourceParseError('feed', 'not a feed')],
    ['a 404', new SourceHttpError('feed', 'gone', { status: 404 })],
    ['a 401', new SourceHttpError('feed', 'who are you', { status: 401 })],
    ['a refused delivery (400)', new DeliveryError('slack', 'invalid_payload', { status: 400 })],
    ['a validation error', new ValidationError('job', [{ path: 'sourceId', message: 'required' }])],
    ['a missing record', new NotFoundError('alert', 'a1')],
  ])('stops retrying %s', (_what, err) => {
    const out = classifyForQueue(err);

    expect(out).toBeInstanceOf(UnrecoverableError);
    expect((out as Error).message).toBe(err.message);
  });

  it.each([
    ['a 429', new SourceHttpError('feed', 'slow down', { status: 429, retryAfterMs: 7000 })],
    ['a 408', new SourceHttpError('feed', 'timeout', { status: 408 })],
    ['a 503', new SourceHttpError('feed', 'unavailable', { status: 503 })],
    ['a network failure', new SourceHttpError('feed', 'ECONNREFUSED')],
    ['a failed delivery (500)', new DeliveryError('slack', 'boom', { status: 500 })],
    ['a delivery that never got an answer', new DeliveryError('slack', 'ETIMEDOUT')],
    ['a plain Error', new Error('unexpected')],
  ])('returns %s as is, to be retried', (_what, err) => {
    expect(classifyForQueue(err)).toBe(err);
  });

  it('returns values that are not errors as is', () => {
    expect(classifyForQueue('oops')).toBe('oops');
  });
});
