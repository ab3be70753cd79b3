import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { api, startE2eStack } from '../e2e/local-api';
import { CORPUS_DIR, tinyTxt2imgPrompt } from '../fixtures/prompts';
import { followToExecute, launchChromium, signedIn, unlabelled } from './console-browser';

let stack: LocalStack;
let browser: Browser;
let consoleUrl: string;
let folder: string;
beforeAll(async () => {
  stack = await startE2eStack({ invocationTimeoutSeconds: 60 });
  consoleUrl = new URL('/console/', stack.apiUrl).toString();
  browser = await launchChromium();
  folder = mkdtempSync(join(tmpdir(), 'console-run-'));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** The Run page with a file picked, as a person picks it. */
async function runPageWith(name: string, text: string) {
  const page = await signedIn(browser, consoleUrl);
  await page.getByRole('link', { name: 'Run', exact: true }).click();
  writeFileSync(join(folder, name), text);
  await page.setInputFiles('#workflow-file', join(folder, name));
  await page.getByTestId('source').waitFor();
  return page;
}

describe("the console's Run page", () => {
  it('fixes a UI workflow naming a model the endpoint lacks: the error on its node, a dropdown of the models it has, then it runs', async () => {
    // ComfyUI's own default SD 2.1 graph, as its editor saved it: v2-1_768-ema-pruned.ckpt is not on this endpoint.
    const workflow = readFileSync(join(CORPUS_DIR, 'pairs/085/workflow.json'), 'utf8');
    const page = await runPageWith('sd21.json', workflow);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const node = page.locator('#fix-node-4');
    await node.getByRole('alert').first().waitFor();
    expect(await node.getByRole('alert').first().textContent()).toContain('v2-1_768-ema-pruned.ckpt');
    // The dropdown offers what the endpoint's catalog has, the missing model marked as such.
    const pick = page.getByLabel('Pick ckpt_name for #4 Load Checkpoint');
    const offered = await pick.locator('option').allTextContents();
    expect(offered).toContain('v1-5-pruned-emaonly.safetensors');
    expect(offered[0]).toBe('v2-1_768-ema-pruned.ckpt (not on this endpoint)');
    expect(await unlabelled(page)).toBe(0);
    // On a phone too: ComfyUI's long error lines wrap instead of widening the page.
    await page.setViewportSize({ width: 390, height: 800 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await pick.selectOption('v1-5-pruned-emaonly.safetensors');
    // Run again: the converted prompt, fixed, is what runs; the console lands on the execute.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(record.prompt_params.prompt['4'].inputs.ckpt_name).toBe('v1-5-pruned-emaonly.safetensors');
    await page.close();
  });

  it('fixes a number out of the node’s range on its node, then runs', async () => {
    const prompt = tinyTxt2imgPrompt(72);
    prompt['5'].inputs.width = 8; // EmptyLatentImage takes 16 and up
    const page = await runPageWith('narrow.json', JSON.stringify(prompt));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const width = page.getByLabel('Set width for #5 EmptyLatentImage');
    await width.waitFor();
    expect(await page.locator('#fix-node-5').getByRole('alert').textContent()).toContain('width');
    await width.fill('32');
    await width.press('Tab');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    expect((await api(stack, 'GET', `executes/${id}`)).body.data.prompt_params.prompt['5'].inputs.width).toBe(
      32,
    );
    await page.close();
  });

  it("offers every choice input (sampler, scheduler, model) as a dropdown of the catalog's values", async () => {
    const page = await runPageWith('tiny.json', JSON.stringify(tinyTxt2imgPrompt(71)));
    const sampler = page.getByLabel('#3 KSampler · sampler_name');
    await sampler.waitFor();
    expect(await sampler.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['euler', 'dpmpp_2m', 'uni_pc']),
    );
    await sampler.selectOption('dpmpp_2m');
    await page.getByLabel('#3 KSampler · scheduler').selectOption('karras');
    expect(
      await page.getByLabel('#4 CheckpointLoaderSimple · ckpt_name').locator('option').allTextContents(),
    ).toContain('sd_xl_base_1.0.safetensors');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    const inputs = (await api(stack, 'GET', `executes/${id}`)).body.data.prompt_params.prompt['3'].inputs;
    expect([inputs.sampler_name, inputs.scheduler]).toEqual(['dpmpp_2m', 'karras']);
    await page.close();
  });

  it('keeps a 64-bit seed exact from the file to the request, and randomizes one', async () => {
    // Written as ComfyUI writes it: the digits, not a JavaScript number (which would round them).
    const text = JSON.stringify(tinyTxt2imgPrompt(1)).replace('"seed":1,', '"seed":18446744073709551615,');
    const page = await runPageWith('big-seed.json', text);
    const seed = page.getByLabel('#3 KSampler · seed');
    expect(await seed.inputValue()).toBe('18446744073709551615');
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/executes'))
        sent.push(request.postData() ?? '');
    });
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => sent.length).toBe(1);
    expect(sent[0]).toContain('"seed":18446744073709551615');
    // ComfyUI takes it, and so does the API.
    await page.getByRole('status').filter({ hasText: 'Valid: ready to run.' }).waitFor();
    // Past ComfyUI's range: said beside the field, and not taken.
    await seed.fill('18446744073709551616');
    expect(await page.locator('#input-3-seed-problem').textContent()).toContain(
      'from 0 to 18446744073709551615',
    );
    // …and sent as typed, never the previous seed in its place: the endpoint refuses it on its node.
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => sent.length).toBe(2);
    expect(sent[1]).toContain('"seed":18446744073709551616');
    await page.locator('#fix-node-3').getByRole('alert').first().waitFor();
    expect(await page.locator('#fix-node-3').textContent()).toContain(
      'Value 18446744073709551616 bigger than max of 18446744073709551615',
    );
    // Not a number at all: sent as typed too, refused, and the field stays on the form to fix.
    await seed.fill('12abc');
    await page.getByRole('button', { name: 'Validate' }).click();
    await expect.poll(() => sent.length).toBe(3);
    expect(sent[2]).toContain('"seed":"12abc"');
    await expect.poll(() => page.locator('#fix-node-3').textContent()).toContain('Failed to convert');
    expect(await seed.inputValue()).toBe('12abc');
    // Randomize: a whole number in range, every digit shown.
    await page.getByRole('button', { name: 'Randomize the seed of #3 KSampler' }).click();
    // Below 2^50, as ComfyUI's own editor randomizes.
    await expect.poll(() => seed.inputValue()).toMatch(/^\d{1,16}$/);
    const random = await seed.inputValue();
    expect(Number(random)).toBeLessThan(2 ** 50);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(String(record.prompt_params.prompt['3'].inputs.seed)).toBe(random);
    await page.close();
    // Run as it was read: the execute holds those very digits (the API's answer, as text).
    const big = await runPageWith('big-seed.json', text);
    await big.getByRole('button', { name: 'Run', exact: true }).click();
    const bigId = await followToExecute(big);
    const answer = await fetch(`${stack.apiUrl}executes/${bigId}`, {
      headers: { 'x-api-key': stack.apiKeys[0]! },
    });
    expect((await answer.text()).match(/"seed":(\d+)/)?.[1]).toBe('18446744073709551615');
    await big.close();
  });
});

describe('where the console is served', () => {
  it('answers /favicon.ico and HEAD /console/ with 200', async () => {
    const origin = new URL(stack.apiUrl).origin;
    const icon = await fetch(`${origin}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/x-icon');
    // An ICO file: reserved 0, type 1 (icon).
    expect([...new Uint8Array(await icon.arrayBuffer()).subarray(0, 4)]).toEqual([0, 0, 1, 0]);
    const head = await fetch(`${origin}/console/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/html');
    expect(await head.text()).toBe('');
  });
});
