// The browser edition's engine against the native one (SPEC section 13):
// every built-in scenario under every strategy, the report from the
// WebAssembly module (web/engine, run under node) equal byte for byte to
// `stampede run SCENARIO --strategy S --report -`, but for the engine's two
// timing fields (engine.wall_s, engine.events_per_s); and the portable
// charconv's digests over a million values equal to native's.
//
//   node --no-experimental-fetch tests/web/parity.mjs STAMPEDE WASM_DIR PORTABLE_CHECK_NATIVE
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const [stampede, wasmDir, portableNative] = process.argv.slice(2);
if (!stampede || !wasmDir || !portableNative) {
  console.error('usage: parity.mjs STAMPEDE WASM_DIR PORTABLE_CHECK_NATIVE');
  process.exit(2);
}

if (!existsSync(join(wasmDir, 'stampede_engine.wasm'))) {
  console.error(`no WebAssembly module in ${wasmDir}: build it with ` +
    '`cmake --preset wasm && cmake --build --preset wasm` (./dev test does)');
  process.exit(1);
}

let failed = 0;
let passed = 0;
const check = (ok, what) => {
  if (ok) passed++;
  else {
    failed++;
    console.log(`FAILED ${what}`);
  }
};

// The timing fields are the only ones a run may not repeat.
const untimed = (text) =>
  text.replace(/^ {4}"(wall_s|events_per_s)": .*\n/gm, '');

// The first line where two texts part, for the message.
const firstDifference = (a, b) => {
  const x = a.split('\n');
  const y = b.split('\n');
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `line ${i + 1}: native ${JSON.stringify(x[i])}, wasm ${JSON.stringify(y[i])}`;
  return 'none';
};

// 1. The charconv fallbacks: the same digests as the native library's.
const VALUES = process.env.PORTABLE_VALUES ?? '500000';
const [native, wasm] = await Promise.all([
  run(portableNative, [VALUES]),
  run(process.execPath, ['--no-experimental-fetch', join(wasmDir, 'portable_check.js'), VALUES], {
    maxBuffer: 1 << 20,
  }),
]);
check(native.stdout === wasm.stdout && native.stdout.length > 0,
  `portable charconv: native\n${native.stdout}wasm\n${wasm.stdout}`);
console.log(`portable charconv over ${VALUES} values (x2 signs): ${native.stdout.trim().split('\n').pop()}`);

// 2. Every built-in scenario under every strategy.
const require = createRequire(import.meta.url);
const createStampede = require(resolve(wasmDir, 'stampede_engine.js'));
// The module's files (.wasm, and .data with the lessons) sit beside it.
const engine = await createStampede({ locateFile: (file) => resolve(wasmDir, file) });
const builtins = JSON.parse(engine.builtins()).map((b) => `builtin:${b.name}`);
const strategies = JSON.parse(engine.strategies()).map((s) => s.name);
check(builtins.length >= 10 && strategies.length >= 10,
  `the module lists ${builtins.length} scenarios and ${strategies.length} strategies`);

let same = 0;
const started = Date.now();
for (const scenario of builtins) {
  // Native runs go on in other processes while the module runs here.
  const natives = strategies.map((s) =>
    run(stampede, ['run', scenario, '--strategy', s, '--report', '-'], { maxBuffer: 64 << 20 }));
  for (const [i, s] of strategies.entries()) {
    const request = JSON.stringify({ scenario, set: [`strategy.name=${JSON.stringify(s)}`] });
    const fromWasm = untimed(engine.runReport(request));
    const fromNative = untimed((await natives[i]).stdout);
    const ok = fromWasm === fromNative;
    same += ok ? 1 : 0;
    check(ok, `${scenario} --strategy ${s}: ${firstDifference(fromNative, fromWasm)}`);
  }
}
console.log(`reports: ${same} of ${builtins.length * strategies.length} (${builtins.length} scenarios x ` +
  `${strategies.length} strategies) byte-identical to native, timing fields aside ` +
  `(${((Date.now() - started) / 1000).toFixed(1)} s)`);

// 2b. Every order of every built-in race under every strategy (SPEC section
// 12): the module's explore report is stampede explore's.
const exploreTiming = /\n {4}"(wall_s|schedules_per_s)": [^\n]*/g;
let explored = 0, exploredSame = 0;
for (const scenario of builtins.filter((b) => b.startsWith('builtin:race-'))) {
  const natives = strategies.map((s) =>
    run(stampede, ['explore', scenario, '--strategy', s, '--report', '-'], { maxBuffer: 64 << 20 })
      .then((r) => r, (e) => e)); // exit 1: the scenario's own expectation failed under s
  for (const [i, s] of strategies.entries()) {
    const request = JSON.stringify({ scenario, set: [`strategy.name=${JSON.stringify(s)}`] });
    const fromWasm = engine.explore(request).replace(exploreTiming, '');
    const fromNative = (await natives[i]).stdout.replace(exploreTiming, '');
    const ok = fromWasm === fromNative && fromNative.includes('"schedules"');
    explored += 1;
    exploredSame += ok ? 1 : 0;
    check(ok, `explore ${scenario} --strategy ${s}: ${firstDifference(fromNative, fromWasm)}`);
  }
}
check(explored >= 8 * strategies.length, `explored ${explored} races x strategies`);
console.log(`explore: ${exploredSame} of ${explored} reports byte-identical to native, timing fields aside`);

// 3. Bad input gets the command line's own words.
const badFile = join(mkdtempSync(join(tmpdir(), 'stampede-parity-')), 'naive.json');
const badText = '{"cache": {"memory_bytes": -64}}';
writeFileSync(badFile, badText);
const bad = JSON.parse(engine.checkScenario(JSON.stringify({ scenario: badText, origin: badFile })));
const nativeBad = await run(stampede, ['validate', badFile]).then(() => ({ stderr: '' }), (e) => e);
check(typeof bad.error === 'string' && bad.error.startsWith(`${badFile}: cache.memory_bytes: expected`),
  `a bad field: ${JSON.stringify(bad)}`);
check(nativeBad.stderr === `${bad.error}\n`,
  `the CLI's words: native ${JSON.stringify(nativeBad.stderr)}, wasm ${JSON.stringify(bad.error)}`);

const student = JSON.parse(engine.runReport(JSON.stringify({
  scenario: 'builtin:herd', set: ['strategy.name="student:mine"'],
})));
check(/got "student:mine" \(student strategies \(student:NAME\) run in the native build only/.test(student.error),
  `a student strategy in the browser: ${JSON.stringify(student)}`);

// The lessons travel in the module: the same as the native build lists.
const lessons = JSON.parse(engine.lessons());
const listed = (await run(stampede, ['lesson', 'list'])).stdout
  .split('\n').filter((line) => /^\S/.test(line)).map((line) => line.replace(/ {2,}/, ' | '));
check(Array.isArray(lessons) && lessons.length >= 18 &&
  JSON.stringify(lessons.map((l) => `${l.folder} | ${l.title}`)) === JSON.stringify(listed),
  `lessons in the module: ${JSON.stringify(lessons).slice(0, 200)}`);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
