import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/**
 * SageMaker's success and error notification topics, encrypted with a key of their own (which
 * SageMaker's role may use to publish) and reachable over TLS only.
 */
export class CompletionTopics extends Construct {
  readonly key: Key;
  readonly success: Topic;
  readonly error: Topic;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      enableKeyRotation: true,
      description: 'comfy-exec: SageMaker completion topics',
    });
    // SNS must decrypt to deliver to the subscribed Lambda function.
    this.key.grant(new ServicePrincipal('sns.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey');
    this.success = new Topic(this, 'Success', {
      masterKey: this.key,
      enforceSSL: true,
      displayName: 'comfy-exec async success',
    });
    this.error = new Topic(this, 'Error', {
      masterKey: this.key,
      enforceSSL: true,
      displayName: 'comfy-exec async error',
    });
  }
}
