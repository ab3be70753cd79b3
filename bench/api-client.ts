import { Agent, request } from 'node:http';

/**
 * A minimal client of the local API over node:http with a keep-alive agent: the transport the SDK
 * clients use for the floor's calls, so end-to-end and floor figures pay for the same kind of hop.
 */
export class ApiClient {
  private readonly agent = new Agent({ keepAlive: true });
  private readonly base: URL;

  constructor(
    apiUrl: string,
    private readonly apiKey: string,
  ) {
    this.base = new URL(apiUrl);
  }

  request(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const url = new URL(path, this.base);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            'x-api-key': this.apiKey,
            ...(payload === undefined
              ? {}
              : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            try {
              resolve({
                status: response.statusCode ?? 0,
                body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
              });
            } catch (error) {
              reject(error);
            }
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
