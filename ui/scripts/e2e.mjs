// `npm run e2e`: builds ui/dist and ui/dist-hq when missing or older than their sources,
// then runs the Playwright tests (extra arguments are passed on).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { uiDir } from './loket-bin.mjs';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

// The desk's UI (ui/dist, from src/) and head office's page (ui/dist-hq,
// from hq/, which also uses src/), each rebuilt when older than its sources.
const shared = Math.max(newest(path.join(uiDir, 'src')), statSync(path.join(uiDir, 'package.json')).mtimeMs);
const builds = [
  {
    out: path.join(uiDir, 'dist', 'index.html'),
    sources: Math.max(shared, statSync(path.join(uiDir, 'index.html')).mtimeMs, statSync(path.join(uiDir, 'vite.config.ts')).mtimeMs),
    args: ['vite', 'build'],
  },
  {
    out: path.join(uiDir, 'dist-hq', 'index.html'),
    sources: Math.max(shared, newest(path.join(uiDir, 'hq')), statSync(path.join(uiDir, 'vite.hq.config.ts')).mtimeMs),
    args: ['vite', 'build', '-c', 'vite.hq.config.ts'],
  },
];
for (const b of builds) {
  if (!existsSync(b.out) || statSync(b.out).mtimeMs < b.sources) {
    console.log(`building ${path.relative(uiDir, path.dirname(b.out))} …`);
    const r = spawnSync('npx', b.args, { cwd: uiDir, stdio: 'inherit' });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
}
const r = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { cwd: uiDir, stdio: 'inherit' });
process.exit(r.status ?? 1);
