/**
 * Debian's Chromium (installed by .ci/run: `apt-get install chromium`), launched headless with the
 * flags that keep it off this machine's closed network (background fetches would be refused).
 */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};
