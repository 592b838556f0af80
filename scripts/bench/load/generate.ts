/**
 * What `npm run bench:load` feeds Maillon: a busy brand's FR/EN mentions in the wire shape of
 * `maillon import` and `POST /api/v1/mentions`, written from the frozen phrase bank of the
 * detection bench (scripts/bench/detect/phrases/), and the alert-latency scenes: touchpoints of
 * the bench's own, each with a quiet history, then a burst of complaints from many people.
 *
 * Sizes are those of the sites: posts on social networks are one text of the bank (60 to 120
 * characters, tagged with the brand when they do not name it, as a search finds them); reviews
 * (Trustpilot, Google) have a title, a rating and two or three sentences.
 */
import { mulberry32 } from '../../../src/demo/scenario.js';
import {
  BANK_TOUCHPOINTS,
  PhraseBank,
  VARIANTS,
  type Lang,
  type Polarity,
} from '../detect/scenario-bank.js';

/** The wire shape (src/domain/mention.ts). */
export interface WireMention {
  source: string;
  externalId: string;
  url: string;
  author: { id: string; name: string; followers: number };
  title?: string;
  text: string;
  lang?: string;
  publishedAt: string;
  rating?: number;
  engagement: { likes: number; shares: number; replies: number };
}

export interface BenchSource {
  id: string;
  /** A search: the watch query decides relevance (configured with `watch: true`). */
  watched: boolean;
  /** The network says the post's language. */
  declaresLang: boolean;
  review: boolean;
  weight: number;
}

/** The sites, as the bench's sources.yaml lists them (disabled: nothing is polled). */
export const BENCH_SOURCES: readonly BenchSource[] = [
  { id: 'trustpilot', watched: false, declaresLang: false, review: true, weight: 0.15 },
  { id: 'google-reviews', watched: false, declaresLang: false, review: true, weight: 0.1 },
  { id: 'reddit', watched: true, declaresLang: false, review: false, weight: 0.2 },
  { id: 'mastodon', watched: true, declaresLang: true, review: false, weight: 0.15 },
  { id: 'bluesky', watched: true, declaresLang: true, review: false, weight: 0.15 },
  { id: 'x', watched: true, declaresLang: true, review: false, weight: 0.25 },
];

const DAY_MS = 86_400_000;
const TITLES: Record<Lang, Record<Polarity, string[]>> = {
  fr: {
    negative: ['Très déçue', 'À éviter', 'Pas sérieux', 'Plus jamais', 'Décevant'],
    neutral: ['Avis mitigé', 'Correct', 'Sans plus', 'Mon avis'],
    positive: ['Parfait', 'Je recommande', 'Très satisfaite', 'Super boutique'],
  },
  en: {
    negative: ['Very disappointed', 'Avoid', 'Not good enough', 'Never again', 'Let down'],
    neutral: ['Mixed feelings', 'It was ok', 'Average', 'My review'],
    positive: ['Perfect', 'Highly recommend', 'Very happy', 'Lovely shop'],
  },
};
const RATING: Record<Polarity, number[]> = {
  negative: [1, 1, 2],
  neutral: [3, 3, 4],
  positive: [4, 5, 5],
};

export type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => {
  const x = xs[Math.floor(r() * xs.length)];
  if (x === undefined) throw new Error('pick from an empty list');
  return x;
};
function gauss(r: Rand): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** One site's mention of the brand, of a random touchpoint and mood. */
export class MentionWriter {
  private readonly r: Rand;
  private seq = 0;

  constructor(
    private readonly bank: PhraseBank,
    private readonly runId: string,
    seed: number,
  ) {
    this.r = mulberry32(seed);
  }

  private source(): BenchSource {
    let x = this.r();
    for (const s of BENCH_SOURCES) {
      x -= s.weight;
      if (x < 0) return s;
    }
    return BENCH_SOURCES[BENCH_SOURCES.length - 1]!;
  }

  private polarity(): Polarity {
    const x = this.r();
    return x < 0.22 ? 'negative' : x < 0.6 ? 'positive' : 'neutral';
  }

  /** A template: mostly one touchpoint, some naming two, some chatter and news. */
  private template(lang: Lang, p: Polarity): number {
    const r = this.r;
    const x = r();
    if (x < 0.76) return pick(r, this.bank.single[lang][pick(r, BANK_TOUCHPOINTS)][p]);
    if (x < 0.83) return pick(r, this.bank.mixed[lang]);
    if (x < 0.97) return pick(r, this.bank.chatter[lang]);
    const news = this.bank.news[lang];
    return pick(r, news[pick(r, Object.keys(news))] ?? []);
  }

