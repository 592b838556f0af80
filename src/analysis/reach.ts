/**
 * How far one mention can carry: an estimate of the people it reaches, and a log-scaled score
 * that weighs mentions without letting one celebrity drown a crowd.
 *
 *   audience = max(1, followers) + 100 × shares + 10 × replies + 2 × likes
 *   score    = log10(1 + audience)            (0 for nobody, 3 for ~1,000 people, 6 for ~1M)
 *
 * Why these weights: a reshare puts the post in front of the resharer's own followers, and the
 * median account on the networks we read has on the order of a hundred; a reply shows the thread
 * to the replier's circle and to the thread's readers, about a tenth of that; a like surfaces the
 * post to few people on most networks. `score` and `engagement` come from the source (Reddit's or
 * Hacker News' points are likes). Unknown counts count as 0; an unknown audience is the author.
 */
export interface Reach {
  audience: number;
  score: number;
}

export const REACH_WEIGHTS = { share: 100, reply: 10, like: 2 } as const;

export function reachOf(m: {
  author: { followers?: number | undefined };
  engagement?:
    | { likes?: number | undefined; shares?: number | undefined; replies?: number | undefined }
    | undefined;
}): Reach {
  const e = m.engagement ?? {};
  const audience =
    Math.max(1, m.author.followers ?? 0) +
    REACH_WEIGHTS.share * (e.shares ?? 0) +
    REACH_WEIGHTS.reply * (e.replies ?? 0) +
    REACH_WEIGHTS.like * (e.likes ?? 0);
  return { audience, score: Math.round(Math.log10(1 + audience) * 1000) / 1000 };
}
