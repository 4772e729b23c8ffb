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
    // The size of each page's chunk is reported, and held to the budget by the build test.
    reportCompressedSize: true,
  },
});
