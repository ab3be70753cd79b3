import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { api, startE2eStack } from '../e2e/local-api';
import { halvesPng } from '../fixtures/media';
import { CORPUS_DIR } from '../fixtures/prompts';
import { followToExecute, launchChromium, signedIn, unlabelled } from './console-browser';

let stack: LocalStack;
let browser: Browser;
let consoleUrl: string;
let folder: string;
beforeAll(async () => {
  stack = await startE2eStack({ invocationTimeoutSeconds: 60 });
  consoleUrl = new URL('/console/', stack.apiUrl).toString();
  browser = await launchChromium();
  folder = mkdtempSync(join(tmpdir(), 'console-templates-'));
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** ComfyUI's SDXL base + refiner graph as its editor saved it (PrimitiveNodes, two samplers): a UI workflow. */
const SDXL_WORKFLOW = readFileSync(join(CORPUS_DIR, 'pairs/001/workflow.json'), 'utf8');
/** An SDXL img2img API prompt (LoadImage → ImageScale → VAEEncode → KSampler) from a public repository. */
const IMG2IMG_PROMPT = readFileSync(
  join(CORPUS_DIR, 'api/SaladTechnologies__comfyui-api__example-workflows_sdxl_img2img.json'),
  'utf8',
);

const SDXL_SIZES = ['width', 'height', 'target_width', 'target_height'];

const executesOf = async (template: string) =>
  (await api(stack, 'GET', `executes?template=${template}`)).body.data.executes as { prompt_id: string }[];
const naturalWidth = (page: Page, selector: string) =>
  page
    .locator(selector)
    .first()
    .evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth);
/** Nothing wider than a phone's screen at a phone's width (the page is put back as it was). */
async function fitsAPhone(page: Page): Promise<boolean> {
  const before = page.viewportSize()!;
  await page.setViewportSize({ width: 390, height: 800 });
  const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
  await page.setViewportSize(before);
  return width <= 390;
}
/** A field's attribute, read in the page (this file is typed for Node, not the DOM). */
const attribute = (page: Page, label: string, name: string) =>
  page.getByLabel(label, { exact: true }).getAttribute(name);

describe("the console's templates", () => {
  it('saves a UI workflow from Run as a template, builds its form from the schema, refuses an out-of-range value beside its field, runs it, and the picture is in the gallery', async () => {
    const page = await signedIn(browser, consoleUrl);
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    writeFileSync(join(folder, 'sdxl.json'), SDXL_WORKFLOW);
    await page.setInputFiles('#workflow-file', join(folder, 'sdxl.json'));
    await page.getByTestId('source').waitFor();
    await page.getByLabel('Save as template, named').fill('sdxl-refiner');
    await page.getByRole('button', { name: 'Save as template' }).click();
    await page.getByRole('link', { name: 'open template sdxl-refiner' }).click();
    await page.getByRole('heading', { name: 'Template sdxl-refiner' }).waitFor();

    // Each parameter as its schema says: the prompt a textarea with the saved text, a number with
    // the catalog's range and step, a 64-bit seed as exact text; each described.
    const prompt = page.getByLabel('prompt', { exact: true });
    expect(await prompt.evaluate((field) => field.tagName)).toBe('TEXTAREA');
    expect(await prompt.inputValue()).toBe(
      'evening sunset scenery blue sky nature, glass bottle with a galaxy in it',
    );
    expect(await attribute(page, 'steps_10', 'type')).toBe('number');
    expect([await attribute(page, 'steps_10', 'min'), await attribute(page, 'steps_10', 'max')]).toEqual([
      '1',
      '10000',
    ]);
    expect(await attribute(page, 'width', 'step')).toBe('8');
    expect(await attribute(page, 'cfg_10', 'step')).toBe('0.1');
    expect(await page.getByLabel('seed_10', { exact: true }).inputValue()).toBe('721897303308196');
    expect(await attribute(page, 'seed_10', 'type')).toBe('text');
    expect(await page.locator('[data-parameter="steps_10"] .description').textContent()).toBe(
      'KSampler (Advanced) - BASE (node 10): steps',
    );
    expect(await unlabelled(page)).toBe(0);

    // Out of range: said beside the field as it changes; Run sends nothing and says which parameter.
    const steps = page.getByLabel('steps_10', { exact: true });
    await steps.fill('0');
    await steps.press('Tab');
    expect(await page.locator('[data-parameter="steps_10"] [role=alert]').textContent()).toBe(
      '0 is below the minimum 1',
    );
    expect(await attribute(page, 'steps_10', 'aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('refusals').textContent())
      .toBe("parameter 'steps_10': 0 is below the minimum 1");
    expect(await executesOf('sdxl-refiner')).toEqual([]);

    // Fixed, with a new prompt, a seed past 2^53 and a small picture: it runs.
    for (const [label, value] of [
      ['steps_10', '2'],
      ['steps_11', '2'],
      ['width', '64'],
      ['height', '48'],
      ['prompt', 'a lighthouse at dusk, from a template'],
      ['seed_10', '18446744073709551615'],
    ] as const) {
      await page.getByLabel(label, { exact: true }).fill(value);
      await page.getByLabel(label, { exact: true }).press('Tab');
    }
    expect(await page.locator('[data-parameter] [role=alert]').count()).toBe(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    expect(await page.getByTestId('from-template').textContent()).toBe('Run from template sdxl-refiner');
    await expect.poll(() => naturalWidth(page, '.outputs img')).toBe(64);
    // The API's answer as text: the seed's digits exactly, the prompt where the template puts it.
    const answer = await (
      await fetch(`${stack.apiUrl}executes/${id}`, { headers: { 'x-api-key': stack.apiKeys[0]! } })
    ).text();
    expect(answer.match(/"noise_seed":(\d+)/)?.[1]).toBe('18446744073709551615');
    const record = JSON.parse(answer).data;
    expect(record.prompt_params.prompt['6'].inputs.text).toBe('a lighthouse at dusk, from a template');
    expect(record.template.name).toBe('sdxl-refiner');
    expect((await executesOf('sdxl-refiner')).map((execute) => execute.prompt_id)).toEqual([id]);
    // In the gallery as any execute.
    await page.getByRole('link', { name: 'Executes' }).click();
    const card = page.locator('.card', { has: page.locator(`a[title="${id}"]`) });
    await expect.poll(() => naturalWidth(page, `.card:has(a[title="${id}"]) img`)).toBe(64);
    expect(await card.locator('.prompt-line').textContent()).toBe('a lighthouse at dusk, from a template');

    // The same name again: the API's refusal, in its words.
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.setInputFiles('#workflow-file', join(folder, 'sdxl.json'));
    await page.getByLabel('Save as template, named').fill('sdxl-refiner');
    await page.getByRole('button', { name: 'Save as template' }).click();
    await expect
      .poll(() => page.locator('.save-template [role=alert]').textContent())
      .toBe('sdxl-refiner already exists');
    await page.close();
  }, 120_000);

  it('takes a picked picture for a LoadImage, a choice from a select and a model from a list, and lists and deletes templates', async () => {
    const saved = await api(stack, 'POST', 'schemas', {
      body: {
        name: 'img2img',
        payload: IMG2IMG_PROMPT,
        inputs: {
          image: { places: ['38.image'], description: 'the picture to start from' },
          sampler: { places: ['36.sampler_name'] },
          model: { places: ['14.ckpt_name'] },
          steps: { places: ['36.steps'], default: 2 },
          // One size for the picture and SDXL's size conditioning, as a person would set them together.
          size: {
            places: [
              '40.width',
              '40.height',
              ...['16', '19'].flatMap((node) => SDXL_SIZES.map((input) => `${node}.${input}`)),
            ],
            default: 32,
          },
        },
      },
    });
    expect(saved.status).toBe(200);
    await api(stack, 'POST', 'schemas', { body: { name: 'to-delete', payload: IMG2IMG_PROMPT } });
    const page = await signedIn(browser, consoleUrl);
    await page.getByRole('link', { name: 'Templates' }).click();
    const row = page.locator('tr[data-template="img2img"]');
    await row.waitFor();
    expect(await row.locator('td[data-label="Endpoint"]').textContent()).toBe('comfy-async-local');
    expect(await row.locator('td[data-label="Parameters"]').textContent()).toBe('declared');
    expect(await unlabelled(page)).toBe(0);
    expect(await fitsAPhone(page)).toBe(true);

    // Deleted after a second click on its row; the others stay.
    await page.getByRole('button', { name: 'Delete to-delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete to-delete for good' }).click();
    await expect.poll(() => page.locator('tr[data-template="to-delete"]').count()).toBe(0);
    expect((await api(stack, 'GET', 'schemas/to-delete')).status).toBe(404);

    // A link to it from before: said on the page, with the way back.
    await page.goto(`${consoleUrl}#/templates/to-delete`);
    await expect.poll(() => page.locator('main [role=alert]').textContent()).toContain('to-delete');
    await page.getByRole('link', { name: 'All templates' }).click();
    await row.getByRole('link', { name: 'img2img' }).click();
    await page.getByRole('heading', { name: 'Template img2img' }).waitFor();
    const sampler = page.getByLabel('sampler', { exact: true });
    expect(await sampler.evaluate((field) => field.tagName)).toBe('SELECT');
    expect(await sampler.inputValue()).toBe('dpmpp_2m_sde_gpu');
    expect(await sampler.locator('option').allTextContents()).toEqual(
      expect.arrayContaining(['euler', 'dpmpp_2m', 'uni_pc']),
    );
    const models = await attribute(page, 'model', 'list');
    expect(
      await page
        .locator(`datalist#${models} option`)
        .evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value)),
    ).toContain('sd_xl_base_1.0.safetensors');
    // The example image of whoever saved the prompt is not on the endpoint: the image must be given.
    expect(await page.locator('label[for="param-image"]').textContent()).toBe('image (required)');
    expect(await page.locator('[data-parameter="image"] .description').textContent()).toContain(
      'the picture to start from',
    );

    writeFileSync(join(folder, 'photo.png'), halvesPng(16, 8));
    await page.setInputFiles('#param-image', join(folder, 'photo.png'));
    await expect.poll(() => naturalWidth(page, '[data-parameter="image"] img.picked')).toBe(16);
    await expect
      .poll(() => page.getByTestId('param-image-name').textContent())
      .toMatch(/^Uses in-.*photo\.png$/);

    // A model neither the endpoint nor the library has: the API's refusal, in its words, and no execute.
    const model = page.getByLabel('model', { exact: true });
    await model.fill('not-here.safetensors');
    await model.press('Tab');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.getByTestId('refusals').textContent()).toContain('not-here.safetensors');
    expect(await executesOf('img2img')).toEqual([]);
    await model.fill('sd_xl_base_1.0.safetensors');
    await model.press('Tab');
    await sampler.selectOption('euler');
    expect(await unlabelled(page)).toBe(0);
    expect(await fitsAPhone(page)).toBe(true);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const id = await followToExecute(page);
    await expect.poll(() => naturalWidth(page, '.outputs img')).toBe(32);
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(record.prompt_params.prompt['36'].inputs.sampler_name).toBe('euler');
    expect(record.template.inputs).toEqual({ image: expect.stringMatching(/photo\.png$/), sampler: 'euler' });
    // Back on the template's page (from the execute's), the run is among its latest, as a card.
    await page.getByTestId('from-template').getByRole('link', { name: 'img2img' }).click();
    const runs = page.getByRole('region', { name: 'runs of this template' });
    await expect.poll(() => naturalWidth(page, `.card:has(a[title="${id}"]) img`)).toBe(32);
    expect(await runs.locator('.card').count()).toBe(1);
    await page.close();
  }, 120_000);
});
