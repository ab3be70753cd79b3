import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { addComfyExecStacks } from '../../lib/app-stages';

export const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/comfy-exec-endpoint:v1';

/** The app's stacks from CDK context, synthesized fast: no bundling, no CloudFormation validation. */
export function synthFast(context: Record<string, unknown> = { 'comfy-exec:imageUri': IMAGE }) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const stacks = addComfyExecStacks(app, { env: { account: '123456789012', region: 'us-east-1' } });
  return {
    stacks,
    data: Template.fromStack(stacks.data),
    inference: Template.fromStack(stacks.inference),
    controlPlane: Template.fromStack(stacks.controlPlane),
  };
}
