/**
 * The filters bar above a list: labelled selects, a search box, date fields. Each control calls
 * `onChange(name, value)`; the page keeps the values in its address (router.replaceQuery).
 */
import { html } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

export function FiltersBar({ children, onReset }) {
  const { t } = useApp();
  return html`<form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
    ${children}
    ${
      onReset
        ? html`<button type="button" class="btn btn-link" onClick=${onReset}>
            ${t('common.reset')}
          </button>`
        : null
    }
  </form>`;
}

/** `options`: [{ value, label }]; the first, empty option means "any". */
export function Select({ name, label, value, options, onChange, any = true, disabled }) {
  const { t } = useApp();
  return html`<label class="field">
    <span>${label}</span>
    <select
      name=${name}
      value=${value ?? ''}
      disabled=${disabled}
      onChange=${(e) => onChange(name, e.currentTarget.value)}
    >
      ${any ? html`<option value="">${t('common.any')}</option>` : null}
      ${options.map((o) => html`<option key=${o.value} value=${o.value}>${o.label}</option>`)}
    </select>
  </label>`;
}

export function TextInput({ name, label, value, onChange, placeholder, type = 'text', ...rest }) {
  return html`<label class="field">
    <span>${label}</span>
    <input
      name=${name}
      type=${type}
      value=${value ?? ''}
      placeholder=${placeholder}
      onChange=${(e) => onChange(name, e.currentTarget.value)}
      ...${rest}
    />
  </label>`;
}

/** A day in the brand's calendar as an ISO instant (the start of that day in UTC, near enough). */
export function DateInput({ name, label, value, onChange }) {
  return html`<label class="field">
    <span>${label}</span>
    <input
      type="date"
      name=${name}
      value=${value ? value.slice(0, 10) : ''}
      onChange=${(e) => onChange(name, e.currentTarget.value ? `${e.currentTarget.value}T00:00:00Z` : '')}
    />
  </label>`;
}

/** Segmented buttons for a few choices (period, bucket). */
export function Segmented({ label, value, options, onChange }) {
  return html`<div class="segmented" role="group" aria-label=${label}>
    ${options.map(
      (o) =>
        html`<button
          key=${o.value}
          type="button"
          class=${o.value === value ? 'active' : ''}
          aria-pressed=${o.value === value ? 'true' : 'false'}
          onClick=${() => onChange(o.value)}
        >
          ${o.label}
        </button>`,
    )}
  </div>`;
}
