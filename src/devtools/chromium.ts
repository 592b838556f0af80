/**
 * Debian's Chromium, headless, for the dashboard's pictures and its browser test. Development
 * only: playwright-core is a dev dependency, and nothing the product runs imports this file.
 */
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/** Launches it with what this machine's closed network needs: no background calls home. */
export function launchChromium(executablePath = DEBIAN_CHROMIUM): Promise<Browser> {
  return chromium.launch({
    executablePath,
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
