import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyId, type LocalStack } from '../../local/local-stack';
import { api, KEY_A, KEY_B, pollUntilFinal, startE2eStack } from '../e2e/local-api';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { launchChromium, signedIn } from './console-browser';

let stack: LocalStack;
let browser: Browser;
let consoleUrl: string;
beforeAll(async () => {
  stack = await startE2eStack({ invocationTimeoutSeconds: 60 });
  consoleUrl = new URL('/console/', stack.apiUrl).toString();
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

const create = async (body: Record<string, unknown>) =>
  (await api(stack, 'POST', 'executes', { body })).body.data.prompt_id as string;
const cardOf = (page: Page, id: string) => page.locator('.card', { has: page.locator(`a[title="${id}"]`) });
/** The default graph's positive prompt: the line a card shows. */
const POSITIVE = tinyTxt2imgPrompt(1)['6'].inputs.text as string;

describe("the console's cards", () => {
  it('say why a failed or cancelled execute has no picture, with a line of its prompt, its time, and its id on hover', async () => {
    const failed = await create({
      prompt: tinyTxt2imgPrompt(81),
      extra_data: { simulate: { fail_node: '3' } },
    });
    const cancelled = await create({ prompt: tinyTxt2imgPrompt(82, 5000) });
    await api(stack, 'POST', `executes/${cancelled}/cancel`);
    const records = [
      (await pollUntilFinal(stack, failed)).record,
      (await pollUntilFinal(stack, cancelled)).record,
    ];
    expect(records.map((record) => record.status)).toEqual(['failed', 'cancelled']);
    const page = await signedIn(browser, consoleUrl);
    for (const record of records) {
      const card = cardOf(page, record.prompt_id);
      await card.waitFor();
      expect(await card.locator('.card-reason').textContent()).toBe(record.message || 'Cancelled');
      await expect.poll(() => card.locator('.prompt-line').textContent()).toBe(POSITIVE);
      expect(await card.locator('time').getAttribute('datetime')).toBe(record.create_time);
      expect(await card.locator('time').textContent()).toMatch(/\d/);
    }
    await page.close();
  });

  it('show a running execute’s percent and the node it is on', async () => {
    const id = await create({ prompt: tinyTxt2imgPrompt(83, 5000) });
    const page = await signedIn(browser, consoleUrl);
    const card = cardOf(page, id);
    await expect
      .poll(() => card.locator('.card-progress').textContent(), { timeout: 30_000 })
      .toMatch(/^\d+% · node #3 KSampler$/);
    await api(stack, 'POST', `executes/${id}/cancel`);
    await page.close();
  });
});

describe("an execute's page", () => {
  it('shows when it ran, a failure’s traceback, no empty Outputs, and inputs in ComfyUI’s order', async () => {
    const prompt = tinyTxt2imgPrompt(84);
    // The KSampler's inputs saved in reverse: the page lists them as ComfyUI's editor does.
    prompt['3'].inputs = Object.fromEntries(Object.entries(prompt['3'].inputs).reverse());
    const id = await create({ prompt, extra_data: { simulate: { fail_node: '3' } } });
    await pollUntilFinal(stack, id);
    const page = await signedIn(browser, consoleUrl);
    await page.goto(`${consoleUrl}#/executes/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('failed');
    for (const fact of ['Created', 'Started', 'Ended', 'Ran for'])
      expect(await page.locator(`dd[data-fact="${fact}"]`).textContent()).toMatch(/\d/);
    expect(await page.locator('.traceback').textContent()).toContain('execution.py');
    expect(await page.getByRole('heading', { name: 'Outputs' }).count()).toBe(0);
    // Once the node catalog has arrived (the page shows the prompt's own order until then).
    await expect
      .poll(() => page.locator('#node-3 dt').allTextContents())
      .toEqual([
        'model',
        'seed',
        'steps',
        'cfg',
        'sampler_name',
        'scheduler',
        'positive',
        'negative',
        'latent_image',
        'denoise',
      ]);
    // ComfyUI's own lines for the failure, as lines: its exception and traceback, not JSON.
    await page.getByRole('button', { name: 'Show logs' }).click();
    await page.locator('.logs').waitFor();
    const shown = async () => {
      await page.getByRole('button', { name: 'Refresh logs' }).click();
      return ((await page.locator('.logs').textContent()) ?? '').split('\n');
    };
    await expect
      .poll(shown, { timeout: 30_000 })
      .toContainEqual(expect.stringMatching(/^\d\d:\d\d:\d\d\.\d+ Traceback \(most recent call last\):$/));
    expect(await shown()).toContainEqual(expect.stringMatching(/ !!! Exception during processing !!! /));
    await page.close();
  });

  it("shows where the time went and the endpoint's log lines as lines, not JSON", async () => {
    const id = await create({ prompt: tinyTxt2imgPrompt(85) });
    const { record } = await pollUntilFinal(stack, id);
    const page = await signedIn(browser, consoleUrl);
    await page.goto(`${consoleUrl}#/executes/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('success');
    const timings = Object.keys(record.timings ?? {});
    expect(timings.length).toBeGreaterThan(0);
    for (const key of timings)
      expect(await page.locator(`dd[data-fact="${key}"]`).textContent()).toMatch(/\d s$/);
    expect(await page.locator('.facts').textContent()).toContain('In ComfyUI');
    await page.getByRole('button', { name: 'Show logs' }).click();
    const logs = page.locator('.logs');
    await logs.waitFor();
    const lines = (await logs.textContent())!.split('\n');
    expect(lines.some((line) => line.includes('prompt queued in ComfyUI'))).toBe(true);
    expect(lines.filter((line) => line.trimStart().startsWith('{'))).toEqual([]);
    await page.close();
  });
});

describe('the endpoints table', () => {
  it('is a list of labelled lines on a phone, nothing wider than the screen', async () => {
    const page = await signedIn(browser, consoleUrl, undefined, { width: 390, height: 800 });
    await page.getByRole('link', { name: 'Endpoints' }).click();
    const cell = page.getByRole('cell', { name: 'comfy-async-local' });
    await cell.waitFor();
    // Browser-side code as a string: this file is typed for Node, not the DOM.
    const label = await page.evaluate(`getComputedStyle(document.querySelector('td'), '::before').content`);
    expect(label).toBe('"Endpoint"');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.close();
  });
});

describe('the usage page', () => {
  it('draws a bar per day of GPU seconds and the same figures as GET /usage, on a phone too', async () => {
    const id = await create({ prompt: tinyTxt2imgPrompt(85) });
    await pollUntilFinal(stack, id);
    // Every execute of this file counted (each once its notification is handled): the figures
    // the page reads stay still while it is read.
    const usage = async () => (await api(stack, 'GET', 'usage')).body.data;
    const allCounted = async () => {
      const listed = (await api(stack, 'GET', 'executes?limit=100')).body.data.executes as {
        status: string;
      }[];
      const final = listed.every((e) => ['success', 'failed', 'cancelled'].includes(e.status));
      return final && (await usage()).totals.executes === listed.length;
    };
    await expect.poll(allCounted, { timeout: 30_000 }).toBe(true);
    const expected = await usage();
    const page = await signedIn(browser, consoleUrl, undefined, { width: 390, height: 800 });
    await page.getByRole('link', { name: 'Usage' }).click();
    const totals = page.getByTestId('usage-totals');
    await totals.waitFor();
    expect(await totals.textContent()).toContain(
      `${expected.totals.executes} executes (${expected.totals.succeeded} succeeded`,
    );
    expect(await totals.textContent()).toContain(`${(expected.totals.gpu_ms / 1000).toFixed(1)} GPU seconds`);
    // One bar per day of the month so far; today's is the tallest (the only one with GPU time).
    const days = Number(expected.to.slice(8, 10));
    const bars = page.locator('.usage-bars rect');
    expect(await bars.count()).toBe(days);
    const today = page.locator(`.usage-bars rect[data-day="${expected.to}"]`);
    expect(Number(await today.getAttribute('height'))).toBe(100);
    expect(await today.locator('title').textContent()).toBe(
      `${expected.to}: ${(expected.totals.gpu_ms / 1000).toFixed(1)} GPU seconds`,
    );
    expect(await page.getByRole('cell', { name: 'comfy-async-local' }).count()).toBe(expected.rows.length);
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await page.close();
    // Another key's usage, asked for by a key that is no operator (the first key is): the API's 403, said on the page.
    const other = await signedIn(browser, consoleUrl, KEY_B);
    await other.goto(`${consoleUrl}#/usage`);
    await other.getByTestId('usage-totals').waitFor();
    await other.getByLabel(/Key id/).fill(apiKeyId(KEY_A));
    await other.getByRole('button', { name: 'Show' }).click();
    await expect.poll(() => other.getByRole('alert').textContent()).toMatch(/only its own usage/);
    await other.close();
  });
});
