import { describe, expect, it } from 'vitest';
import {
  explainAlert,
  headlines,
  presentAlert,
  summarize,
  type Lang,
} from '../../../src/alerts/explain.js';
import type { Alert, AlertFacts } from '../../../src/domain/alert.js';
import { facts, operational, T0, TZ, weakLink } from './_fixtures.js';

/** fr-FR puts a no-break space (narrow or not, by ICU version) before %: compared as a space. */
const spaces = (x: { headline: string; details: string[] }) => ({
  headline: x.headline.replace(/[\u00a0\u202f]/g, ' '),
  details: x.details.map((d) => d.replace(/[\u00a0\u202f]/g, ' ')),
});
const H = 3_600_000;

function withFacts(over: Partial<AlertFacts>, alert: Partial<Alert> = {}): Alert {
  const a = weakLink(alert);
  return { ...a, evidence: { ...a.evidence, facts: facts(over) } };
}

const explain = (a: Alert, lang: Lang, timeZone = TZ) => explainAlert(a, { lang, timeZone });

describe('explainAlert: a weak-link wave', () => {
  it('says it in English: how many, since when, from how many people and sites, and usually', () => {
    expect(explain(weakLink(), 'en')).toEqual({
      headline: 'Delivery: 13 complaints since 10:00 from 12 people on 4 sites, usually 1 a day.',
      details: [
        '64% of mentions about it are negative, usually 12%.',
        'Over the same hours, 0.4 would be usual.',
        'One person wrote 2 of them.',
        '12 of them count as evidence: repeats by one person or of one text count less.',
        'Shared 25 times.',
      ],
    });
  });

  it('says it in French', () => {
    expect(spaces(explain(weakLink(), 'fr'))).toEqual({
      headline:
        "Livraison : 13 plaintes depuis 10 h, de 12 personnes sur 4 sites ; d'habitude 1 par jour.",
      details: [
        "64 % des mentions à ce sujet sont négatives, d'habitude 12 %.",
        "Sur ces mêmes heures, on en attend d'habitude 0,4.",
        'Une même personne en a écrit 2.',
        "12 d'entre elles comptent comme preuve : les répétitions d'une même personne ou d'un même texte comptent moins.",
        'Partagées 25 fois.',
      ],
    });
  });

  it('speaks in the singular when there is one', () => {
    const one = withFacts({
      negatives: 1,
      counted: 1,
      authors: 1,
      sources: 1,
      topAuthorShare: 1,
      reshares: 1,
      contagion: 1,
    });
    const en = explain(one, 'en');
    expect(en.headline).toBe(
      'Delivery: 1 complaint since 10:00 from 1 person on 1 site, usually 1 a day.',
    );
    expect(en.details).toContain('Shared once.');
    expect(en.details).toContain('1 other touchpoint is rising at the same time.');
    expect(en.details.join(' ')).not.toMatch(/One person wrote/);
    const fr = explain(one, 'fr');
    expect(fr.headline).toBe(
      "Livraison : 1 plainte depuis 10 h, de 1 personne sur 1 site ; d'habitude 1 par jour.",
    );
    expect(fr.details).toContain('Partagée une fois.');
    expect(fr.details).toContain('1 autre point de contact monte en même temps.');
    const two = explain(withFacts({ contagion: 2 }), 'fr').details;
    expect(two).toContain('2 autres points de contact montent en même temps.');
    expect(explain(withFacts({ contagion: 2 }), 'en').details).toContain(
      '2 other touchpoints are rising at the same time.',
    );
  });

  it('says "less than 1 a day" for a touchpoint rarely criticised, and none for never', () => {
    const usual = (usualPerDay: number, lang: Lang) =>
      /(usually|d'habitude) .*$/.exec(explain(withFacts({ usualPerDay }), lang).headline)?.[0];
    expect(usual(0.3, 'en')).toBe('usually less than 1 a day.');
    expect(usual(0.3, 'fr')).toBe("d'habitude moins d'une par jour.");
    expect(usual(0, 'en')).toBe('usually none.');
    expect(usual(0, 'fr')).toBe("d'habitude aucune.");
    expect(usual(2.46, 'en')).toBe('usually 2.5 a day.');
    expect(usual(2.46, 'fr')).toBe("d'habitude 2,5 par jour.");
    expect(usual(14.6, 'en')).toBe('usually 15 a day.');
  });

  it("reads hours on the brand's clock, summer time included", () => {
    expect(explain(weakLink(), 'en', 'America/New_York').headline).toContain('since 05:00 ');
    expect(explain(weakLink(), 'en', 'UTC').headline).toContain('since 09:00 ');
    const july = withFacts({
      since: new Date('2026-07-10T08:15:00Z'),
      until: new Date('2026-07-10T12:00:00Z'),
    });
    expect(explain(july, 'en').headline).toContain('since 10:15 ');
    expect(explain(july, 'fr').headline).toContain('depuis 10 h 15,');
  });

  it('names the day when the wave began on an earlier one', () => {
    const overnight = withFacts({ since: new Date(T0.getTime() - 11 * H) }); // 23:00 the day before
    expect(explain(overnight, 'en').headline).toContain('since Mon 9 Mar 23:00 from');
    expect(explain(overnight, 'fr').headline).toContain('depuis lun. 9 mars à 23 h,');
  });

  it('ends a wave at midnight on the next day, not at 00:00 of the day before', () => {
    const since = new Date(T0.getTime() - 14 * H); // Mon 20:00
    const until = new Date(T0.getTime() + 14 * H); // Wed 00:00
    const over = withFacts({ since, until }, { status: 'resolved', resolvedAt: until });
    expect(explain(over, 'en').headline).toContain('from Mon 9 Mar 20:00 to Wed 11 Mar 00:00');
  });

  it('gives the span of a wave that is over', () => {
    const over = withFacts({}, { status: 'resolved', resolvedAt: new Date(T0.getTime() + 4 * H) });
    expect(explain(over, 'en').headline).toContain('13 complaints from 10:00 to 14:00 from 12');
    expect(explain(over, 'fr').headline).toContain('13 plaintes de 10 h à 14 h, de 12');
  });

  it("uses the alert's own numbers and never the detector's jargon", () => {
    const a = weakLink();
    const f = a.evidence.facts!;
    const s = summarize(a, TZ);
    for (const text of [s.en, s.fr]) {
      expect(text).toContain(`${f.negatives} `);
      expect(text).toContain(`${f.authors} `);
      expect(text).toContain(`${f.sources} sites`);
      expect(text).not.toMatch(/bucket|log10|audience|cusum|p-?value|score/i);
    }
    expect(a.evidence.authors).toBe(f.authors);
  });

  it('still explains an alert stored before facts existed', () => {
    const a = weakLink();
    const { facts: _f, ...old } = a.evidence;
    const legacy = { ...a, evidence: { ...old, observed: 14, expected: 3.24, authors: 9 } };
    expect(explain(legacy, 'en').headline).toBe(
      'Delivery: 14 negative mentions against 3.2 expected, from 9 people on 4 sites.',
    );
    expect(explain(legacy, 'fr').headline).toBe(
      'Livraison : 14 mentions négatives pour 3,2 attendues, de 9 personnes sur 4 sites.',
    );
  });
});

describe('explainAlert: a source in trouble', () => {
  it('says since when polls fail, how many, and the last error', () => {
    expect(explain(operational(), 'en')).toEqual({
      headline: 'Source feed: no successful poll since 08:00 (for 2 h), 5 failures in a row.',
      details: ['Last error: HTTP 500.'],
    });
    expect(explain(operational(), 'fr')).toEqual({
      headline: "Source feed : aucune lecture réussie depuis 8 h (soit 2 h), 5 échecs d'affilée.",
      details: ['Dernière erreur : HTTP 500.'],
    });
  });

  it('says since when a source is silent and its usual rhythm', () => {
    const a = operational();
    const silent = {
      ...a,
      evidence: {
        ...a.evidence,
        outage: {
          problem: 'silent' as const,
          since: new Date(T0.getTime() - 3 * 24 * H),
          checkedAt: T0,
          usualGapMs: 2 * H,
          thresholdMs: 12 * H,
        },
      },
    };
    expect(explain(silent, 'en')).toEqual({
      headline: 'Source feed: no new mention since Sat 7 Mar 10:00 (for 3 days).',
      details: ['New mentions usually arrive every 2 h; silent after 12 h.'],
    });
    expect(explain(silent, 'fr').headline).toBe(
      'Source feed : aucune nouvelle mention depuis sam. 7 mars à 10 h (soit 3 jours).',
    );
  });

  it('falls back to the title for an operational alert without facts', () => {
    const a = operational();
    const { outage: _o, ...bare } = a.evidence;
    expect(explain({ ...a, evidence: bare }, 'en')).toEqual({
      headline: 'Source feed failing.',
      details: [],
    });
  });
});

describe('summaries', () => {
  it('joins headline and details per language, and the API adds them to the alert', () => {
    const a = weakLink();
    const s = summarize(a, TZ);
    expect(s.en).toBe([explain(a, 'en').headline, ...explain(a, 'en').details].join(' '));
    expect(s.fr.startsWith('Livraison : 13 plaintes')).toBe(true);
    expect(headlines(a, TZ)).toEqual({
      en: explain(a, 'en').headline,
      fr: explain(a, 'fr').headline,
    });
    const presented = presentAlert(a, TZ);
    expect(presented).toEqual({ ...a, summary: s });
    expect(a).not.toHaveProperty('summary');
  });
});
