import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addComfyExecStacks } from '../lib/app-stages';
import { acknowledgeNagFindings } from '../lib/nag-acknowledgements';

/** CDK app: stage config (CDK context) → stacks, checked by cdk-nag's AWS Solutions rules. */
const app = new App();
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: false }));
const stacks = addComfyExecStacks(app, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
acknowledgeNagFindings(stacks);
app.synth();
