import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { addComfyExecStacks } from '../../lib/app-stages';
import { acknowledgeNagFindings } from '../../lib/nag-acknowledgements';
import { IMAGE } from './app-template';

const outdir = mkdtempSync(join(tmpdir(), 'cdk-out-'));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** What bin/app.ts does, in full: bundling, CloudFormation validation and cdk-nag. */
function synthLikeTheCli(context: Record<string, unknown>) {
  const app = new App({ outdir, context });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
  const stacks = addComfyExecStacks(app, { env: { account: '123456789012', region: 'us-east-1' } });
  acknowledgeNagFindings(stacks);
  return app.synth();
}

describe('the full synth (the lint gate)', () => {
  it('bundles every function and passes cdk-nag AwsSolutions with every suppression reasoned', () => {
    const assembly = synthLikeTheCli({ 'comfy-exec:imageUri': IMAGE });
    expect(assembly.stacks.map((s) => s.stackName).sort()).toEqual([
      'ComfyExecControlPlane',
      'ComfyExecData',
      'ComfyExecInference',
    ]);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.find((p: { pluginName: string }) => p.pluginName === 'AwsSolutions');
    expect(nag.conclusion).toBe('success');
    expect(nag.violations).toEqual([]);
    for (const suppressed of nag.suppressedViolations)
      expect(suppressed.reason.length, suppressed.ruleName).toBeGreaterThan(40);
    const bundles = readdirSync(outdir).filter(
      (name) => name.startsWith('asset.') && existsSync(join(outdir, name, 'index.mjs')),
    );
    expect(bundles).toHaveLength(11);
    for (const bundle of bundles)
      expect(existsSync(join(outdir, bundle, 'index.mjs.map')), bundle).toBe(true);
  });
});
