/**
 * The filters bar above a list: labelled selects, a search box, date fields. Each control calls
 * `onChange(name, value)`; the page keeps the values in its address (router.replaceQuery).
 */
import { html } from '../lib/preact.js';
import { dayOf, startOfDay } from '../lib/brand-days.js';
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

/**
 * A day of the brand's calendar. The API takes instants: the start of the day, or with `end`
 * the start of the next one (the API's `until` is exclusive, the person means "to that day").
 */
export function DateInput({ name, label, value, onChange, end = false }) {
  const { f } = useApp();
  const shown = value ? dayOf(value, f.timeZone, end ? 1 : 0) : '';
  return html`<label class="field">
    <span>${label}</span>
    <input
      type="date"
      name=${name}
      value=${shown}
      onChange=${(e) => {
        const day = e.currentTarget.value;
        onChange(name, day ? startOfDay(day, f.timeZone, end ? 1 : 0) : '');
      }}
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
