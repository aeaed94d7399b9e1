/**
 * Charts as server-rendered SVG: no script, readable without colour (every bar carries its
 * figure as text), and a table of the same figures for screen readers and for copying.
 */

export type Bar = {
  label: string;
  /** The bar's length as a share of the whole, 0…1. */
  share: number;
  /** What is written at the bar's end, e.g. "7 / 9 · 78%". */
  text: string;
  /** Colour class: ok (met), warn, bad; default neutral. */
  tone?: 'ok' | 'warn' | 'bad' | undefined;
};

const ROW = 28;
const LABEL_W = 190;
const BAR_W = 260;
const TEXT_W = 120;

/** A label cut to about `px` pixels of 13px text (CJK characters are twice as wide as Latin). */
function fitLabel(label: string, px: number): string {
  let width = 0;
  let out = '';
  for (const ch of label) {
    const w = /[\u2e80-\uffff]/.test(ch) ? 13 : 7;
    if (width + w > px - 13) return `${out}…`;
    width += w;
    out += ch;
  }
  return out;
}

/** Horizontal bars, one per row. */
export function BarChart(props: { id: string; title: string; bars: readonly Bar[]; empty: string }) {
  const { bars } = props;
  if (bars.length === 0) {
    return (
      <figure class="chart">
        <figcaption>{props.title}</figcaption>
        <p class="muted">{props.empty}</p>
      </figure>
    );
  }
  const height = bars.length * ROW + 8;
  const width = LABEL_W + BAR_W + TEXT_W;
  return (
    <figure class="chart">
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        width="100%"
        role="img"
        aria-labelledby={`${props.id}-title`}
        aria-describedby={`${props.id}-table`}
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{props.title}</title>
        {bars.map((b, i) => {
          const y = 4 + i * ROW;
          const w = Math.max(0, Math.min(1, b.share)) * BAR_W;
          return (
            <g>
              <text x={LABEL_W - 8} y={y + 18} text-anchor="end" class="chart-label">
                {fitLabel(b.label, LABEL_W - 14)}
              </text>
              <rect x={LABEL_W} y={y + 4} width={BAR_W} height={ROW - 10} class="chart-track" rx="3" />
              <rect
                x={LABEL_W}
                y={y + 4}
                width={w.toFixed(1)}
                height={ROW - 10}
                class={`chart-bar ${b.tone ?? ''}`}
                rx="3"
              />
              <text x={LABEL_W + BAR_W + 8} y={y + 18} class="chart-value">
                {b.text}
              </text>
            </g>
          );
        })}
      </svg>
      <table class="sr-only" id={`${props.id}-table`}>
        <tbody>
          {bars.map((b) => (
            <tr>
              <th scope="row">{b.label}</th>
              <td>{b.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

/** One stacked bar of parts of a whole (e.g. budget: paid, committed, left). */
export function StackedBar(props: {
  id: string;
  title: string;
  parts: readonly { label: string; value: number; text: string; tone: string }[];
}) {
  const total = props.parts.reduce((s, p) => s + Math.max(0, p.value), 0);
  const W = 520;
  let x = 0;
  return (
    <figure class="chart">
      <figcaption id={`${props.id}-title`}>{props.title}</figcaption>
      <svg viewBox={`0 0 ${W} 36`} width="100%" role="img" aria-labelledby={`${props.id}-title`}>
        <title>{props.title}</title>
        <rect x="0" y="4" width={W} height="24" class="chart-track" rx="4" />
        {props.parts.map((p) => {
          const w = total > 0 ? (Math.max(0, p.value) / total) * W : 0;
          const el = (
            <rect x={x.toFixed(1)} y="4" width={w.toFixed(1)} height="24" class={`chart-bar ${p.tone}`} />
          );
          x += w;
          return el;
        })}
      </svg>
      <ul class="legend">
        {props.parts.map((p) => (
          <li>
            <span class={`swatch ${p.tone}`} aria-hidden="true" />
            {p.label}: {p.text}
          </li>
        ))}
      </ul>
    </figure>
  );
}

/** A share as a whole percentage, and the tone of a compliance share. */
export const pct = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 100) : 0);
export const toneOf = (share: number): Bar['tone'] => (share >= 0.9 ? 'ok' : share >= 0.6 ? 'warn' : 'bad');
