/**
 * `maillon journey suggest`: reads the recent negative mentions, asks `suggestKeywords` which
 * words and phrases the journey missed, and tells the manager where to add them. The words on
 * screen are English, like the rest of the command line; the terms are the customers' own.
 */
import type { TouchpointsConfig } from '../analysis/brand.js';
import { brandNames } from '../analysis/journey.js';
import { suggestKeywords, MIN_COUNT, type Suggestion } from '../analysis/journey-suggest.js';
import type { MentionsRepository } from '../store/mentions-repository.js';

/** Newest negative mentions read at most: weeks of complaints for most brands, in seconds. */
export const MAX_READ = 5_000;

export interface JourneySuggestDeps {
  mentions: Pick<MentionsRepository, 'recentNegative'>;
  journey: TouchpointsConfig;
  /** Where the manager adds the words. */
  touchpointsFile: string;
  now: Date;
}

export interface JourneySuggestOptions {
  /** Milliseconds back from `now`. */
  sinceMs: number;
  limit: number;
  lang?: 'fr' | 'en';
}

export interface JourneySuggestReport {
  since: string;
  /** Negative, relevant mentions in French or English read. */
  read: number;
  /** Of those, linked to no touchpoint, or to none negatively. */
  missed: number;
  /** True when MAX_READ mentions were read: older ones were left out. */
  capped: boolean;
  touchpointsFile: string;
  suggestions: Suggestion[];
}

export async function journeySuggest(
  deps: JourneySuggestDeps,
  opts: JourneySuggestOptions,
): Promise<JourneySuggestReport> {
  const since = new Date(deps.now.getTime() - opts.sinceMs);
  const mentions = await deps.mentions.recentNegative({
    since,
    limit: MAX_READ,
    ...(opts.lang ? { lang: opts.lang } : {}),
  });
  const result = suggestKeywords(mentions, {
    touchpoints: deps.journey.touchpoints,
    brandNames: brandNames(deps.journey.brand),
    limit: opts.limit,
  });
  return {
    since: since.toISOString(),
    read: result.read,
    missed: result.missed,
    capped: mentions.length >= MAX_READ,
    touchpointsFile: deps.touchpointsFile,
    suggestions: result.suggestions,
  };
}

/**
 * The report for a terminal: the table, then where and how to add the words. `touchpoints`: the
 * journey's, for the example entry.
 */
export function formatJourneySuggest(
  r: JourneySuggestReport,
  touchpoints: readonly { id: string; stage: string }[],
): string {
  const out: string[] = [];
  out.push(
    `Negative mentions since ${r.since.slice(0, 16).replace('T', ' ')} UTC: ${r.read} read` +
      `${r.capped ? ' (the newest only)' : ''}, ${r.missed} missed by the journey`,
    '(linked to no touchpoint, or to none negatively).',
  );
  if (r.suggestions.length === 0) {
    out.push(
      `Nothing to suggest: no new word came back in ${MIN_COUNT} or more missed complaints.`,
    );
    return `${out.join('\n')}\n`;
  }
  out.push('Their most frequent words and phrases the journey does not know:', '');
  const rows = r.suggestions.map((s) => [
    s.lang,
    String(s.count),
    String(s.linked),
    s.term,
    excerpt(s.example.text, 60),
  ]);
  const head = ['lang', 'missed', 'linked', 'term', 'example'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 1 || i === 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  out.push(line(head), ...rows.map(line), '');
  out.push(
    '"missed": complaints the journey missed that hold it; "linked": complaints it linked that do.',
    `Add those that name a touchpoint to its keywords in ${r.touchpointsFile}, e.g.:`,
    '',
  );
  const pick = (lang: 'fr' | 'en') =>
    r.suggestions
      .filter((s) => s.lang === lang)
      .slice(0, 3)
      .map((s) => yamlScalar(s.term));
  const [fr, en] = [pick('fr'), pick('en')];
  const keywords = [
    ...(fr.length ? [`fr: [${fr.join(', ')}]`] : []),
    ...(en.length ? [`en: [${en.join(', ')}]`] : []),
  ];
  // Trade words mostly name what is received (a dish, a product): a likely first target.
  const example =
    touchpoints.find((t) => t.id === 'product') ??
    touchpoints.find((t) => t.stage === 'receive') ??
    touchpoints[0];
  out.push(
    'touchpoints:',
    `  - id: ${example?.id ?? 'product'}   # the touchpoint they name, one of:`,
    `    # ${touchpoints.map((t) => t.id).join(', ')}`,
    `    keywords: { ${keywords.join(', ')} }`,
    '',
    "An entry with a preset touchpoint's id adds to its keywords. Restart Maillon to apply them.",
  );
  return `${out.join('\n')}\n`;
}

function excerpt(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

/** Plain when YAML reads it back as the same string, quoted otherwise ("didn't", "a: b"). */
function yamlScalar(s: string): string {
  const plain =
    /^[\p{L}][\p{L}\p{N} -]*$/u.test(s) && !/^(true|false|null|yes|no|on|off)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}
