/**
 * A mention's text with spans marked (search words, touchpoint phrases). The text is untrusted:
 * it is cut into strings that Preact renders as text nodes, with <mark> elements around the
 * spans; nothing is ever parsed as HTML.
 */
import { html } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

/** Pieces of `text`: plain strings and marked spans, overlapping spans merged. */
export function piecesOf(text, spans) {
  const sorted = spans
    .filter((s) => s.start >= 0 && s.end > s.start && s.end <= text.length)
    .toSorted((a, b) => a.start - b.start || b.end - a.end);
  const pieces = [];
  let at = 0;
  for (const s of sorted) {
    if (s.start < at) continue; // inside the previous mark
    if (s.start > at) pieces.push({ text: text.slice(at, s.start) });
    pieces.push({ text: text.slice(s.start, s.end), span: s });
    at = s.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}

export function HighlightedText({ text, highlights = [], field = 'text' }) {
  const { labels } = useApp();
  const spans = highlights.filter((h) => (h.field ?? 'text') === field);
  return piecesOf(text, spans).map((p, i) =>
    p.span
      ? html`<mark
          key=${i}
          class=${`hl ${p.span.kind}`}
          title=${p.span.touchpoint ? labels.touchpoint(p.span.touchpoint) : undefined}
          >${p.text}</mark
        >`
      : p.text,
  );
}
