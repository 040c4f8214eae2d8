// Renders a piece of the UI into a detached element for a test, and unmounts
// it after each test of the file that imports this.
import { act, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach } from 'vitest';

(globalThis as unknown as { IS_REACT_ACT_ENVIRONMENT: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | null = null;
afterEach(() => {
  act(() => root?.unmount());
  root = null;
});

export function render(ui: ReactNode): HTMLElement {
  const host = document.createElement('div');
  root = createRoot(host);
  act(() => root!.render(ui));
  return host;
}
