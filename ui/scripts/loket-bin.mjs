// Where the `loket` binary is (and `loket-hq`, next to it): $LOKET_BIN, else $CARGO_TARGET_DIR/debug/loket,
// else ../target/debug/loket (relative to ui/).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const uiDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function loketBin() {
  let bin;
  if (process.env.LOKET_BIN) bin = path.resolve(uiDir, process.env.LOKET_BIN);
  else if (process.env.CARGO_TARGET_DIR)
    bin = path.resolve(uiDir, process.env.CARGO_TARGET_DIR, 'debug', 'loket');
  else bin = path.resolve(uiDir, '..', 'target', 'debug', 'loket');
  if (!existsSync(bin)) {
    throw new Error(
      `loket binary not found at ${bin}: build it with \`cargo build\` or set LOKET_BIN`,
    );
  }
  return bin;
}

/** `loket-hq`: $LOKET_HQ_BIN, else next to the `loket` binary above. */
export function hqBin() {
  const bin = process.env.LOKET_HQ_BIN
    ? path.resolve(uiDir, process.env.LOKET_HQ_BIN)
    : path.join(path.dirname(loketBin()), 'loket-hq');
  if (!existsSync(bin)) {
    throw new Error(`loket-hq not found at ${bin}: build it with \`cargo build -p loket-hq\` or set LOKET_HQ_BIN`);
  }
  return bin;
}