  /** One mention published at `at` (ms). */
  write(at: number): WireMention {
    const r = this.r;
    const src = this.source();
    const lang: Lang = r() < 0.55 ? 'fr' : 'en';
    const p = this.polarity();
    const text = (tmpl: number) =>
      this.bank.text(this.bank.render(tmpl, Math.floor(r() * VARIANTS), !src.review));
    let body = text(this.template(lang, p));
    if (src.review) {
      // A review: two or three sentences about the same visit.
      for (let k = 1 + Math.floor(r() * 2); k > 0; k--) body += ` ${text(this.template(lang, p))}`;
    }
    const id = `${this.runId}-${this.seq++}`;
    const author = `${src.id}-u${Math.floor(r() * 60_000)}`;
    const likes = Math.floor(Math.exp(1 + 1.2 * gauss(r)));
    return {
      source: src.id,
      externalId: id,
      url: `https://${src.id}.example/p/${id}`,
      author: {
        id: author,
        name: author,
        followers: Math.min(2_000_000, Math.floor(Math.exp(4.5 + 1.6 * gauss(r)))),
      },
      ...(src.review ? { title: pick(r, TITLES[lang][p]), rating: pick(r, RATING[p]) } : {}),
      text: body,
      ...(src.declaresLang ? { lang } : {}),
      publishedAt: new Date(at).toISOString(),
      engagement: {
        likes,
        shares: r() < 0.08 ? Math.floor(1 + 40 * r() ** 3) : 0,
        replies: Math.floor(likes * r() * 0.3),
      },
    };
  }

  /** `n` mentions spread evenly (with jitter) over [from, from + n / perDay days), in order. */
  *span(from: number, n: number, perDay: number): Generator<WireMention> {
    const step = DAY_MS / perDay;
    for (let i = 0; i < n; i++) yield this.write(from + (i + this.r() * 0.999) * step);
  }
}

/** The bench's own touchpoints for alert latency: made-up products nobody else writes about. */
export interface LatencyTouchpoint {
  id: string;
  /** The product's name: the touchpoint's one keyword, in both languages. */
  name: string;
}

const SYLLABLES = ['ka', 'lo', 'vi', 'ra', 'mu', 'ze', 'tor', 'bel', 'nis', 'quo', 'dar', 'fen'];

export function latencyTouchpoints(n: number): LatencyTouchpoint[] {
  return Array.from({ length: n }, (_, i) => {
    const s = (k: number) => SYLLABLES[k % SYLLABLES.length]!;
    const name = `${s(i)}${s(Math.floor(i / SYLLABLES.length) + 3)}${s(i + 7)}x`;
    return { id: `bench-tp-${String(i + 1).padStart(2, '0')}`, name };
  });
}

/** touchpoints.yaml entries (appended to the default journey's `touchpoints:`). */
export function latencyTouchpointsYaml(tps: LatencyTouchpoint[]): string {
  return tps
    .map(
      (t) =>
        `  - id: ${t.id}\n    stage: stay-loyal\n    label: { fr: 'Bench ${t.name}', en: 'Bench ${t.name}' }\n    keywords: { fr: [${t.name}], en: [${t.name}] }\n`,
    )
    .join('');
}

