import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../local/local-stack';
import { api, KEY_A, startE2eStack } from '../e2e/local-api';
import { halvesPng } from '../fixtures/media';
import { tinyTxt2imgPrompt } from '../fixtures/prompts';
import { CHROMIUM } from '../support/chromium';
import { followToExecute } from './console-browser';

let stack: LocalStack;
let browser: Browser;
let consoleUrl: string;
beforeAll(async () => {
  // Executes get a minute (the e2e default is 6 s): on a loaded machine the one to cancel had
  // timed out, failed, before the click.
  stack = await startE2eStack({ invocationTimeoutSeconds: 60 });
  consoleUrl = new URL('/console/', stack.apiUrl).toString();
  browser = await chromium.launch(CHROMIUM).catch((error: Error) => {
    throw new Error(
      `the console's browser tests need Debian's chromium (apt-get install chromium): ${error.message}`,
    );
  });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

/** A new tab with the console open and the key entered, as a person would. */
async function signedIn(key = KEY_A): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.log('page error:', error.message));
  await page.goto(consoleUrl);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Open' }).click();
  return page;
}

/** Form controls without a label, and images without alt text, on the page as it is. */
const unlabelled = (page: Page) =>
  page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((e) => e.type !== 'hidden' && e.labels.length === 0 && !e.getAttribute('aria-label')).length
    + [...document.querySelectorAll('img')].filter((img) => !img.alt).length`);

const create = async (body: Record<string, unknown>) =>
  (await api(stack, 'POST', 'executes', { body })).body.data.prompt_id as string;

describe('the web console in Chromium', () => {
  it('refuses a wrong key with a clear screen, and never puts the key in the URL', async () => {
    const page = await signedIn('notTheKeyAtAll123456');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('refused');
    // Keyboard only: the key field has focus on Tab, Enter opens.
    const good = await browser.newPage();
    await good.goto(consoleUrl);
    await good.keyboard.press('Tab');
    await good.keyboard.type(KEY_A);
    await good.keyboard.press('Enter');
    await good.getByRole('heading', { name: 'Executes' }).waitFor();
    await good.keyboard.press('Tab');
    expect(await good.evaluate('document.activeElement.textContent')).toBe('Executes');
    expect(good.url()).not.toContain(KEY_A);
    expect(await good.evaluate(() => sessionStorage.length)).toBe(1);
    await page.close();
    await good.close();
  });

  it('runs a workflow dropped as a file with its inputs edited, lands on the new execute, and it is in the gallery; every control labelled', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    // Dropped, as a person drags it from their files onto the page.
    await page.locator('.drop').waitFor();
    const workflow = JSON.stringify(tinyTxt2imgPrompt(61));
    await page.evaluate(`{
      const files = new DataTransfer();
      files.items.add(new File([${JSON.stringify(workflow)}], 'tiny.json', { type: 'application/json' }));
      document.querySelector('.drop').dispatchEvent(new DragEvent('drop', { dataTransfer: files, bubbles: true, cancelable: true }));
    }`);
    await expect.poll(() => page.getByTestId('source').textContent()).toContain('an API prompt');
    // The inputs that matter are offered: make the image 32 wide, with another seed.
    await page.getByLabel('#5 EmptyLatentImage · width').fill('32');
    await page.getByLabel('#3 KSampler · seed').fill('99');
    await page.getByLabel('#3 KSampler · seed').press('Tab');
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.getByText('Valid: ready to run.').waitFor();
    expect(await unlabelled(page)).toBe(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await followToExecute(page);
    const image = page.locator('.outputs img').first();
    await image.waitFor();
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(32);
    expect(await unlabelled(page)).toBe(0);
    const id = page.url().split('/').pop()!;
    const record = (await api(stack, 'GET', `executes/${id}`)).body.data;
    expect(record.prompt_params.prompt['3'].inputs.seed).toBe(99);
    // The gallery shows its thumbnail.
    await page.getByRole('link', { name: 'Executes' }).click();
    await page.locator('.card img').first().waitFor();
    expect(await unlabelled(page)).toBe(0);
    await page.close();
  });

  it('uploads an input image picked for a LoadImage, and converts a UI workflow to edit its inputs', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    const folder = mkdtempSync(join(tmpdir(), 'console-'));
    const prompt = {
      '1': { class_type: 'LoadImage', inputs: { image: 'choose-me.png' } },
      '2': { class_type: 'ImageInvert', inputs: { image: ['1', 0] } },
      '3': { class_type: 'SaveImage', inputs: { filename_prefix: 'console', images: ['2', 0] } },
    };
    writeFileSync(join(folder, 'load.json'), JSON.stringify(prompt));
    writeFileSync(join(folder, 'photo.png'), halvesPng(16, 8));
    await page.setInputFiles('#workflow-file', join(folder, 'load.json'));
    await page.setInputFiles('#input-1-image', join(folder, 'photo.png'));
    // The picked image is shown, from the person's own disk.
    const thumbnail = page.locator('.inputs img.picked');
    await expect
      .poll(() => thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(16);
    expect(await thumbnail.getAttribute('alt')).toBe('picked: photo.png');
    // The prompt now names the uploaded input.
    await expect.poll(() => page.locator('.inputs .hint').first().textContent()).toMatch(/in-.*photo\.png/);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await followToExecute(page);
    const image = page.locator('.outputs img').first();
    await expect
      .poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(16);

    // A UI workflow (ComfyUI's editor format) is converted by Validate, then its inputs are offered.
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    const recorded = JSON.parse(
      readFileSync(join(import.meta.dirname, '../fixtures/embedded-workflow/recorded.json'), 'utf8'),
    )['inverted.png'];
    writeFileSync(join(folder, 'ui.json'), JSON.stringify(recorded.workflow));
    await page.setInputFiles('#workflow-file', join(folder, 'ui.json'));
    await page.getByText('Validate to convert the workflow and edit its inputs.').waitFor();
    await page.getByRole('button', { name: 'Validate' }).click();
    await page.locator('.inputs input[type=number]').first().waitFor();
    await page.close();
  });

  it('highlights the node a failed execute failed on', async () => {
    const id = await create({ prompt: tinyTxt2imgPrompt(62), extra_data: { simulate: { fail_node: '3' } } });
    const page = await signedIn();
    await page.goto(`${consoleUrl}#/executes/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('failed');
    const node = page.locator('#node-3');
    expect(await node.getAttribute('class')).toContain('failed');
    expect(await node.getByRole('alert').textContent()).toBeTruthy();
    expect(await page.locator('.node.failed').count()).toBe(1);
    await page.close();
  });

  it('cancels a running execute', async () => {
    // 5,000 steps of 10 ms: running until cancelled, however slow the machine.
    const id = await create({ prompt: tinyTxt2imgPrompt(63, 5000) });
    const page = await signedIn();
    await page.goto(`${consoleUrl}#/executes/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('running');
    // Live progress while it runs.
    await expect
      .poll(() => page.getByRole('progressbar').getAttribute('value'), { timeout: 10_000 })
      .not.toBe('0');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('cancelled');
    await page.close();
  });

  it('also takes the workflow from the file picker, and says what is wrong with a file that is none', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Run', exact: true }).click();
    const folder = mkdtempSync(join(tmpdir(), 'console-'));
    writeFileSync(join(folder, 'notes.json'), '{"hello": "world"}');
    await page.setInputFiles('#workflow-file', join(folder, 'notes.json'));
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('notes.json');
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    await page.close();
  });

  it('keeps text readable: every text colour against its background at WCAG AA (4.5:1) or better', async () => {
    await create({ prompt: tinyTxt2imgPrompt(64), extra_data: { simulate: { fail_node: '3' } } });
    const page = await signedIn();
    await page.locator('.card').first().waitFor();
    // Relative luminance and contrast as WCAG 2 defines them, over every element showing text.
    const worst = await page.evaluate(`(() => {
      const lum = (rgb) => {
        const [r, g, b] = rgb.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number).map((c) => c / 255)
          .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
      };
      const background = (el) => {
        for (let e = el; e; e = e.parentElement) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg && !bg.endsWith(', 0)') && bg !== 'transparent') return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      let min = 21;
      for (const el of document.querySelectorAll('body *')) {
        if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
        const [a, b] = [lum(getComputedStyle(el).color), lum(background(el))];
        min = Math.min(min, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
      }
      return min;
    })()`);
    expect(worst).toBeGreaterThanOrEqual(4.5);
    expect(worst).toBeLessThan(21); // text was measured (21:1 is the starting bound)
    await page.close();
  });

  it('lists the endpoints', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Endpoints' }).click();
    await page.getByRole('cell', { name: 'comfy-async-local' }).waitFor();
    expect(await page.getByRole('cell', { name: 'ml.g5.xlarge' }).count()).toBe(1);
    await page.close();
  });

  it('shows a text output with a script in it as text, and its CSP refuses inline script', async () => {
    const hostile = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">';
    const id = await create({
      prompt: {
        '1': { class_type: 'PrimitiveString', inputs: { value: hostile } },
        '2': { class_type: 'PreviewAny', inputs: { source: ['1', 0] } },
      },
    });
    const page = await signedIn();
    const violations: string[] = [];
    page.on('console', (message) => violations.push(message.text()));
    await page.goto(`${consoleUrl}#/executes/${id}`);
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 30_000 }).toBe('success');
    expect(await page.locator('.text-output').first().textContent()).toBe(hostile);
    // And its card in the gallery shows the text, as text.
    await page.getByRole('link', { name: 'Executes' }).click();
    await expect.poll(() => page.locator('.card-text').first().textContent()).toBe(hostile);
    // Browser-side code as strings: this file is typed for Node, not the DOM.
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    // An inline script added to the page does not run: the policy allows 'self' scripts only.
    await page.evaluate(`{
      const script = document.createElement('script');
      script.textContent = 'window.pwned = 3';
      document.body.append(script);
    }`);
    expect(await page.evaluate('window.pwned')).toBeUndefined();
    expect(violations.some((text) => text.includes('Content Security Policy'))).toBe(true);
    await page.close();
  });
});
