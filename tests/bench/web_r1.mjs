// The engine's speed in Chromium against native, paired in one session:
// builtin:r1 for DURATION simulated seconds, alternately natively and in the
// site's WebAssembly engine in Debian's Chromium (main thread), three times
// each; the engine's own time (the report's engine.wall_s) compared. A
// benchmark, not a test: it prints, and ./dev bench runs it.
//
//   node tests/bench/web_r1.mjs STAMPEDE SITE_DIR [DURATION]
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const [stampede, siteDir, duration = '600'] = process.argv.slice(2).map((p, i) => (i < 2 ? resolve(p) : p));
if (!existsSync(join(siteDir, 'engine/stampede_engine.wasm'))) {
  console.error(`no site in ${siteDir}: ./dev web --build-only builds it`);
  process.exit(2);
}
const require = createRequire(join(siteDir, '..', 'package.json'));
const { chromium } = require('playwright-core');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };
const server = createServer((req, res) => {
  if (req.url === '/bench.html') return res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>bench</title>');
  const file = join(siteDir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (!file.startsWith(siteDir) || !existsSync(file)) return res.writeHead(404).end();
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${server.address().port}/bench.html`);
await page.addScriptTag({ url: `http://127.0.0.1:${server.address().port}/engine/stampede_engine.js` });
await page.evaluate(async (base) => {
  window.engine = await window.createStampede({ locateFile: (f) => base + f });
}, `http://127.0.0.1:${server.address().port}/engine/`);

const request = JSON.stringify({ scenario: 'builtin:r1', set: [`duration_s=${duration}`] });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const native = [];
const wasm = [];
let events = 0;
for (let k = 0; k < 3; k++) {
  const n = JSON.parse((await run(stampede, ['run', 'builtin:r1', '--duration', duration, '--report', '-'],
    { maxBuffer: 1 << 26 })).stdout);
  native.push(n.engine.wall_s);
  const w = JSON.parse(await page.evaluate((r) => window.engine.runReport(r), request));
  wasm.push(w.engine.wall_s);
  events = w.engine.events;
  if (w.engine.events !== n.engine.events) console.log(`events differ: native ${n.engine.events}, wasm ${w.engine.events}`);
}
await browser.close();
server.close();
const [mn, mw] = [median(native), median(wasm)];
console.log(`builtin:r1, ${duration} s simulated, ${events} events, engine time (median of 3, paired):`);
console.log(`  native   ${mn.toFixed(3)} s  (${(events / mn / 1e6).toFixed(2)} M events/s)`);
console.log(`  Chromium ${mw.toFixed(3)} s  (${(events / mw / 1e6).toFixed(2)} M events/s)`);
console.log(`  Chromium / native: ${(mw / mn).toFixed(2)} x`);
