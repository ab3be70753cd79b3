/**
 * `npx tsx scripts/console-screenshots.ts`: the console's pages in Debian's Chromium against a
 * fresh local stack, saved as docs/console/*.png (phone-width ones too) for the README.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startLocalStack } from '../local/local-stack';
import { halvesPng } from '../test/fixtures/media';
import { CORPUS_DIR, tinyTxt2imgPrompt } from '../test/fixtures/prompts';
import { CHROMIUM } from '../test/support/chromium';

const OUT = join(import.meta.dirname, '../docs/console');
const KEY = 'screenshotKey1234567';

mkdirSync(OUT, { recursive: true });
const stack = await startLocalStack({ port: 0, apiKeys: [KEY], simStepMs: 20, sweepIntervalMs: 1000 });
const browser = await chromium.launch(CHROMIUM);
try {
  const api = (path: string, body: unknown) =>
    fetch(`${stack.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'x-api-key': KEY, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<{ data: { prompt_id: string } }>);
  for (const seed of [1, 2, 3]) await api('executes', { prompt: tinyTxt2imgPrompt(seed) });
  const failed = await api('executes', {
    prompt: tinyTxt2imgPrompt(4),
    extra_data: { simulate: { fail_node: '3' } },
  });
  // A template with declared parameters (a real API export), and one run of it for its page.
  const img2img = readFileSync(
    join(CORPUS_DIR, 'api/SaladTechnologies__comfyui-api__sd1.5-img2img.json'),
    'utf8',
  );
  await api('schemas', {
    name: 'portrait-img2img',
    payload: img2img,
    inputs: {
      image: { places: ['10.image'], description: 'the photo to start from' },
      prompt: { places: ['6.text'], description: 'what to make of it' },
      sampler: { places: ['3.sampler_name'] },
      model: { places: ['14.ckpt_name'], default: 'v1-5-pruned-emaonly.safetensors' },
      seed: { places: ['3.seed'] },
      steps: { places: ['3.steps'], default: 4 },
      denoise: { places: ['3.denoise'], description: 'how far from the photo: 0 keeps it, 1 ignores it' },
    },
  });
  const templateRun = await api('schemas/portrait-img2img/executes', {
    inputs: {
      prompt: 'a watercolour portrait, soft light',
      image: `data:image/png;base64,${halvesPng(64, 64).toString('base64')}`,
    },
  });
  if (!templateRun.data?.prompt_id) throw new Error(`the template's run: ${JSON.stringify(templateRun)}`);
  await new Promise((resolve) => setTimeout(resolve, 4000));
  for (const [width, suffix] of [
    [1280, ''],
    [390, '-phone'],
  ] as const) {
    const page = await browser.newPage({ viewport: { width, height: 860 } });
    const consoleUrl = new URL('/console/', stack.apiUrl).toString();
    await page.goto(consoleUrl);
    await page.screenshot({ path: join(OUT, `key${suffix}.png`) });
    await page.getByLabel('API key').fill(KEY);
    await page.getByRole('button', { name: 'Open' }).click();
    await page.locator('.card img').first().waitFor();
    // Every card settled: the failed one saying why, prompt lines read, pictures in view decoded.
    await page.locator('.card[data-status="failed"] .card-reason').waitFor();
    // Asked from outside the page: its CSP refuses the eval waitForFunction would use.
    const settled = `[...document.querySelectorAll('.card')].every((card) => card.querySelector('.prompt-line'))
      && [...document.images].every((img) => img.complete || img.getBoundingClientRect().top > innerHeight)`;
    for (let tries = 0; !(await page.evaluate(settled)); tries++) {
      if (tries > 300) throw new Error('the gallery did not settle in 30 s');
      await page.waitForTimeout(100);
    }
    await page.screenshot({ path: join(OUT, `gallery${suffix}.png`), fullPage: true });
    await page.goto(`${consoleUrl}#/executes/${failed.data.prompt_id}`);
    await page.locator('.node.failed').waitFor();
    // With its logs open: ComfyUI's own lines (the exception, the traceback) among the container's.
    await page.getByRole('button', { name: 'Show logs' }).click();
    await page.locator('.logs', { hasText: 'Traceback (most recent call last):' }).waitFor();
    await page.screenshot({ path: join(OUT, `execute-failed${suffix}.png`), fullPage: true });
    await page.goto(`${consoleUrl}#/run`);
    const file = join(mkdtempSync(join(tmpdir(), 'shots-')), 'workflow.json');
    writeFileSync(file, JSON.stringify(tinyTxt2imgPrompt(5)));
    await page.setInputFiles('#workflow-file', file);
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Valid: ready to run.').waitFor();
    await page.screenshot({ path: join(OUT, `run${suffix}.png`), fullPage: true });
    await page.getByRole('button', { name: 'Run' }).click();
    await page.waitForURL(/#\/executes\//);
    await page.locator('.outputs img').first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(OUT, `execute${suffix}.png`), fullPage: true });
    await page.goto(`${consoleUrl}#/endpoints`);
    await page.getByRole('cell').first().waitFor();
    await page.screenshot({ path: join(OUT, `endpoints${suffix}.png`) });
    // A UI workflow naming a model this endpoint lacks (ComfyUI's SD 2.1 example): fixed on Run.
    await page.goto(`${consoleUrl}#/run`);
    await page.setInputFiles('#workflow-file', join(CORPUS_DIR, 'pairs/085/workflow.json'));
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('.fixes select').first().waitFor();
    await page.screenshot({ path: join(OUT, `run-fix${suffix}.png`), fullPage: true });
    // A template's form, built from its JSON Schema, with a value out of range said beside it.
    await page.goto(`${consoleUrl}#/templates/portrait-img2img`);
    const steps = page.getByLabel('steps', { exact: true });
    await steps.fill('0');
    await steps.press('Tab');
    await page.getByText('0 is below the minimum 1').waitFor();
    await page.locator('.card img').first().waitFor();
    await page.screenshot({ path: join(OUT, `template${suffix}.png`), fullPage: true });
    await page.close();
  }
  console.log(`screenshots in ${OUT}`);
} finally {
  await browser.close();
  await stack.stop();
}
process.exit(0);
