/**
 * A modal dialog on the native <dialog> element (focus trapping and Escape for free). It is
 * open while mounted: the parent shows it conditionally and `onClose` unmounts it.
 */
import { html, useEffect, useRef } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

export function Dialog({ title, onClose, children, footer }) {
  const { t } = useApp();
  const ref = useRef(null);
  useEffect(() => {
    const el = ref.current;
    if (el && !el.open) el.showModal();
    return () => el?.open && el.close();
  }, []);
  return html`<dialog ref=${ref} class="dialog" onClose=${onClose} onCancel=${onClose}>
    <header class="dialog-head">
      <h2>${title}</h2>
      <button type="button" class="btn btn-link" aria-label=${t('common.close')} onClick=${onClose}>
        ×
      </button>
    </header>
    <div class="dialog-body">${children}</div>
    ${footer ? html`<footer class="dialog-foot">${footer}</footer>` : null}
  </dialog>`;
}
