import { join } from 'node:path';
import { AssetHashType, Aws, DockerImage, Duration, RemovalPolicy } from 'aws-cdk-lib';
import { type IRole, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Code,
  type IDestination,
  Function as LambdaFunction,
  Runtime,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionEnvInput, FunctionName } from '../../lambda/platform/env';
import { bundleLambda, LAMBDA_HANDLER } from '../bundling/lambda-bundle';

const LAMBDA_DIR = join(import.meta.dirname, '../../lambda');

export interface ComfyExecFunctionProps<N extends FunctionName> {
  /** Which handler: `lambda/handlers/{handler}.ts`. */
  readonly handler: N;
  /** The function's environment, typed by its zod schema in lambda/platform/env.ts. */
  readonly environment: FunctionEnvInput<N>;
  /** Exactly what the function may do (least privilege: no grant helpers with wildcard actions). */
  readonly statements: PolicyStatement[];
  readonly logRetention: RetentionDays;
  /**
   * @default Duration.seconds(29) — API Gateway's integration timeout
   */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** For asynchronously invoked functions: where events go after the retries. @default none */
  readonly onFailure?: IDestination;
  /** @default RemovalPolicy.DESTROY for the log group */
  readonly logRemovalPolicy?: RemovalPolicy;
}

/**
 * One handler as a Lambda function: nodejs22.x on arm64, bundled by lib/bundling/lambda-bundle.ts
 * (minified ESM with the AWS SDK inside, so the SDK version is the one we test; code splitting, so
 * what a cold start never calls is never loaded; source maps), X-Ray active, its own log group
 * with retention, and a role holding only `statements` plus writes to that log group.
 */
export class ComfyExecFunction<N extends FunctionName> extends Construct {
  readonly function: LambdaFunction;
  readonly role: IRole;

  constructor(scope: Construct, id: string, props: ComfyExecFunctionProps<N>) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    for (const statement of props.statements) role.addToPolicy(statement);
    const environment: Record<string, string> = {
      URL_SUFFIX: Aws.URL_SUFFIX,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'comfy-exec',
    };
    for (const [key, value] of Object.entries(props.environment as Record<string, unknown>)) {
      if (value !== undefined) environment[key] = String(value);
    }
    const entry = join(LAMBDA_DIR, 'handlers', `${props.handler}.ts`);
    this.function = new LambdaFunction(this, 'Function', {
      code: Code.fromAsset(LAMBDA_DIR, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Bundled here with esbuild (as NodejsFunction does); the image is never pulled.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
          // Names the entry, so CDK's asset cache tells the functions' bundles apart.
          command: ['esbuild', `handlers/${props.handler}.ts`],
          local: {
            tryBundle(outputDir) {
              bundleLambda(entry, outputDir);
              return true;
            },
          },
        },
      }),
      handler: LAMBDA_HANDLER,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      logGroup,
      role,
      environment,
      ...(props.onFailure ? { onFailure: props.onFailure, retryAttempts: 2 } : {}),
    });
    this.role = role;
  }
}
