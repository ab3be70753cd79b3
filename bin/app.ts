import { App } from 'aws-cdk-lib';
import { DataStack } from '../lib/stacks/data-stack';

/** CDK app: stage config → stacks. The control plane and endpoint stacks join in the infrastructure issue. */
const app = new App();
new DataStack(app, 'ComfyExecData', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
