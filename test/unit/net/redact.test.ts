import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from '../../../src/net/redact.js';

describe('redactUrl', () => {
  it('removes user and password, and masks credential-like query values', () => {
    expect(redactUrl('https://me:hunter2@feeds.example/a?token=s3cret&q=acme&API_KEY=k')).toBe(
      'https://feeds.example/a?token=***&q=acme&API_KEY=***',
    );
  });

  it('shows an unreadable URL as such', () => {
    expect(redactUrl('not a url')).toBe('(invalid URL)');
  });
});

describe('redactText', () => {
  it('redacts every URL of a text, leaving the sentence around it', () => {
    expect(
      redactText('feed: GET https://u:p@a.example/x?sig=1 failed (see http://b.example/?key=2).'),
    ).toBe('feed: GET https://a.example/x?sig=*** failed (see http://b.example/?key=***).');
  });
});
