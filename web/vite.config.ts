import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Tracker at /ui/ from dist/web (see src/console/console.routes.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // For `node bench/console-sizes.ts`, which adds up what each page loads.
    manifest: true,
  },
});
