// Build web/vendor/codemirror.js (one minified ES module) from src/index.js, and
// web/vendor/LICENSES.txt with the licence text of every npm package that ended up in it.
// Run through `make editor` (npm ci + this script); the pages load only the committed output.

import { build } from 'esbuild';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'vendor');

const result = await build({
  entryPoints: [join(here, 'src', 'index.js')],
  outfile: join(out, 'codemirror.js'),
  bundle: true,
  format: 'esm',
  target: 'es2020',
  minify: true,
  legalComments: 'none', // the licences go to LICENSES.txt in full instead
  metafile: true,
  banner: {
    js: '/* CodeMirror 6 editor for Interview Coach, built from web/editor by `make editor`.\n'
      + ' * Bundled packages (MIT licence, (c) Marijn Haverbeke and others) are listed with their\n'
      + ' * licence texts in LICENSES.txt beside this file. */',
  },
  logLevel: 'warning',
});

// Every package with a module in the bundle: node_modules/<name>/... or node_modules/@scope/<name>/...
const packages = new Set();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//);
  if (m) packages.add(m[1]);
}

const sections = [];
for (const name of [...packages].sort()) {
  const dir = join(here, 'node_modules', name);
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `Licence: ${meta.license} (no licence file shipped)`;
  sections.push(`${'='.repeat(72)}\n${name} ${meta.version} (${meta.license})\n${'='.repeat(72)}\n\n${text}\n`);
}
writeFileSync(
  join(out, 'LICENSES.txt'),
  'Licences of the npm packages bundled into codemirror.js (built by web/editor/build.mjs).\n\n'
    + sections.join('\n'),
);

const bytes = readFileSync(join(out, 'codemirror.js')).length;
const rel = relative(process.cwd(), join(out, 'codemirror.js')) || 'codemirror.js';
console.log(`${rel}: ${(bytes / 1024).toFixed(1)} KiB, ${packages.size} packages`);
if (!existsSync(join(out, 'LICENSES.txt'))) process.exit(1);
