import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Head office's page (ui/hq, served by `loket-hq serve` at /): a second
// entry of the same package, sharing the desk's components, words, styles and
// node_modules; built to ui/dist-hq, which `loket-hq` embeds. In
// development, `/api` goes to a running `loket-hq serve` (LOKET_HQ_URL,
// default http://127.0.0.1:8378).
export default defineConfig({
  root: fileURLToPath(new URL('./hq', import.meta.url)),
  // Served at / (the booking page's paths, `/book/{branch}`, load the same files).
  base: '/',
  plugins: [react()],
  build: { outDir: fileURLToPath(new URL('./dist-hq', import.meta.url)), emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: {
      '/api': process.env.LOKET_HQ_URL ?? 'http://127.0.0.1:8378',
      '/public': process.env.LOKET_HQ_URL ?? 'http://127.0.0.1:8378',
    },
  },
});
