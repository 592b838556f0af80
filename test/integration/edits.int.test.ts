/**
 * Edits and cross-posts through the real door, store and count drain: a re-polled item whose
 * text changed takes the new text and reading, its counts moving once; the same text posted by
 * one author on several sources is stored on each, linked, and counted once.
 */
import { ObjectId } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMention } from '../../src/domain/mention.js';
import { acceptMentions } from '../../src/ingest/accept.js';
import { mentionId } from '../../src/store/mentions-repository.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ workers: [], api: false });
});
afterAll(async () => {
  await app?.stop();
});

const at = new Date('2026-11-02T10:00:00Z');
const item = (text: string) =>
  parseMention(
    {
      source: 'reviews-site',
      externalId: 'review-42',
      url: 'https://reviews.example/42',
      author: { id: 'lea', name: 'Léa' },
      text,
      lang: 'fr',
      publishedAt: at.toISOString(),
    },
    { now: new Date('2026-11-02T12:00:00Z') },
  );

const delivery = async () => {
  const [b] = await app.rt.counts.range({
    dim: 'touchpoint',
    key: 'delivery',
    size: '1d',
    from: new Date('2026-11-02T00:00:00Z'),
    to: new Date('2026-11-03T00:00:00Z'),
  });
  return { volume: b?.volume ?? 0, negative: b?.negative ?? 0, positive: b?.positive ?? 0 };
};
const drain = async () => {
  while ((await app.rt.counts.drain()).counted > 0);
};

describe('an edited mention', () => {
  it('is rewritten, and its counts follow its new reading once', async () => {
    const door = app.rt.acceptDeps;
    const now = new Date('2026-11-02T12:00:00Z');
    const first = await acceptMentions(
      door,
      [item('Livraison catastrophique, colis jamais reçu, trois semaines de retard.')],
      now,
    );
    await drain();
    expect(first).toMatchObject({ accepted: 1, edited: 0 });
    expect(await delivery()).toEqual({ volume: 1, negative: 1, positive: 0 });

    const edited = item('Mise à jour : colis enfin reçu, livraison rapide et livreur adorable.');
    const second = await acceptMentions(door, [edited], now);
    const again = await acceptMentions(door, [edited], now);
    await drain();

    expect(second).toMatchObject({ accepted: 0, duplicates: 0, edited: 1 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, edited: 0 });
    expect(await delivery()).toEqual({ volume: 1, negative: 0, positive: 1 });
    const stored = await app.rt.mentions.findById(mentionId('reviews-site', 'review-42'));
    expect(stored).toMatchObject({ text: edited.text, version: 1 });
    expect(stored?.sentiment?.label).toBe('positive');
    expect(await app.rt.mongo.db.collection('mentions').countDocuments({})).toBe(1);
  });
});

