import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { KEY_A } from '../e2e/local-api';
import { CHROMIUM } from '../support/chromium';

/** Debian's Chromium, or a plain message saying how to get it. */
export const launchChromium = () =>
  chromium.launch(CHROMIUM).catch((error: Error) => {
    throw new Error(
      `the console's browser tests need Debian's chromium (apt-get install chromium): ${error.message}`,
    );
  });

/** A new tab with the console open and the key entered, as a person would. */
export async function signedIn(
  browser: Browser,
  consoleUrl: string,
  key = KEY_A,
  viewport?: { width: number; height: number },
): Promise<Page> {
  const page = await browser.newPage(viewport ? { viewport } : {});
  page.on('pageerror', (error) => console.log('page error:', error.message));
  await page.goto(consoleUrl);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  return page;
}

/** Form controls without a label, and images without alt text, on the page as it is. */
export const unlabelled = (page: Page) =>
  page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label')).length
    + [...document.querySelectorAll('img')].filter((img) => !img.alt).length`);

/** After Run: the console lands on the new execute's page, followed there to its end. */
export async function followToExecute(page: Page): Promise<string> {
  await page.waitForURL(/#\/executes\/[0-9a-f-]{36}$/, { timeout: 30_000 });
  await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('success');
  return page.url().split('/').pop()!;
}
