import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * PatternFly's stylesheets carry themes and an icon font the console never
 * uses: the high-contrast, felt and glass themes (only light and dark are
 * applied, see src/main.tsx) and the pficon font (icons come from
 * @patternfly/react-icons as SVG). Their rules are ~12 KB gzipped of every
 * page. A rule goes when each of its selectors names one of them; a rule
 * shared with a used selector keeps that selector.
 */
const UNUSED_SELECTOR = /\.pf-v6-theme-(high-contrast|felt|glass)\b|\.pf-v6-pficon-/;

// The console is served by Tracker at /ui/ from dist/web (see src/console/console.routes.ts).
export default defineConfig({
  root: import.meta.dirname,
  base: '/ui/',
  plugins: [react()],
  resolve: {
    // react-table's one lodash import, by a small equal (see the file): 6.7 KB gzipped off each table page.
    alias: { 'lodash/mergeWith': path.join(import.meta.dirname, 'src/vendor/lodash-merge-with.ts') },
  },
  css: {
    postcss: {
      plugins: [
        {
          postcssPlugin: 'drop-unused-patternfly',
          Rule(rule) {
            const used = rule.selectors.filter((selector) => !UNUSED_SELECTOR.test(selector));
            if (used.length === 0) rule.remove();
            else if (used.length < rule.selectors.length) rule.selectors = used;
          },
          AtRule: {
            'font-face'(fontFace) {
              if (fontFace.toString().includes('pf-v6-pficon')) fontFace.remove();
            },
          },
        },
      ],
    },
  },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    // For `node bench/console-sizes.ts`, which adds up what each page loads.
    manifest: true,
  },
});