describe('a cross-post', () => {
  it('is stored on each source, linked to the first, and counted once', async () => {
    const text =
      'Colis perdu depuis dix jours, livraison catastrophique et aucune réponse du transporteur.';
    const post = (
      source: string,
      authorId: string,
      externalId: string,
      t = text,
      name = 'Marc Dupont',
    ) =>
      parseMention(
        {
          source,
          externalId,
          url: `https://${source}.example/${externalId}`,
          author: { id: authorId, name },
          text: t,
          lang: 'fr',
          publishedAt: '2026-11-09T08:00:00Z',
        },
        { now: new Date('2026-11-09T12:00:00Z') },
      );
    const now = new Date('2026-11-09T12:00:00Z');
    const door = app.rt.acceptDeps;
    const week = async () => {
      const [b] = await app.rt.counts.range({
        dim: 'touchpoint',
        key: 'delivery',
        size: '1d',
        from: new Date('2026-11-09T00:00:00Z'),
        to: new Date('2026-11-10T00:00:00Z'),
      });
      return b?.negative ?? 0;
    };

    const first = await acceptMentions(door, [post('trustpilot', 'u-1', 'a')], now);
    const copies = await acceptMentions(
      door,
      [
        post('reddit', 't2_marc', 'b'),
        post('mastodon', 'marc@piaille.fr', 'c'),
        // Someone else saying the same is another voice; so is the same person saying more.
        post('reddit', 't2_other', 'd', text, 'Anne'),
        // The same text twice on one site is a repeat there, counted as such.
        post('trustpilot', 'u-1', 'f'),
        post('mastodon', 'marc@piaille.fr', 'e', `${text} Et le service client ne répond pas.`),
      ],
      now,
    );
    const again = await acceptMentions(door, [post('reddit', 't2_marc', 'b')], now);
    await drain();

    expect(first).toMatchObject({ accepted: 1, crossPosts: 0 });
    expect(copies).toMatchObject({ accepted: 5, crossPosts: 2 });
    expect(again).toMatchObject({ accepted: 0, duplicates: 1, crossPosts: 0 });
    const original = mentionId('trustpilot', 'a');
    expect(await app.rt.mentions.findById(mentionId('reddit', 'b'))).toMatchObject({
      crossPostOf: original,
    });
    expect(await app.rt.mentions.findById(mentionId('mastodon', 'c'))).toMatchObject({
      crossPostOf: original,
    });
    expect((await app.rt.mentions.findById(mentionId('reddit', 'd')))?.crossPostOf).toBeUndefined();
    expect(await week()).toBe(4);
  });
});

describe('a mention an earlier version stored field by field', () => {
  it('reads as it was, takes the JSON shape when edited, and keeps its text when corrected', async () => {
    const now = new Date('2026-11-02T12:00:00Z');
    const legacy = (externalId: string, text: string) => {
      const m = parseMention(
        {
          source: 'reviews-site',
          externalId,
          url: `https://reviews.example/${externalId}`,
          author: { id: 'paul', name: 'Paul' },
          text,
          publishedAt: at.toISOString(),
        },
        { now },
      );
      const analysis = app.rt.acceptDeps.analyze(m);
      return {
        m,
        analysis,
        doc: {
          _id: new ObjectId(mentionId(m.source, externalId)),
          ...m,
          ...analysis,
          status: 'analyzed',
          fetchedAt: at,
          createdAt: at,
          updatedAt: at,
        },
      };
    };
    const mentions = app.rt.mongo.db.collection('mentions');
    const edited = legacy('legacy-edit', 'Livraison en retard, colis abîmé, service client muet.');
    const corrected = legacy('legacy-correct', 'Le livreur a laissé le colis sous la pluie.');
    await mentions.insertMany([edited.doc, corrected.doc] as never[]);

    const read = await app.rt.mentions.findById(edited.doc._id.toHexString());
    expect(read).toMatchObject({
      text: edited.m.text,
      author: edited.m.author,
      lang: edited.analysis.lang,
      sentiment: edited.analysis.sentiment,
      touchpoints: edited.analysis.touchpoints,
      status: 'analyzed',
      fetchedAt: at,
    });

    const newText = 'Finalement livré et remboursé, merci au service client.';
    await acceptMentions(app.rt.acceptDeps, [{ ...edited.m, text: newText }], now);
    const raw = await mentions.findOne({ _id: edited.doc._id });
    expect(raw).toMatchObject({ i: expect.any(String), a: expect.any(String), version: 1 });
    expect(raw).not.toHaveProperty('text');
    expect(raw).not.toHaveProperty('sentiment');
    expect(await app.rt.mentions.findById(edited.doc._id.toHexString())).toMatchObject({
      text: newText,
      author: edited.m.author,
      fetchedAt: at,
      version: 1,
    });

    const id = corrected.doc._id.toHexString();
    const reading = {
      ...corrected.analysis,
      sentiment: { ...corrected.analysis.sentiment, label: 'positive' as const },
    };
    await app.rt.mentions.saveCorrection(id, reading, 1, { by: 'claire', at: now });
    expect(await app.rt.mentions.findById(id)).toMatchObject({
      text: corrected.m.text,
      url: corrected.m.url,
      sentiment: { label: 'positive' },
      correctedBy: 'claire',
      version: 1,
    });
  });
});
