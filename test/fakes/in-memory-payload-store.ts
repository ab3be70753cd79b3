import type { PayloadStore } from '../../lambda/domain/ports';

/** PayloadStore in memory: objects keyed by their s3:// URI. */
export class InMemoryPayloadStore implements PayloadStore {
  readonly objects = new Map<string, string>();

  constructor(private readonly bucket = 'bucket') {}

  async putRequest(promptId: string, digest: string, body: string) {
    const uri = `s3://${this.bucket}/executes/${promptId}/request-${digest.slice(0, 16)}.json`;
    this.objects.set(uri, body);
    return uri;
  }

  async putWorkflow(promptId: string, digest: string, body: string) {
    const uri = `s3://${this.bucket}/executes/${promptId}/workflow-${digest.slice(0, 16)}.json`;
    this.objects.set(uri, body);
    return uri;
  }

  async getText(uri: string) {
    return this.objects.get(uri);
  }

  async deleteObject(uri: string) {
    this.objects.delete(uri);
  }

  async deleteExecuteObjects(promptId: string) {
    for (const uri of this.objects.keys()) {
      if (uri.startsWith(`s3://${this.bucket}/executes/${promptId}/`)) this.objects.delete(uri);
    }
  }

  async presignGet(uri: string, expiresInSeconds: number) {
    return `https://signed.example/${uri.replace('s3://', '')}?expires=${expiresInSeconds}`;
  }
}
