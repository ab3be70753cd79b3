import http from 'node:http';

export interface ContainerAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * POST to the model container, as SageMaker's async invocation does: waiting as long as the
 * invocation may run (`timeoutMs`, InvocationTimeoutSeconds up to an hour). Not `fetch`: its
 * client gives up on any answer whose headers take over 300 s, so every local run longer than
 * five minutes failed "fetch failed".
 */
export function postToContainer(
  url: string,
  headers: Record<string, string>,
  body: Buffer | string,
  timeoutMs: number,
): Promise<ContainerAnswer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
        answer.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
