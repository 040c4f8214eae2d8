// Where the `loket` binary is: $LOKET_BIN, else $CARGO_TARGET_DIR/debug/loket,
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
