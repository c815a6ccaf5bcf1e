// The browser edition in a real browser: Debian's Chromium driven by
// playwright-core, against the built site (web/dist) served on 127.0.0.1 by
// this script. Each check compares the page with the native build:
//  1. a lesson step predicted, run and answered: the measured answer is the
//     one `stampede lesson run --interactive` prints;
//  2. at a paused instant the diagram draws as many dots as the engine has
//     activities in flight (and a second copy of the module agrees);
//  3. a report downloaded from the page equals `stampede run --report -`
//     (the engine's timing fields aside);
//  4. the editor rejects a bad field in the command line's own words, and the
//     Explore tab tells the shortest order as `stampede explore` does;
//  5. once loaded, the site works offline;
//  6. the whole site, gzipped, stays under 1 MB.
// Screenshots go to OUT_DIR, to be looked at.
//
//   node tests/web/browser.mjs STAMPEDE SITE_DIR OUT_DIR
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);
const [stampede, siteDir, outDir] = process.argv.slice(2).map((p) => p && resolve(p));
if (!stampede || !siteDir || !outDir) {
  console.error('usage: browser.mjs STAMPEDE SITE_DIR OUT_DIR');
  process.exit(2);
}
if (!existsSync(join(siteDir, 'index.html'))) {
  console.error(`no site in ${siteDir}: build it with ./dev web --build-only (./dev test does)`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const require = createRequire(join(siteDir, '..', 'package.json'));
const { chromium } = require('playwright-core');

let passed = 0;
let failed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok    ' : 'FAILED'} ${what}`);
};
const untimed = (text) => text.replace(/^ {4}"(wall_s|events_per_s)": .*\n/gm, '');

// The site, as any static server would serve it.
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.json': 'application/json', '.png': 'image/png', '.data': 'application/octet-stream' };
const server = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
  const file = join(siteDir, path.endsWith('/') ? `${path}index.html` : path);
  if (!file.startsWith(siteDir) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
  res.end(readFileSync(file));
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const site = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
const page = await context.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(e.message));

try {
  // Opening: the first lesson's first step, ready to predict.
  const opened = Date.now();
  await page.goto(site);
  await page.waitForSelector('#run-step', { timeout: 30000 });
  const readyMs = Date.now() - opened;
  await page.waitForSelector('body[data-ready=true]');
  console.log(`first lesson step ready to run ${readyMs} ms after opening the page`);

  // 1. Lesson 1, step 1: predict "it keeps growing", run, read the verdict.
  await page.check('form.question input[value="3"]');
  await page.click('#run-step');
  await page.waitForSelector('#verdict[data-done=true]', { timeout: 120000 });
  const verdict = await page.textContent('#verdict');
  await page.screenshot({ path: join(outDir, 'lesson.png') });
  const dir = mkdtempSync(join(tmpdir(), 'stampede-browser-'));
  writeFileSync(join(dir, 'answers'), '3\n');
  const cli = await run('bash', ['-c', `"$0" lesson run 01 --interactive < "$1"`, stampede, join(dir, 'answers')])
    .catch((e) => e);
  const measured = /measured: (.*)\n/.exec(cli.stdout ?? '')?.[1];
  check(measured && verdict.includes(`Measured: ${measured}`),
    `lesson 01 step 1: the page measured what the CLI measured (${JSON.stringify(measured)}; page: ${JSON.stringify(verdict.slice(0, 160))})`);
  check(/You said: it keeps growing, to seconds right/.test(verdict), `the prediction is judged right: ${JSON.stringify(verdict)}`);
  check(verdict.includes('As the lesson says'), "the step's checks hold");

  // 1b. The next step's run: its charts show that run alone, not the last
  // one's too (a new run starts its charts afresh).
  await page.click('#next-step');
  const next = await page.$$('form.question input[type=radio]:not([disabled])');
  if (next.length) await next[0].check();
  else await page.fill('form.question input[type=text]:not([disabled])', '1').catch(() => undefined);
  await page.click('#run-step');
  await page.waitForSelector('#verdict[data-done=true]', { timeout: 120000 });
  const charted = await page.evaluate(() => {
    const live = document.querySelector('#live');
    return { points: Number(document.querySelector('#charts').dataset.points),
      end: Number(live.dataset.end), interval: Number(live.dataset.interval) };
  });
  check(charted.points > 0 && charted.points <= Math.ceil(charted.end / charted.interval) + 1,
    `step 2's charts hold its own run: ${charted.points} points for ${charted.end} s at ${charted.interval} s`);

  // 2. builtin:herd paused at 5 s: dots drawn = activities in flight.
  await page.goto(`${site}?herd#live?scenario=builtin:herd&seed=1&t=5`);
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForFunction(() => document.querySelector('#live')?.dataset.now === '5');
  const drawn = await page.$eval('#diagram', (c) => Number(c.dataset.dots));
  const inFlight = await page.$eval('#live', (l) => Number(l.dataset.inFlight));
  await page.screenshot({ path: join(outDir, 'live-herd-5s.png') });
  const engineDir = join(siteDir, 'engine');
  // web/package.json makes .js files below it modules: load the site's
  // copy of the engine's (CommonJS) script under a .cjs name.
  copyFileSync(join(engineDir, 'stampede_engine.js'), join(dir, 'stampede_engine.cjs'));
  const createStampede = require(join(dir, 'stampede_engine.cjs'));
  const module = await createStampede({
    locateFile: (f) => join(engineDir, f),
    wasmBinary: readFileSync(join(engineDir, 'stampede_engine.wasm')), // not node's fetch
  });
  const liveRun = new module.LiveRun(JSON.stringify({ scenario: 'builtin:herd', set: ['seed=1'] }));
  liveRun.runUntil(5);
  const expected = JSON.parse(liveRun.snapshot()).in_flight_all;
  liveRun.delete();
  check(drawn > 0 && drawn === inFlight && inFlight === expected,
    `builtin:herd at 5 s: ${drawn} dots drawn, ${inFlight} in flight in the page, ${expected} in a second module`);

  // 3. The report downloaded from the page.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
  const fromPage = readFileSync(await download.path(), 'utf8');
  const native = (await run(stampede, ['run', 'builtin:herd', '--seed', '1', '--report', '-'], { maxBuffer: 1 << 26 })).stdout;
  check(untimed(fromPage) === untimed(native) && fromPage.length > 1000,
    `the page's report of builtin:herd equals stampede run's (${fromPage.length} bytes)`);

  // 4. The editor: a bad field, in the command line's words.
  await page.click('#tab-editor');
  await page.fill('#editor-name', 'naive.json');
  await page.fill('#editor-text', '{"cache": {"memory_bytes": -64}}');
  await page.waitForFunction(() => document.querySelector('#editor-verdict')?.dataset.ok === 'false');
  const said = await page.textContent('#editor-error');
  writeFileSync(join(dir, 'naive.json'), '{"cache": {"memory_bytes": -64}}');
  const validate = await run(stampede, ['validate', 'naive.json'], { cwd: dir }).then(() => ({ stderr: '' }), (e) => e);
  check(said.length > 0 && `${said}\n` === validate.stderr,
    `the editor says ${JSON.stringify(said)}; stampede validate says ${JSON.stringify(validate.stderr)}`);
  await page.screenshot({ path: join(outDir, 'editor.png') });

  // 4b. Explore: every order of update's race, told as the command line tells it.
  await page.click('#tab-explore');
  await page.selectOption('#explore-scenario', 'builtin:race-update');
  await page.click('#explore-run');
  await page.waitForSelector('#explore-summary');
  const told = await page.$$eval('.finding[data-field="lost_updates"] li', (items) => items.map((i) => i.textContent));
  const summary = await page.textContent('#explore-summary');
  const explored = JSON.parse((await run(stampede, ['explore', 'builtin:race-update', '--report', '-'])).stdout);
  check(told.length >= 8 && JSON.stringify(told) === JSON.stringify(explored.shortest.lost_updates.story) &&
    summary.includes(`${explored.explore.schedules} schedules run`),
    `Explore tells race-update's lost update in ${told.length} steps, as stampede explore does (${summary})`);
  await page.screenshot({ path: join(outDir, 'explore.png') });

  // 5. Offline, once loaded: the service worker serves every file.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await context.setOffline(true);
  await page.goto(`${site}?offline#live?scenario=builtin:stampede&t=2`);
  const offline = await page.waitForSelector('body[data-ready=true]', { timeout: 30000 }).then(() => true, () => false);
  await context.setOffline(false);
  check(offline, 'the site opens and runs offline once loaded');

  // 6. Size: the whole site, every file gzipped, under 1 MB (the issue's budget).
  const files = [];
  const walk = (d) => readdirSync(d, { withFileTypes: true })
    .forEach((e) => (e.isDirectory() ? walk(join(d, e.name)) : files.push(join(d, e.name))));
  walk(siteDir);
  const gzipped = files.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  check(gzipped < 1 << 20, `the whole site gzipped: ${gzipped} bytes in ${files.length} files (budget 1,048,576)`);

  check(errors.length === 0, `no error in the page${errors.length ? `: ${errors.join('; ')}` : ''}`);
} catch (e) {
  check(false, `the browser test stopped: ${e.stack ?? e}`);
  await page.screenshot({ path: join(outDir, 'failure.png') }).catch(() => undefined);
} finally {
  await browser.close();
  server.close();
}
console.log(`screenshots: ${outDir}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
