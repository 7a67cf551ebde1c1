// What every page we render shares: escaping, the colours of states (with contrast a reader can rely on), and the base style.

/** Text and attribute values, escaped for HTML. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Each state's colour on white, and white on it: both at least 4.5:1, and the state is always written as well. */
export const STATE_COLOURS: Record<string, string> = {
  healthy: '#1b6e2a',
  degraded: '#8a5300',
  failing: '#b3261e',
  stale: '#a33b00',
  unknown: '#5f6368',
  empty: '#5f6368',
};

/** Readiness bands, in the same spirit. */
export const BAND_COLOURS: Record<string, string> = {
  ready: '#1b6e2a',
  'on track': '#0b5cad',
  'at risk': '#8a5300',
  critical: '#b3261e',
  unknown: '#5f6368',
};

/** The base style of our pages: system fonts, readable measure, tables that turn into cards on a phone. */
export const BASE_CSS = `
:root { color-scheme: light; }
body { font: 16px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f1f1f; background: #fff; }
main { max-width: 75rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 0.5rem; }
p, li { max-width: 60rem; }
.muted { color: #545454; }
.chip { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 0.75rem; color: #fff; font-weight: 600; white-space: nowrap; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; padding: 0.5rem 0; }
th, td { text-align: left; padding: 0.4rem 0.5rem; border-bottom: 1px solid #d0d0d0; vertical-align: top; }
th { background: #f2f2f2; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 0.9em; overflow-wrap: anywhere; }
pre { white-space: pre-wrap; background: #f6f6f6; padding: 0.75rem; border: 1px solid #d0d0d0; }
@media (max-width: 40rem) {
  table.cards, table.cards tbody, table.cards tr, table.cards td { display: block; width: 100%; box-sizing: border-box; }
  table.cards caption { display: block; }
  table.cards thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.cards tr { border: 1px solid #d0d0d0; border-radius: 0.5rem; margin-bottom: 0.75rem; padding: 0.25rem 0; }
  table.cards td { border: 0; padding: 0.2rem 0.75rem; }
  table.cards td[data-label]::before { content: attr(data-label) ": "; font-weight: 600; }
}
`;

/** A whole page: no scripts, no external assets, one inline style. */
export const htmlPage = (title: string, style: string, body: string, head = '') =>
  `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${head}<title>${escapeHtml(title)}</title><style>${BASE_CSS}${style}</style></head><body><main>${body}</main></body></html>\n`;
