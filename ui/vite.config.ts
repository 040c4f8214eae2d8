/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `base: './'` so the built files load from any folder: `loket serve --ui-dir`
// and the Tauri shell alike. In development, `/api` goes to a running
// `loket serve` (LOKET_URL, default http://127.0.0.1:8377).
export default defineConfig({
  base: './',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  server: {
    proxy: { '/api': process.env.LOKET_URL ?? 'http://127.0.0.1:8377' },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/**/*.test.{ts,tsx}'],
  },
});
