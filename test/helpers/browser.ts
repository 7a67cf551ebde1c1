// Opens our pages in Debian's headless chromium, scripts off and the network shut, and returns what a reader would hit.
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

// Debian's chromium here and in .ci/run; elsewhere (a GitHub runner's Chrome) CHROMIUM_PATH names the browser.
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
// The flags keep chromium from calling home (updates, sync, field trials) so that every request seen is the page's.
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const HEIGHT = 900;

export interface ContrastFailure {
  text: string;
  ratio: number;
  fg: string;
  bg: string;
}

/** What the rendered page shows a reader: measured when asked, so after a click or an opened <details> too. */
export interface PageChecks {
  /** The page is wider than the viewport, so a phone reader scrolls sideways. */
  horizontalOverflow: boolean;
  /** Visible text below WCAG AA contrast against the background it sits on. */
  contrastFailures: ContrastFailure[];
  /** Images, graphics, controls and tables a screen reader cannot name; a missing <html lang> or <title>. */
  unnamedElements: string[];
  /** The body's innerText: what is visible, in reading order. */
  text: string;
}

export interface OpenedPage extends PageChecks {
  page: Page;
  /** Console errors and uncaught page errors, collected while the page lives. */
  consoleErrors: string[];
  /** Requests for anything but the page itself; each was blocked. */
  externalRequests: string[];
  /** The checks again, for the page as it is now. */
  recheck: () => Promise<PageChecks>;
  /** A full-page PNG. */
  screenshot: (path: string) => Promise<void>;
}

let browser: Browser | undefined;

