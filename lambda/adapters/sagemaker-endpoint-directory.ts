import {
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import type { EndpointDescription, EndpointDirectory } from '../domain/ports';

/** EndpointDirectory on SageMaker's control-plane API (DescribeEndpoint + its config). */
export class SageMakerEndpointDirectory implements EndpointDirectory {
  constructor(private readonly client: SageMakerClient) {}

  async describe(endpointName: string): Promise<EndpointDescription> {
    try {
      const endpoint = await this.client.send(new DescribeEndpointCommand({ EndpointName: endpointName }));
      const config = endpoint.EndpointConfigName
        ? await this.client.send(
            new DescribeEndpointConfigCommand({ EndpointConfigName: endpoint.EndpointConfigName }),
          )
        : undefined;
      const variant = endpoint.ProductionVariants?.[0];
      return {
        endpointName,
        status: endpoint.EndpointStatus ?? 'Unknown',
        creationTime: endpoint.CreationTime ?? null,
        lastModifiedTime: endpoint.LastModifiedTime ?? null,
        currentInstanceCount: variant?.CurrentInstanceCount ?? 0,
        instanceType: config?.ProductionVariants?.[0]?.InstanceType ?? '',
        failureReason: endpoint.FailureReason ?? '',
      };
    } catch (error) {
      if (error instanceof Error && error.name === 'ValidationException') {
        return {
          endpointName,
          status: 'Failed',
          creationTime: null,
          lastModifiedTime: null,
          currentInstanceCount: 0,
          instanceType: '',
          failureReason: `SageMaker has no endpoint named ${endpointName}: ${error.message}`,
        };
      }
      throw error;
    }
  }
}
