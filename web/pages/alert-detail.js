/**
 * One alert: what happened in words (its summary, never internal field names), the figures
 * against usual, what people wrote, its history, and what a manager can do with it.
 */
import { html } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { href } from '../lib/router.js';
import { useData } from '../lib/use-data.js';
import { DataState, Panel, SafeLink, SeverityBadge, StatusBadge } from '../components/ui.js';
import { AlertActions } from './alert-actions.js';
import { AlertChart } from './alert-chart.js';

export function AlertPage({ id }) {
  const { t } = useApp();
  const state = useData(() => api.get(`/api/v1/alerts/${encodeURIComponent(id)}`), [id]);
  return html`<div class="page alert-page">
    <a class="back" href=${href('alerts')}>${t('alert.back')}</a>
    <${DataState} state=${state}>
      ${(alert) => html`<${AlertView} alert=${alert} onChanged=${state.reload} />`}
    <//>
  </div>`;
}

function AlertView({ alert, onChanged }) {
  const { t, lang, f, can } = useApp();
  const facts = alert.evidence.facts ?? {};
  const name = alert.touchpoint ? alert.touchpoint.label[lang] : (alert.sourceId ?? alert.title);
  const mentionsLink = alert.touchpoint
    ? href('mentions', null, {
        touchpoint: alert.touchpoint.id,
        sentiment: 'negative',
        since: facts.since ?? alert.openedAt,
      })
    : null;
  return html`<div class="alert-layout">
    <div class="alert-main">
      <header class="alert-head">
        <h1>${name}</h1>
        <${SeverityBadge} severity=${alert.severity} />
        <${StatusBadge} status=${alert.status} />
        ${alert.assignee ? html`<span class="badge muted">${t('alert.assignedTo', { name: alert.assignee.name })}</span>` : null}
      </header>
      <p class="summary" data-testid="alert-summary">${alert.summary[lang]}</p>
      <p class="muted small">
        ${t('alert.openedAt', { at: f.fullDateTime(alert.openedAt) })}
        ${alert.status === 'snoozed' && alert.snoozedUntil ? ` · ${t('alert.snoozedUntil', { at: f.dateTime(alert.snoozedUntil) })}` : ''}
        ${alert.resolvedAt ? ` · ${t('alert.resolvedAt', { at: f.dateTime(alert.resolvedAt) })}` : ''}
      </p>
      ${alert.kind === 'weak-link' ? html`<${Figures} alert=${alert} />` : null}
      ${alert.touchpoint ? html`<${AlertChart} alert=${alert} />` : null}
      ${mentionsLink ? html`<p><a class="btn btn-secondary" href=${mentionsLink}>${t('alert.seeMentions')}</a></p>` : null}
      <${Panel} title=${t('alert.quotes')} className="quotes">
        ${
          alert.evidence.quotes.length === 0
            ? html`<p class="muted">${t('alert.noQuotes')}</p>`
            : alert.evidence.quotes.map(
                (q) =>
                  html`<blockquote key=${q.mentionId} class="quote" lang=${q.lang}>
                    <p>${q.quote}</p>
                    <footer>
                      <span class="author">${q.author}</span
                      >${' · '}<span>${q.source}</span>${' · '}<${SafeLink} url=${q.url}
                        >${f.dateTime(q.publishedAt)}<//
                      >
                    </footer>
                  </blockquote>`,
              )
        }
      <//>
    </div>
    <aside class="alert-side">
      ${
        can('manager')
          ? html`<${AlertActions} alert=${alert} onChanged=${onChanged} />`
          : html`<${Panel} title=${t('alert.actions')}
              ><p class="muted" data-testid="read-only">${t('alert.readOnly')}</p><//
            >`
      }
      <${History} alert=${alert} />
    </aside>
  </div>`;
}

/** The evidence as a community manager reads it: plain labels, no internal names. */
function Figures({ alert }) {
  const { t, f } = useApp();
  const e = alert.evidence;
  const facts = e.facts ?? {};
  const items = [
    [t('alert.fig.complaints'), f.number(e.observed)],
    [t('alert.fig.expected'), f.decimal(e.expected)],
    [t('alert.fig.negativeShare'), f.percent(e.negativeShare)],
    [t('alert.fig.people'), f.number(e.authors)],
    [t('alert.fig.sites'), f.number(e.sources.length)],
  ];
  if (facts.usualShare !== undefined)
    items.push([t('alert.fig.usualShare'), f.percent(facts.usualShare)]);
  if (facts.reshares !== undefined) items.push([t('alert.fig.reshares'), f.number(facts.reshares)]);
  return html`<dl class="figures">
    ${items.map(
      ([k, v]) =>
        html`<div key=${k}>
          <dt>${k}</dt>
          <dd>${v}</dd>
        </div>`,
    )}
  </dl>`;
}

function History({ alert }) {
  const { t, f } = useApp();
  return html`<${Panel} title=${t('alert.history')} className="history">
    <ol class="timeline">
      ${alert.history.toReversed().map((h, i) => {
        // A snooze without a note records "until <ISO>": the date is shown in words instead.
        const text =
          h.kind === 'snoozed' && /^until \d{4}-/.test(h.text ?? '')
            ? ''
            : h.kind === 'merged'
              ? ''
              : h.text;
        return html`<li key=${i} class=${`event ${h.kind}`}>
          <span class="event-when">${f.dateTime(h.at)}</span>
          <span class="event-what">
            ${t(`event.${h.kind}`)}${h.severity ? ` · ${t(`severity.${h.severity}`)}` : ''}${h.by ? ` · ${h.by}` : ''}
          </span>
          ${text ? html`<span class="event-text">${text}</span>` : null}
        </li>`;
      })}
    </ol>
  <//>`;
}
