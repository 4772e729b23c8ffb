/**
 * What each page of the console ships, gzipped: the entry (React, the router,
 * the layout) plus the page's own chunks, JS and CSS, as a first visit to that
 * page loads them. Fonts and images are left out. Reads Vite's manifest of
 * dist/web (`npm run build:web`). Run: node bench/console-sizes.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  css?: string[];
}

const dist = path.join(import.meta.dirname, '..', 'dist', 'web');
const manifest = JSON.parse(fs.readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
const gzipped = new Map<string, number>();
const gz = (file: string) => gzipped.get(file) ?? gzipped.set(file, gzipSync(fs.readFileSync(path.join(dist, file))).length).get(file)!;

/** The files a chunk loads with it: itself, its CSS, and its static imports', once each. */
function closure(key: string, files = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (files.has(chunk.file)) return files;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) closure(imported, files);
  return files;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const entry = Object.keys(manifest).find((key) => manifest[key].isEntry)!;
const pages = Object.keys(manifest).filter((key) => manifest[key].isDynamicEntry && key.includes('/pages/'));
const rows = pages.map((page) => {
  const files = closure(page, closure(entry));
  const sum = (suffix: string) => [...files].filter((file) => file.endsWith(suffix)).reduce((total, file) => total + gz(file), 0);
  return { page: page.replace(/^src\/pages\//, '').replace(/\.tsx$/, ''), js: sum('.js'), css: sum('.css') };
});
const shared = closure(entry);
console.log(`entry (every page): ${kb([...shared].reduce((total, file) => total + gz(file), 0))} gzipped`);
console.log('page'.padEnd(24), 'JS'.padStart(10), 'CSS'.padStart(10), 'total'.padStart(10));
for (const row of rows.sort((a, b) => b.js + b.css - (a.js + a.css))) {
  console.log(row.page.padEnd(24), kb(row.js).padStart(10), kb(row.css).padStart(10), kb(row.js + row.css).padStart(10));
}