const QUIET: Record<Lang, string[]> = {
  en: [
    'Got my {p} from Maison Lumière today, nice.',
    'Love the {p} from Maison Lumière, lovely finish.',
    'The {p} by Maison Lumière looks great in the living room.',
    'Ordered a {p} from Maison Lumière for my sister.',
    'Anyone tried the {p} from Maison Lumière?',
  ],
  fr: [
    'Reçu mon {p} Maison Lumière aujourd’hui, très joli.',
    'J’adore le {p} de Maison Lumière, superbe finition.',
    'Le {p} Maison Lumière rend très bien dans le salon.',
    'Commandé un {p} chez Maison Lumière pour ma sœur.',
    'Quelqu’un a essayé le {p} de Maison Lumière ?',
  ],
};
const QUIET_NEGATIVE: Record<Lang, string[]> = {
  en: ['The {p} from Maison Lumière is a bit disappointing.'],
  fr: ['Le {p} de Maison Lumière est un peu décevant.'],
};
/** Fifteen distinct complaints a language: thirty people, thirty texts. */
const COMPLAINTS: Record<Lang, string[]> = {
  en: [
    'My {p} from Maison Lumière arrived broken and nobody answers. Terrible.',
    'The {p} from Maison Lumière is a terrible disappointment.',
    'My Maison Lumière {p} stopped working after two days, awful.',
    'The {p} is the worst thing I ever bought from Maison Lumière.',
    'Maison Lumière {p} fell apart already, what a waste of money.',
    'Avoid the {p} from Maison Lumière, it is a scam.',
    'My {p} from Maison Lumière broke on first use, very disappointed.',
    'The Maison Lumière {p} is useless and badly made.',
    'Horrible quality on the {p}, Maison Lumière should be ashamed.',
    'The {p} from Maison Lumière is overpriced junk.',
    'Maison Lumière {p}: dreadful, never again.',
    'My {p} from Maison Lumière cracked within a week, poor quality.',
    'The {p} is a nightmare, I hate it. Maison Lumière, fix this.',
    'Cheap and ugly, the Maison Lumière {p} is awful.',
    'So angry about my {p} from Maison Lumière, it is defective.',
  ],
  fr: [
    'Mon {p} Maison Lumière est arrivé cassé, inadmissible.',
    'Le {p} de Maison Lumière est une horrible déception.',
    'Mon {p} Maison Lumière ne marche plus après deux jours, nul.',
    'Le {p} est le pire achat que j’ai fait chez Maison Lumière.',
    'Le {p} Maison Lumière s’est cassé, quel gâchis.',
    'Fuyez le {p} de Maison Lumière, c’est une arnaque.',
    'Mon {p} Maison Lumière a cassé dès la première utilisation, très déçue.',
    'Le {p} Maison Lumière est inutilisable et mal fait.',
    'Qualité horrible pour le {p}, honte à Maison Lumière.',
    'Le {p} de Maison Lumière est une camelote hors de prix.',
    'Maison Lumière, votre {p} est lamentable, plus jamais.',
    'Mon {p} Maison Lumière est fissuré au bout d’une semaine, mauvaise qualité.',
    'Ce {p} est un cauchemar, je le déteste. Maison Lumière, réagissez.',
    'Moche et bas de gamme, le {p} Maison Lumière est affreux.',
    'Furieuse à cause de mon {p} Maison Lumière, il est défectueux.',
  ],
};

const SOCIAL = BENCH_SOURCES.filter((s) => !s.review);

function sceneMention(
  r: Rand,
  id: string,
  author: string,
  text: string,
  lang: Lang,
  at: number,
): WireMention {
  const src = pick(r, SOCIAL);
  return {
    source: src.id,
    externalId: id,
    url: `https://${src.id}.example/p/${id}`,
    author: { id: author, name: author, followers: Math.floor(50 + r() * 800) },
    text,
    ...(src.declaresLang ? { lang } : {}),
    publishedAt: new Date(at).toISOString(),
    engagement: { likes: Math.floor(r() * 5), shares: 0, replies: Math.floor(r() * 3) },
  };
}

/** `days` of quiet talk about each touchpoint, about `perDay` a day, before `until`. */
export function quietHistory(
  tps: LatencyTouchpoint[],
  runId: string,
  until: number,
  days: number,
  perDay: number,
  seed: number,
): WireMention[] {
  const r = mulberry32(seed);
  const out: WireMention[] = [];
  for (const tp of tps) {
    const n = Math.round(days * perDay);
    for (let i = 0; i < n; i++) {
      const lang: Lang = r() < 0.5 ? 'fr' : 'en';
      const bank = r() < 0.1 ? QUIET_NEGATIVE : QUIET;
      const text = pick(r, bank[lang]).replaceAll('{p}', tp.name);
      const at = until - days * DAY_MS + (i + r()) * (DAY_MS / perDay);
      out.push(
        sceneMention(r, `${runId}-q-${tp.id}-${i}`, `fan${Math.floor(r() * 1e6)}`, text, lang, at),
      );
    }
  }
  return out.toSorted((a, b) => a.publishedAt.localeCompare(b.publishedAt));
}

/** A burst of `n` complaints about `tp` from `n` people, published at `at`. */
export function burst(
  tp: LatencyTouchpoint,
  runId: string,
  at: number,
  n: number,
  seed: number,
): WireMention[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => {
    const lang: Lang = i % 2 === 0 ? 'fr' : 'en';
    const list = COMPLAINTS[lang];
    const text = list[Math.floor(i / 2) % list.length]!.replaceAll('{p}', tp.name);
    const who = `angry${seed}x${i}`;
    return sceneMention(r, `${runId}-b-${tp.id}-${i}`, who, text, lang, at - i * 1_000);
  });
}

export { PhraseBank };