/** Call at the top of a test file: one chromium for the file, closed after it. */
export function useBrowser(): void {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the browser tests; CI installs it`,
      );
    // playwright gives every launch a fresh temporary profile and removes it on close, so no user-data dir is passed.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
  }, 60_000);
  afterAll(() => browser?.close());
}

/** Where a test keeps its screenshots: outside the repository, so a run leaves nothing to commit. */
export function screenshotPath(fileName: string): string {
  const dir = join(tmpdir(), 'tenant-health-screenshots');
  mkdirSync(dir, { recursive: true });
  return join(dir, fileName);
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * A page at a viewport width (height 900). Our pages must work without scripts, so JavaScript is off unless asked
 * for. The checks still run in the page: playwright's evaluate goes through the DevTools protocol, which the
 * "scripts disabled" emulation does not stop, while the page's own <script>s never run (tried with chromium 156).
 */
export async function openPage(
  source: { html: string } | { url: string },
  width: number,
  options: { javaScript?: boolean } = {},
): Promise<OpenedPage> {
  if (!browser) throw new Error('call useBrowser() at the top of the test file');
  const own = 'url' in source ? new URL(source.url) : null;
  if (own && !LOOPBACK.has(own.hostname)) throw new Error(`openPage serves loopback pages only, not ${own.href}`);
  const context = await browser.newContext({
    viewport: { width, height: HEIGHT },
    javaScriptEnabled: options.javaScript ?? false,
  });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  const externalRequests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (own && url.origin === own.origin) return route.continue();
    externalRequests.push(url.href);
    return route.abort('blockedbyclient');
  });
  if ('html' in source) await page.setContent(source.html, { waitUntil: 'load' });
  else await page.goto(source.url, { waitUntil: 'load' });
  const recheck = () => page.evaluate(measure, width);
  return {
    page,
    consoleErrors,
    externalRequests,
    ...(await recheck()),
    recheck,
    screenshot: async (path) => {
      await page.screenshot({ path, fullPage: true });
    },
  };
}

/**
 * Runs inside the page, so it may use only what it defines itself. The project compiles without the DOM library (it
 * would clash with Node's fetch types), so the page's globals are taken untyped.
 */
function measure(width: number): PageChecks {
  const { document, getComputedStyle, Node, SVGElement, HTMLInputElement, HTMLSelectElement, HTMLTextAreaElement } =
    globalThis as any;
  type Rgba = [number, number, number, number];
  const parse = (colour: string): Rgba => {
    const parts = colour.match(/[\d.]+/g)?.map(Number) ?? [];
    return [parts[0] ?? 0, parts[1] ?? 0, parts[2] ?? 0, colour.startsWith('rgba') ? (parts[3] ?? 1) : 1];
  };
  const over = (top: Rgba, below: Rgba): Rgba => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i]! * a + below[i]! * (1 - a)).concat(1) as Rgba;
  };
  // WCAG 2 relative luminance of an sRGB colour.
  const luminance = ([r, g, b]: Rgba) => {
    const channel = (v: number) => {
      const c = v / 255;
      return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const ratioOf = (a: Rgba, b: Rgba) => {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi! + 0.05) / (lo! + 0.05);
  };
  // The backdrop: the nearest backgrounds up the tree, semi-transparent ones blended, over the canvas's white.
  const backgroundOf = (element: any): Rgba => {
    const layers: Rgba[] = [];
    for (let e = element; e; e = e.parentElement) {
      const bg = parse(getComputedStyle(e).backgroundColor);
      if (bg[3] === 0) continue;
      layers.push(bg);
      if (bg[3] === 1) break;
    }
    return layers.reduceRight<Rgba>((below, top) => over(top, below), [255, 255, 255, 1]);
  };
  const css = ([r, g, b]: Rgba) => `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
  const all = (selector: string, root = document): any[] => [...root.querySelectorAll(selector)];
  const textOf = (e: any): string => (e.textContent ?? '').trim();

  const contrastFailures: ContrastFailure[] = [];
  for (const element of all('body *')) {
    const own = [...element.childNodes]
      .filter((n: any) => n.nodeType === Node.TEXT_NODE)
      .map((n: any) => n.textContent ?? '')
      .join('')
      .trim();
    if (!own || ['SCRIPT', 'STYLE', 'TITLE'].includes(element.tagName)) continue;
    if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) continue;
    const style = getComputedStyle(element);
    const bg = backgroundOf(element);
    // SVG text is painted with fill, HTML text with color.
    const fg = over(parse(element instanceof SVGElement ? style.fill : style.color), bg);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const ratio = Math.round(ratioOf(fg, bg) * 100) / 100;
    if (ratio < (large ? 3 : 4.5)) contrastFailures.push({ text: own.slice(0, 80), ratio, fg: css(fg), bg: css(bg) });
  }

  const describe = (e: any) =>
    `<${e.tagName.toLowerCase()}${e.id ? ` id="${e.id}"` : ''}> ${textOf(e).slice(0, 40)}`.trim();
  const labelledBy = (e: any) =>
    (e.getAttribute('aria-labelledby') ?? '')
      .split(/\s+/)
      .map((id: string) => (id ? textOf(document.getElementById(id) ?? {}) : ''))
      .join('')
      .trim();
  const explicitName = (e: any): string =>
    (e.getAttribute('aria-label') ?? '').trim() || labelledBy(e) || (e.getAttribute('title') ?? '').trim();
  const contentName = (e: any): string =>
    textOf(e) ||
    all('img[alt]', e)
      .map((i) => i.getAttribute('alt'))
      .join('')
      .trim();
  const formField = (e: any) =>
    e instanceof HTMLInputElement || e instanceof HTMLSelectElement || e instanceof HTMLTextAreaElement;
  const fieldName = (e: any): string =>
    [...(e.labels ?? [])].map(textOf).join('').trim() ||
    (e instanceof HTMLInputElement && ['submit', 'reset', 'button'].includes(e.type) ? e.value || e.type : '');

  const unnamedElements: string[] = [];
  if (!document.documentElement.lang.trim()) unnamedElements.push('<html> without lang');
  if (!document.title.trim()) unnamedElements.push('no <title>');
  for (const img of all('img'))
    if (!img.hasAttribute('alt')) unnamedElements.push(`<img src="${img.getAttribute('src') ?? ''}"> without alt`);
  for (const svg of all('svg')) {
    const titled = [...svg.children].some((c: any) => c.tagName.toLowerCase() === 'title' && textOf(c));
    if (!svg.closest('[aria-hidden="true"]') && !titled && !explicitName(svg))
      unnamedElements.push(`${describe(svg)} (svg without title)`);
  }
  for (const control of all('a[href], button, input, select, textarea')) {
    if (control instanceof HTMLInputElement && control.type === 'hidden') continue;
    const name = explicitName(control) || (formField(control) ? fieldName(control) : contentName(control));
    if (!name) unnamedElements.push(`${describe(control)} (no accessible name)`);
  }
  all('table').forEach((table, i) => {
    if (!textOf(table.caption ?? {}) && !explicitName(table))
      unnamedElements.push(`table ${i + 1} without caption or aria-label`);
  });

  return {
    horizontalOverflow: (document.scrollingElement?.scrollWidth ?? 0) > width + 1,
    contrastFailures,
    unnamedElements,
    text: document.body.innerText,
  };
}
