import { type App, Aws, RemovalPolicy, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { environmentEndpoints } from './config/environment-endpoints';
import type { Environment } from './config/environments';
import { payloadBucketName, readStageConfig } from './config/stage-config';
import { ControlPlaneStack } from './stacks/control-plane-stack';
import { DataStack } from './stacks/data-stack';
import { InferenceStack } from './stacks/inference-stack';

/** The nearest log retention CloudWatch offers at or above `days`. */
function retention(days: number): RetentionDays {
  const offered = Object.values(RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  return (offered.find((d) => d >= days) ?? RetentionDays.TEN_YEARS) as RetentionDays;
}

/**
 * The three stacks of one deployment, configured from CDK context and `environments/` (one
 * endpoint per environment; none: the single endpoint).
 */
export function addComfyExecStacks(app: App, props: StackProps = {}, environments: Environment[] = []) {
  const config = readStageConfig((key) => app.node.tryGetContext(key), Object.keys(app.node.getAllContext()));
  const removalPolicy = config.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  const bucketName = payloadBucketName(config, Aws.ACCOUNT_ID, Aws.REGION);
  const data = new DataStack(app, 'ComfyExecData', {
    ...props,
    bucketName,
    retentionDays: config.retentionDays,
    removalPolicy,
  });
  const inference = new InferenceStack(app, 'ComfyExecInference', {
    ...props,
    config,
    table: data.executeTable.table,
    bucketName,
    environmentEndpoints: environmentEndpoints(environments, config),
  });
  // The other stacks name the bucket by its known name (plain strings in IAM statements): order them explicitly.
  inference.addStackDependency(data);
  const controlPlane = new ControlPlaneStack(app, 'ComfyExecControlPlane', {
    ...props,
    config,
    table: data.executeTable.table,
    usageTable: data.usageTable.table,
    bucketName,
    inference,
    logRetention: retention(config.logRetentionDays),
  });
  controlPlane.addStackDependency(data);
  return { config, data, inference, controlPlane };
}
