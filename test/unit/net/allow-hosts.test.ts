/** HTTP_ALLOW_HOSTS as the configuration reads it, and the demo's own entry. */
import { describe, expect, it } from 'vitest';
import { envSchema } from '../../../config/index.js';
import { allowHostOf } from '../../../src/devtools/demo-env.js';

const MONGODB_URL = 'mongodb://127.0.0.1:27017/maillon';

describe('HTTP_ALLOW_HOSTS', () => {
  it('reads comma-separated hosts and host:port entries', () => {
    const env = envSchema.parse({
      MONGODB_URL,
      HTTP_ALLOW_HOSTS: '127.0.0.1, feeds.intranet:8080',
    });

    expect(env.HTTP_ALLOW_HOSTS).toEqual(['127.0.0.1', 'feeds.intranet:8080']);
  });

  it('is nothing when unset', () => {
    expect(envSchema.parse({ MONGODB_URL }).HTTP_ALLOW_HOSTS).toBeUndefined();
  });

  it('refuses an entry that is not a host', () => {
    const result = envSchema.safeParse({ MONGODB_URL, HTTP_ALLOW_HOSTS: 'http://x/, a:b' });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      '"http://x/" is not a host or host:port',
      '"a:b" is not a host or host:port',
    ]);
  });
});

describe('allowHostOf', () => {
  it("adds the demo feed's host:port to what the environment allows", () => {
    expect(allowHostOf({}, 'http://127.0.0.1:4000/feed.xml').HTTP_ALLOW_HOSTS).toBe(
      '127.0.0.1:4000',
    );
    expect(
      allowHostOf({ HTTP_ALLOW_HOSTS: 'intranet' }, 'http://127.0.0.1:4000/feed.xml')
        .HTTP_ALLOW_HOSTS,
    ).toBe('intranet,127.0.0.1:4000');
  });
});
