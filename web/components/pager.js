/**
 * Cursor paging: the API gives `nextCursor`; the pager keeps the cursors of the pages seen so
 * that "previous" goes back without the API having to page backwards.
 */
import { html, useState } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

/** The cursor of the current page, and moves; reset when the filters change (`resetKey`). */
export function useCursorPages(resetKey) {
  const [state, setState] = useState({ key: resetKey, stack: [] });
  const stack = state.key === resetKey ? state.stack : [];
  if (state.key !== resetKey) setState({ key: resetKey, stack: [] });
  return {
    cursor: stack.at(-1) ?? null,
    page: stack.length + 1,
    next: (cursor) => setState({ key: resetKey, stack: [...stack, cursor] }),
    previous: () => setState({ key: resetKey, stack: stack.slice(0, -1) }),
  };
}

export function Pager({ pages, nextCursor, count }) {
  const { t } = useApp();
  return html`<nav class="pager" aria-label=${t('common.pages')}>
    <button
      type="button"
      class="btn btn-secondary"
      disabled=${pages.page <= 1}
      onClick=${pages.previous}
    >
      ${t('common.previous')}
    </button>
    <span
      >${t('common.page', { n: pages.page })}${count !== undefined ? ` · ${t('common.shown', { n: count })}` : ''}</span
    >
    <button
      type="button"
      class="btn btn-secondary"
      disabled=${!nextCursor}
      onClick=${() => nextCursor && pages.next(nextCursor)}
    >
      ${t('common.next')}
    </button>
  </nav>`;
}
