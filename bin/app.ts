import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addComfyExecStacks } from '../lib/app-stages';
import { loadEnvironments } from '../lib/config/environments';
import { ContextError } from '../lib/config/stage-config';
import { acknowledgeNagFindings } from '../lib/nag-acknowledgements';

/** CDK app: stage config (CDK context) → stacks, checked by cdk-nag's AWS Solutions rules. */
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
try {
  // Environments as code (issue 28): checked here, so a bad file stops the synth naming it;
  // each becomes an endpoint of its own.
  const environments = loadEnvironments(join(import.meta.dirname, '../environments'));
  const stacks = addComfyExecStacks(
    app,
    { env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION } },
    environments,
  );
  acknowledgeNagFindings(stacks);
  app.synth();
} catch (error) {
  // A bad setting is the operator's to fix: its message alone, not a stack trace around it.
  if (!(error instanceof ContextError)) throw error;
  console.error(`comfy-exec: ${error.message}`);
  process.exitCode = 1;
}
