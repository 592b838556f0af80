/**
 * The demo: a local RSS feed whose items appear over about three minutes, so that a newcomer sees
 * mentions flow, get scored and, when the delivery complaints pile up, an alert fire, all with no
 * internet. The feed answers conditional GETs like a well-behaved site.
 */
import { createServer, type Server } from 'node:http';

interface DemoItem {
  /** Seconds after start at which the item appears in the feed. */
  at: number;
  author: string;
  text: string;
}

const BRAND = 'Maison Lumière';

const ITEMS: DemoItem[] = [
  {
    at: 0,
    author: 'claire_b',
    text: `Just got my ${BRAND} lamp, the quality is wonderful and the staff were lovely.`,
  },
  {
    at: 0,
    author: 'julien.m',
    text: `Commande ${BRAND} reçue, le carton était propre et bien emballé.`,
  },
  {
    at: 10,
    author: 'sam_k',
    text: `Checkout on the ${BRAND} site was easy, great prices this week.`,
  },
  { at: 15, author: 'yann_c', text: 'Nordlys delivered my sofa in two days, impressive.' },
  { at: 20, author: 'lea_d', text: `Le personnel du magasin ${BRAND} de Lyon était adorable.` },
  {
    at: 30,
    author: 'tom_r',
    text: `${BRAND} delivery is late again, my parcel has been stuck for a week. Terrible.`,
  },
  {
    at: 40,
    author: 'nina_p',
    text: `Still no package from ${BRAND}, tracking shows nothing. Awful service.`,
  },
  {
    at: 50,
    author: 'marc.l',
    text: `Colis ${BRAND} toujours pas arrivé, aucune nouvelle du livreur.`,
  },
  {
    at: 60,
    author: 'ava_w',
    text: `Worst delivery experience ever with ${BRAND}: the box arrived broken and damaged.`,
  },
  {
    at: 70,
    author: 'ben_o',
    text: `The ${BRAND} courier never came, I wasted my whole day waiting. Angry and disappointed.`,
  },
  {
    at: 78,
    author: 'chloe_r',
    text: `Livraison ${BRAND} catastrophique, colis perdu et aucune nouvelle.`,
  },
  { at: 85, author: 'ines_v', text: `Love the new autumn collection at ${BRAND}!` },
  {
    at: 100,
    author: 'noe_p',
    text: `Atelier Brume candles are nice, but the ${BRAND} ones smell better.`,
  },
  {
    at: 90,
    author: 'hugo_b',
    text: `${BRAND} delivery is a disaster, my parcel never arrived. Awful.`,
  },
  {
    at: 95,
    author: 'raj_s',
    text: `Third week waiting for my ${BRAND} order and support does not answer. Horrible.`,
  },
  {
    at: 105,
    author: 'emma_c',
    text: `My ${BRAND} parcel was lost and they refused a refund. Disgusting.`,
  },
  {
    at: 112,
    author: 'sarah_m',
    text: `Troisième retard de livraison chez ${BRAND}, c'est honteux.`,
  },
  {
    at: 118,
    author: 'leo_t',
    text: `Still no package from ${BRAND} after two weeks, terrible delivery.`,
  },
  {
    at: 126,
    author: 'anna_k',
    text: `Mon colis ${BRAND} est arrivé cassé, le livreur l'a jeté. Inadmissible.`,
  },
  {
    at: 132,
    author: 'omar_d',
    text: `Worst delivery ever from ${BRAND}, the courier lost my parcel.`,
  },
  {
    at: 120,
    author: 'paul.g',
    text: `Le site ${BRAND} est clair, j'ai trouvé ma taille facilement.`,
  },
  {
    at: 140,
    author: 'zoe_h',
    text: `Delivery issue solved by ${BRAND} support, thanks for the quick help!`,
  },
  {
    at: 160,
    author: 'lucas_f',
    text: `Visited the ${BRAND} store in Bordeaux, nice welcome and good advice.`,
  },
  { at: 180, author: 'mia_t', text: `${BRAND} loyalty points finally arrived, happy customer.` },
];

export interface DemoFeed {
  url: string;
  /** Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Items carry publication dates anchored one minute into the current hour, so that the demo's
 * wave of complaints falls in one hourly window of event time, whatever the wall clock says.
 */
export async function startDemoFeed(
  opts: { port?: number; now?: () => number } = {},
): Promise<DemoFeed> {
  const now = opts.now ?? Date.now;
  const startedAt = now();
  const runId = startedAt.toString(36);
  const anchor = Math.floor(startedAt / 3_600_000) * 3_600_000 + 60_000;

  const server: Server = createServer((req, res) => {
    if (req.url !== '/feed.xml') {
      res.writeHead(404).end();
      return;
    }
    const elapsed = (now() - startedAt) / 1000;
    const visible = ITEMS.map((item, i) => ({ ...item, i })).filter((item) => item.at <= elapsed);
    const etag = `"${runId}-${visible.length}"`;
    const lastModified = new Date(anchor + (visible.at(-1)?.at ?? 0) * 1000).toUTCString();
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { ETag: etag, 'Last-Modified': lastModified }).end();
      return;
    }
    const entries = visible
      .toReversed()
      .map(
        (item) => `    <item>
      <guid isPermaLink="false">demo-${runId}-${item.i}</guid>
      <title>${escapeXml(item.text.slice(0, 60))}</title>
      <link>https://demo.maillon.invalid/posts/${runId}-${item.i}</link>
      <author>${item.author}@demo.maillon.invalid (${item.author})</author>
      <pubDate>${new Date(anchor + item.at * 1000).toUTCString()}</pubDate>
      <description>${escapeXml(item.text)}</description>
    </item>`,
      )
      .join('\n');
    res.writeHead(200, {
      'Content-Type': 'application/rss+xml; charset=utf-8',
      ETag: etag,
      'Last-Modified': lastModified,
    });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0">
  <channel>
    <title>${BRAND}: what people say (demo)</title>
    <link>https://demo.maillon.invalid/</link>
    <description>Maillon demo feed</description>
${entries}
  </channel>
</rss>
`);
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/feed.xml`,
    stop: () => (stopping ??= new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
