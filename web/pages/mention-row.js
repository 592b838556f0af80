/**
 * One mention in the explorer: who, where, when, its reading (overall and per touchpoint), its
 * text with the matched words marked, and for managers a correction made in place. The row
 * keeps the corrected mention the API answers, so it does not jump out of a filtered list.
 */
import { html, useState } from '../lib/preact.js';
import { useApp } from '../lib/context.js';
import { HighlightedText } from '../components/highlighted-text.js';
import { Button, SafeLink, SentimentBadge } from '../components/ui.js';
import { CorrectionForm } from './correction-form.js';

export function MentionRow({ mention }) {
  const { t, f, can, labels } = useApp();
  // The corrected reading, once saved; the spans to mark stay those of the latest answer.
  const [corrected, setCorrected] = useState(null);
  const [editing, setEditing] = useState(false);
  const m = corrected ? { ...corrected, highlights: mention.highlights } : mention;
  return html`<li
    class=${`mention ${m.sentiment?.label ?? ''}${m.relevant === false ? ' excluded' : ''}`}
    data-mention=${m.id}
  >
    <header class="mention-head">
      <span class="author">${m.author.name || m.author.id}</span>
      <span class="muted">${m.source}</span>
      <${SafeLink} url=${m.url}>${f.dateTime(m.publishedAt)}<//>
      ${m.lang ? html`<span class="muted">${t(`lang.${m.lang}`)}</span>` : null}
      ${m.rating ? html`<span class="stars" title=${t('mentions.stars', { n: m.rating })}>${'★'.repeat(Math.round(m.rating))}</span>` : null}
      <${SentimentBadge} sentiment=${m.sentiment?.label} />
      ${m.relevant === false ? html`<span class="badge muted">${t('mentions.excluded')}</span>` : null}
      ${m.correctedAt || corrected ? html`<span class="badge corrected">${t('mentions.corrected')}</span>` : null}
      ${
        can('manager') && !editing
          ? html`<${Button} kind="link" data-action="correct" onClick=${() => setEditing(true)}
              >${t('mentions.correct')}<//
            >`
          : null
      }
    </header>
    ${m.title ? html`<p class="mention-title"><${HighlightedText} text=${m.title} highlights=${m.highlights} field="title" /></p>` : null}
    <p class="mention-text"><${HighlightedText} text=${m.text} highlights=${m.highlights} /></p>
    ${
      (m.touchpoints ?? []).length > 0
        ? html`<ul class="chips">
            ${m.touchpoints.map(
              (tp) =>
                html`<li key=${tp.id} class=${`chip ${tp.sentiment.label}`}>
                  ${labels.touchpoint(tp.id)} · ${t(`sentiment.${tp.sentiment.label}`)}
                </li>`,
            )}
          </ul>`
        : null
    }
    ${
      editing
        ? html`<${CorrectionForm}
            mention=${m}
            onDone=${(next) => {
              if (next) setCorrected(next);
              setEditing(false);
            }}
          />`
        : null
    }
  </li>`;
}
