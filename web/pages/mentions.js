/**
 * The mention explorer: a search box, every filter of the API, newest or oldest first, paged by
 * cursor, the matched words marked, a correction in place (managers), and the same filtered set
 * exported as CSV or NDJSON (a plain download link: the API streams it).
 */
import { html, useState } from '../lib/preact.js';
import { api, apiUrl } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { replaceQuery } from '../lib/router.js';
import { useData } from '../lib/use-data.js';
import { DateInput, FiltersBar, Select, TextInput } from '../components/filters.js';
import { Pager, useCursorPages } from '../components/pager.js';
import { DataState, Panel } from '../components/ui.js';
import { MentionRow } from './mention-row.js';

/** The filters the explorer keeps in its address and sends as they are. */
const FILTERS = [
  'q',
  'source',
  'touchpoint',
  'stage',
  'lang',
  'sentiment',
  'rating',
  'author',
  'since',
  'until',
  'relevant',
  'sort',
];

export function MentionsPage({ query }) {
  const { t, f, workspace, labels } = useApp();
  const filters = Object.fromEntries(FILTERS.filter((k) => query[k]).map((k) => [k, query[k]]));
  const filterKey = JSON.stringify(filters);
  const pages = useCursorPages(filterKey);
  const state = useData(
    () => api.get('/api/v1/mentions', { ...filters, limit: 25, cursor: pages.cursor ?? undefined }),
    [filterKey, pages.cursor],
  );
  const sources = useData(() => api.get('/api/v1/sources').catch(() => ({ data: [] })), []);
  const [search, setSearch] = useState(query.q ?? '');
  const set = (name, value) => replaceQuery({ ...filters, [name]: value || undefined });

  return html`<div class="page mentions-page">
    <form
      class="search-box"
      role="search"
      onSubmit=${(e) => {
        e.preventDefault();
        set('q', search.trim());
      }}
    >
      <input
        type="search"
        name="q"
        aria-label=${t('mentions.search')}
        placeholder=${t('mentions.searchPlaceholder')}
        value=${search}
        onInput=${(e) => setSearch(e.currentTarget.value)}
      />
      <button type="submit" class="btn btn-primary">${t('mentions.searchButton')}</button>
    </form>
    <${FiltersBar}
      onReset=${() => {
        setSearch('');
        replaceQuery({});
      }}
    >
      <${Select}
        name="touchpoint"
        label=${t('common.touchpoint')}
        value=${query.touchpoint}
        options=${workspace.touchpoints.map((tp) => ({ value: tp.id, label: labels.touchpoint(tp.id) }))}
        onChange=${set}
      />
      <${Select}
        name="stage"
        label=${t('common.stage')}
        value=${query.stage}
        options=${workspace.stages.map((s) => ({ value: s.id, label: labels.stage(s.id) }))}
        onChange=${set}
      />
      <${Select}
        name="sentiment"
        label=${t('common.sentiment')}
        value=${query.sentiment}
        options=${['negative', 'neutral', 'positive'].map((s) => ({ value: s, label: t(`sentiment.${s}`) }))}
        onChange=${set}
      />
      <${Select}
        name="source"
        label=${t('common.source')}
        value=${query.source}
        options=${(sources.data?.data ?? []).map((s) => ({ value: s.id, label: s.id }))}
        onChange=${set}
      />
      <${Select}
        name="lang"
        label=${t('common.language')}
        value=${query.lang}
        options=${['fr', 'en', 'und'].map((l) => ({ value: l, label: t(`lang.${l}`) }))}
        onChange=${set}
      />
      <${Select}
        name="rating"
        label=${t('mentions.rating')}
        value=${query.rating}
        options=${[5, 4, 3, 2, 1].map((n) => ({ value: String(n), label: '★'.repeat(n) }))}
        onChange=${set}
      />
      <${TextInput}
        name="author"
        label=${t('mentions.author')}
        value=${query.author}
        onChange=${set}
      />
      <${DateInput} name="since" label=${t('common.since')} value=${query.since} onChange=${set} />
      <${DateInput}
        name="until"
        label=${t('common.until')}
        value=${query.until}
        onChange=${set}
        end
      />
      <${Select}
        name="relevant"
        label=${t('mentions.relevance')}
        value=${query.relevant}
        any=${false}
        options=${[
          { value: '', label: t('mentions.relevantOnly') },
          { value: 'false', label: t('mentions.excludedOnly') },
          { value: 'all', label: t('mentions.relevantAll') },
        ]}
        onChange=${set}
      />
      <${Select}
        name="sort"
        label=${t('mentions.sort')}
        value=${query.sort}
        any=${false}
        options=${[
          { value: '', label: t('mentions.newest') },
          { value: 'oldest', label: t('mentions.oldest') },
        ]}
        onChange=${set}
      />
    <//>
    <${Panel}
      title=${t('nav.mentions')}
      actions=${html`<span class="export">
        ${t('mentions.export')}
        <a
          class="btn btn-secondary"
          download
          href=${apiUrl('/api/v1/mentions/export', { ...filters, format: 'csv' })}
          >CSV</a
        >
        <a
          class="btn btn-secondary"
          download
          href=${apiUrl('/api/v1/mentions/export', { ...filters, format: 'ndjson' })}
          >NDJSON</a
        >
      </span>`}
    >
      <${DataState}
        state=${state}
        isEmpty=${(d) => d.data.length === 0}
        empty=${t('mentions.none')}
      >
        ${(page) =>
          html`<ol class="mention-list">
              ${page.data.map((m) => html`<${MentionRow} key=${m.id} mention=${m} onCorrected=${state.reload} />`)}
            </ol>
            ${
              page.searchedUntil
                ? html`<p class="muted small">
                    ${t('mentions.searchedUntil', { at: f.dateTime(page.searchedUntil) })}
                  </p>`
                : null
            }
            <${Pager} pages=${pages} nextCursor=${page.nextCursor} count=${page.data.length} />`}
      <//>
    <//>
  </div>`;
}
