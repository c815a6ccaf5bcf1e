// Builds the browser edition into dist/: plain static files any web server
// (or a course's page host) serves. The engine (the wasm preset's output,
// build/wasm/web/engine) and the lessons' pictures join the bundle as they
// are; a service worker listing every file makes the site work offline once
// loaded.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const root = resolve(import.meta.dirname, '..');
const engineDir = process.env.STAMPEDE_WASM_DIR ?? join(root, 'build/wasm/web/engine');
const engineFiles = ['stampede_engine.js', 'stampede_engine.wasm', 'stampede_engine.data'];

function stampedeFiles(): Plugin {
  return {
    name: 'stampede-files',
    buildStart() {
      for (const f of engineFiles) {
        if (!existsSync(join(engineDir, f)))
          this.error(`${join(engineDir, f)} is missing: build the engine first ` +
            '(cmake --preset wasm && cmake --build --preset wasm; ./dev web does)');
      }
    },
    generateBundle(_options, bundle) {
      for (const f of engineFiles)
        this.emitFile({ type: 'asset', fileName: `engine/${f}`, source: readFileSync(join(engineDir, f)) });
      const lessons = join(root, 'lessons');
      for (const folder of readdirSync(lessons)) {
        if (!/^\d/.test(folder)) continue;
        for (const f of readdirSync(join(lessons, folder)).filter((n) => n.endsWith('.png')))
          this.emitFile({ type: 'asset', fileName: `lessons/${folder}/${f}`, source: readFileSync(join(lessons, folder, f)) });
      }
      // Offline: the service worker caches every file of this build on install.
      const files = [...Object.keys(bundle), ...engineFiles.map((f) => `engine/${f}`)]
        .filter((f) => f !== 'sw.js' && !f.startsWith('lessons/'));
      const version = JSON.stringify(files.join('|').length.toString(36) + Date.now().toString(36));
      this.emitFile({
        type: 'asset',
        fileName: 'sw.js',
        source: readFileSync(join(import.meta.dirname, 'src/sw.js'), 'utf8')
          .replace('__FILES__', JSON.stringify(['./', ...files]))
          .replace('__VERSION__', version),
      });
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [stampedeFiles()],
  worker: { format: 'iife' },
  build: { target: 'es2022', chunkSizeWarningLimit: 600 },
  preview: { headers: { 'Cache-Control': 'no-cache' } },
});
