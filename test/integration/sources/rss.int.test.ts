/** RSS, Atom and JSON Feed through the source contract, on real recorded feeds. */
import rss from '../../../src/sources/rss.js';
import { runSourceContract } from '../../contract/source-contract.js';
import { sharedFixture } from '../../helpers/fixtures.js';

const feed = (path: string, file: string, contentType: string) => ({
  settings: (base: string) => ({ url: `${base}${path}` }),
  routes: {
    [path]: { body: sharedFixture(file), contentType, headers: { ETag: `"${file}"` } },
  },
  page: path,
});

runSourceContract(rss, [
  {
    name: 'Google Alerts (Atom)',
    ...feed('/alerts/feeds/1/2', 'rss/feedjira_google_alerts_atom.xml', 'application/atom+xml'),
    expect: {
      mentions: 20,
      first: { externalId: 'tag:google.com,2013:googlealerts/feed:8974135267215335962' },
    },
  },
  {
    name: 'RSS 2.0 with content:encoded',
    ...feed('/feed.rss', 'rss/rss-parser_content-encoded.rss', 'application/rss+xml'),
    expect: { mentions: 7 },
  },
  {
    name: 'YouTube channel feed',
    ...feed(
      '/feeds/videos.xml',
      'youtube/feedjira_youtube_channel_atom.xml',
      'application/atom+xml',
    ),
    expect: { mentions: 15 },
  },
  {
    name: 'JSON Feed',
    ...feed('/feed.json', 'rss/feedjira_json_feed.json', 'application/feed+json'),
    expect: { mentions: 20, first: { authorName: 'Brent Simmons' } },
  },
]);
