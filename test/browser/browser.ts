import path from 'node:path';

// The browser the tests drive is the one the bench drives.
export { browserMissing, launchBrowser } from '../../bench/chromium.ts';

/** Where the tests save screenshots for a person to look at. */
export const ARTEFACTS = path.join(import.meta.dirname, '..', '..', 'test-artefacts');
