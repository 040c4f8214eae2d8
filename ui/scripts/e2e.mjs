// `npm run e2e`: builds ui/dist when it is missing or older than the sources,
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

const built = path.join(uiDir, 'dist', 'index.html');
const sources = Math.max(
  newest(path.join(uiDir, 'src')),
  statSync(path.join(uiDir, 'index.html')).mtimeMs,
  statSync(path.join(uiDir, 'vite.config.ts')).mtimeMs,
);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  console.log('building ui/dist …');
  const b = spawnSync('npx', ['vite', 'build'], { cwd: uiDir, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}
const r = spawnSync('npx', ['playwright', 'test', ...process.argv.slice(2)], { cwd: uiDir, stdio: 'inherit' });
process.exit(r.status ?? 1);
