// The browser harness finds what it claims to: a page with every fault it looks for, and the same page made clean.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openPage, useBrowser } from '../helpers/browser';

useBrowser();

const FAULTY = `<!doctype html><html><head><style>body{margin:0;background:#fff}.pale{color:#aaa}</style>
<link rel="stylesheet" href="https://cdn.example.com/site.css"></head><body>
<p id="hello">written by the page</p><script>document.getElementById('hello').textContent = 'changed by a script'</script>
<p class="pale">pale grey on white</p><img src="https://cdn.example.com/logo.png">
<svg width="10" height="10"><rect width="10" height="10"/></svg><a href="#top"></a><input type="text">
<table><tr><td>cell</td></tr></table><div style="width:2000px">wide</div></body></html>`;

const CLEAN = `<!doctype html><html lang="en"><head><title>Clean</title></head><body>
<p>dark on white</p><p style="color:#767676">the lightest grey that passes</p>
<p style="color:#949494;font-size:24px">large text needs only 3:1</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<svg aria-hidden="true" width="10" height="10"><rect width="10" height="10"/></svg><svg width="10" height="10"><title>a square</title></svg>
<a href="#top">top</a><label>Name <input type="text"></label><table><caption>numbers</caption><tr><td>1</td></tr></table>
<details><summary>more</summary><p style="color:#ccc">hidden until opened</p></details></body></html>`;

test('a faulty page: every fault is reported, and its own script never runs', async () => {
  const page = await openPage({ html: FAULTY }, 390);
  expect(page.text).toContain('written by the page');
  expect(page.text).not.toContain('changed by a script');
  expect(page.externalRequests.sort()).toEqual([
    'https://cdn.example.com/logo.png',
    'https://cdn.example.com/site.css',
  ]);
  expect(page.consoleErrors.length).toBeGreaterThan(0);
  expect(page.horizontalOverflow).toBe(true);
  expect(page.contrastFailures).toEqual([
    { text: 'pale grey on white', ratio: 2.32, fg: 'rgb(170, 170, 170)', bg: 'rgb(255, 255, 255)' },
  ]);
  expect(page.unnamedElements).toEqual([
    '<html> without lang',
    'no <title>',
    '<img src="https://cdn.example.com/logo.png"> without alt',
    '<svg> (svg without title)',
    '<a> (no accessible name)',
    '<input> (no accessible name)',
    'table 1 without caption or aria-label',
  ]);
});

test('a clean page passes every check; text hidden in a closed <details> counts once it is opened', async () => {
  const page = await openPage({ html: CLEAN }, 390);
  expect(page).toEqual(
    expect.objectContaining({
      consoleErrors: [],
      externalRequests: [],
      horizontalOverflow: false,
      contrastFailures: [],
      unnamedElements: [],
    }),
  );
  expect(page.text).not.toContain('hidden until opened');
  await page.page.click('summary');
  const opened = await page.recheck();
  expect(opened.text).toContain('hidden until opened');
  expect(opened.contrastFailures.map((f) => f.text)).toEqual(['hidden until opened']);
});

describe('a page served on loopback', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      response.setHeader('content-type', request.url === '/style.css' ? 'text/css' : 'text/html');
      response.end(
        request.url === '/style.css'
          ? 'p{color:#111}'
          : '<!doctype html><html lang="en"><head><title>Served</title><link rel="stylesheet" href="/style.css"></head><body><p>served</p><img alt="" src="http://192.0.2.1/pixel.gif"></body></html>',
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('loads its own assets and blocks the rest', async () => {
    const page = await openPage({ url }, 1280);
    expect(page.text).toBe('served');
    expect(page.externalRequests).toEqual(['http://192.0.2.1/pixel.gif']);
  });

  test('anything but loopback is refused outright', async () => {
    await expect(openPage({ url: 'https://example.com/' }, 1280)).rejects.toThrow(/loopback pages only/);
  });
});
