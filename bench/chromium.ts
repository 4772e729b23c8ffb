import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (installed by .ci/run with apt-get), or CHROMIUM_PATH; never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why a browser cannot run here, or undefined when it can. */
export function browserMissing(): string | undefined {
  return fs.existsSync(CHROMIUM)
    ? undefined
    : `no browser at ${CHROMIUM}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`;
}

export function launchBrowser(): Promise<Browser> {
  // Root (as in CI) cannot use Chromium's sandbox; without the networking flags
  // Chromium keeps dialling out on a closed network. Playwright gives it a fresh profile.
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
