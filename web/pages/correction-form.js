/**
 * Correcting how Maillon read a mention: its overall sentiment, its touchpoints and the
 * sentiment about each, its relevance, with a note. The API applies it to the counts, trends
 * and open alerts exactly once, and keeps it to measure the reader.
 */
import { html, useState } from '../lib/preact.js';
import { api } from '../lib/api.js';
import { useApp } from '../lib/context.js';
import { Button, ErrorBox } from '../components/ui.js';

const LABELS = ['negative', 'neutral', 'positive'];

export function CorrectionForm({ mention, onDone }) {
  const { t, workspace, labels } = useApp();
  const [sentiment, setSentiment] = useState(mention.sentiment?.label ?? 'neutral');
  const [relevant, setRelevant] = useState(mention.relevant !== false);
  const [touchpoints, setTouchpoints] = useState(
    (mention.touchpoints ?? []).map((tp) => ({ id: tp.id, label: tp.sentiment.label })),
  );
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const unused = workspace.touchpoints.filter((tp) => !touchpoints.some((x) => x.id === tp.id));

  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api.post(`/api/v1/mentions/${encodeURIComponent(mention.id)}/corrections`, {
        sentiment,
        relevant,
        touchpoints,
        ...(note.trim() ? { note: note.trim() } : {}),
      });
      onDone({
        ...mention,
        ...(r.mention ?? r),
        highlights: mention.highlights,
        correctedAt: new Date().toISOString(),
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return html`<form class="correction" onSubmit=${save} aria-label=${t('mentions.correctTitle')}>
    <div class="correction-grid">
      <label class="field">
        <span>${t('mentions.overall')}</span>
        <select
          name="sentiment"
          value=${sentiment}
          onChange=${(e) => setSentiment(e.currentTarget.value)}
        >
          ${LABELS.map((l) => html`<option key=${l} value=${l}>${t(`sentiment.${l}`)}</option>`)}
        </select>
      </label>
      <label class="field checkbox">
        <input
          type="checkbox"
          name="relevant"
          checked=${relevant}
          onChange=${(e) => setRelevant(e.currentTarget.checked)}
        />
        <span>${t('mentions.aboutBrand')}</span>
      </label>
    </div>
    <fieldset class="correction-touchpoints">
      <legend>${t('mentions.touchpoints')}</legend>
      ${touchpoints.map(
        (tp, i) =>
          html`<div key=${tp.id} class="tp-line" data-touchpoint=${tp.id}>
            <span>${labels.touchpoint(tp.id)}</span>
            <select
              aria-label=${t('mentions.aboutTouchpoint', { name: labels.touchpoint(tp.id) })}
              value=${tp.label}
              onChange=${(e) => setTouchpoints(touchpoints.map((x, j) => (j === i ? { ...x, label: e.currentTarget.value } : x)))}
            >
              ${LABELS.map((l) => html`<option key=${l} value=${l}>${t(`sentiment.${l}`)}</option>`)}
            </select>
            <${Button}
              kind="link"
              onClick=${() => setTouchpoints(touchpoints.filter((_, j) => j !== i))}
              >${t('common.remove')}<//
            >
          </div>`,
      )}
      ${
        unused.length > 0
          ? html`<select
              aria-label=${t('mentions.addTouchpoint')}
              value=""
              onChange=${(e) => e.currentTarget.value && setTouchpoints([...touchpoints, { id: e.currentTarget.value, label: sentiment }])}
            >
              <option value="">${t('mentions.addTouchpoint')}</option>
              ${unused.map((tp) => html`<option key=${tp.id} value=${tp.id}>${labels.touchpoint(tp.id)}</option>`)}
            </select>`
          : null
      }
    </fieldset>
    <label class="field">
      <span>${t('mentions.note')}</span>
      <input
        type="text"
        name="note"
        value=${note}
        onInput=${(e) => setNote(e.currentTarget.value)}
      />
    </label>
    <div class="button-row">
      <${Button} kind="primary" type="submit" busy=${busy}>${t('mentions.saveCorrection')}<//>
      <${Button} onClick=${() => onDone(null)}>${t('common.cancel')}<//>
    </div>
    <${ErrorBox} error=${error} />
  </form>`;
}
