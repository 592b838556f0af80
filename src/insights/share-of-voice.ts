/**
 * Share of voice: the brand against its competitors, each brand's mentions over all the brands'
 * mentions, per bucket and over a period, beside their negative share and mean sentiment. The
 * brand's own mentions are every mention about it (the overall counts); a competitor's are the
 * mentions naming it (the `brand` dimension), so a mention naming two brands counts for both and
 * the shares are of mentions of brands. Pure.
 */
import type { Figures, KeyTrend, TrendPoint } from './trends.js';

export interface VoiceFigures extends Figures {
  /** This brand's volume over all the brands' (0 to 1); null when no brand was mentioned. */
  share: number | null;
}

export interface BrandVoice {
  id: string;
  name: string;
  own: boolean;
  totals: VoiceFigures;
  data: (TrendPoint & { share: number | null })[];
}

const shareOf = (volume: number, all: number) =>
  all > 0 ? Math.round((volume / all) * 10_000) / 10_000 : null;

/**
 * Each brand's trend with its share of voice, in the brands' order. Every trend must cover the
 * same period (points aligned by index).
 */
export function shareOfVoice(
  brands: ReadonlyArray<{ id: string; name: string; own: boolean; trend: KeyTrend }>,
): BrandVoice[] {
  const total = brands.reduce((sum, b) => sum + b.trend.totals.volume, 0);
  const points = brands[0]?.trend.data.length ?? 0;
  const perPoint = Array.from({ length: points }, (_, i) =>
    brands.reduce((sum, b) => sum + (b.trend.data[i]?.volume ?? 0), 0),
  );
  return brands.map((b) => ({
    id: b.id,
    name: b.name,
    own: b.own,
    totals: { ...b.trend.totals, share: shareOf(b.trend.totals.volume, total) },
    data: b.trend.data.map((p, i) => ({ ...p, share: shareOf(p.volume, perPoint[i] ?? 0) })),
  }));
}
