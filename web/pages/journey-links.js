/**
 * The contagion drawn over the journey map: for each open alert, a curved arrow from its
 * touchpoint's card to each card its wave reached. Positions come from the laid-out cards, so
 * the arrows are measured after render and again when the map is resized.
 */
import { html, useLayoutEffect, useRef, useState } from '../lib/preact.js';
import { useApp } from '../lib/context.js';

/** Where a link leaves one card and enters the other: facing sides, in the container's frame. */
function ends(box, from, to) {
  const r = (x) => ({
    left: x.left - box.left,
    right: x.right - box.left,
    top: x.top - box.top,
    bottom: x.bottom - box.top,
    cx: x.left - box.left + x.width / 2,
    cy: x.top - box.top + x.height / 2,
  });
  const a = r(from);
  const b = r(to);
  if (b.left >= a.right)
    return [
      { x: a.right, y: a.cy },
      { x: b.left, y: b.cy },
    ];
  if (b.right <= a.left)
    return [
      { x: a.left, y: a.cy },
      { x: b.right, y: b.cy },
    ];
  // The same stage: from one card's edge to the other's, top or bottom.
  return b.top >= a.bottom
    ? [
        { x: a.cx, y: a.bottom },
        { x: b.cx, y: b.top },
      ]
    : [
        { x: a.cx, y: a.top },
        { x: b.cx, y: b.bottom },
      ];
}

export function ContagionLinks({ map }) {
  const { t, lang } = useApp();
  const svg = useRef(null);
  const [lines, setLines] = useState([]);

  useLayoutEffect(() => {
    const container = svg.current?.parentElement;
    if (!container) return undefined;
    const measure = () => {
      const box = container.getBoundingClientRect();
      const card = (id) => container.querySelector(`[data-touchpoint="${CSS.escape(id)}"]`);
      const next = [];
      for (const tp of map.touchpoints) {
        const from = tp.alert ? card(tp.id) : null;
        if (!from) continue;
        for (const r of tp.alert.reached) {
          const to = card(r.id);
          if (!to) continue;
          const [a, b] = ends(box, from.getBoundingClientRect(), to.getBoundingClientRect());
          next.push({ key: `${tp.id}>${r.id}`, from: tp, to: r, a, b });
        }
      }
      setLines(next);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(container);
    return () => observer.disconnect();
  }, [map]);

  return html`<svg
    class="contagion"
    ref=${svg}
    aria-hidden=${lines.length === 0 ? 'true' : 'false'}
  >
    <defs>
      <marker
        id="arrow"
        viewBox="0 0 10 10"
        refX="9"
        refY="5"
        markerWidth="7"
        markerHeight="7"
        orient="auto-start-reverse"
      >
        <path d="M 0 0 L 10 5 L 0 10 z" fill="currentColor" />
      </marker>
    </defs>
    ${lines.map(({ key, from, to, a, b }) => {
      // An S from side to side (or a bow beside a stage's column), so that a link between
      // neighbouring stages still reads as one.
      const sideways = a.y === b.y || a.x !== b.x;
      const bend = Math.max(40, Math.abs(b.x - a.x) / 3);
      const dir = b.x >= a.x ? 1 : -1;
      const d = sideways
        ? `M ${a.x} ${a.y} C ${a.x + dir * bend} ${a.y} ${b.x - dir * bend} ${b.y} ${b.x} ${b.y}`
        : `M ${a.x} ${a.y} C ${a.x + 60} ${a.y} ${b.x + 60} ${b.y} ${b.x} ${b.y}`;
      return html`<path
        key=${key}
        class="contagion-link"
        data-from=${from.id}
        data-to=${to.id}
        d=${d}
        marker-end="url(#arrow)"
      >
        <title>
          ${t('journey.contagionTitle', { from: from.label[lang], to: to.label[lang], n: to.negatives })}
        </title>
      </path>`;
    })}
  </svg>`;
}
