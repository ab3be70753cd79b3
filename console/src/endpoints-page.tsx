import type { ComfyExecClient, Endpoint } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';

/**
 * The endpoints this deployment routes to, with SageMaker's status, instance type and count; on a
 * phone each endpoint is a block of labelled lines instead of a row too wide to read.
 */
export function EndpointsPage(props: { client: ComfyExecClient; onError(error: unknown): void }) {
  const [endpoints, setEndpoints] = useState<Endpoint[]>();
  useEffect(() => {
    props.client.endpoints().then(setEndpoints, props.onError);
  }, []);
  return (
    <main>
      <h1>Endpoints</h1>
      {!endpoints ? (
        <p aria-busy="true">Loading…</p>
      ) : (
        <table class="stacking">
          <thead>
            <tr>
              <th scope="col">Endpoint</th>
              <th scope="col">Status</th>
              <th scope="col">Instance type</th>
              <th scope="col">Instances</th>
            </tr>
          </thead>
          <tbody>
            {endpoints.map((endpoint) => (
              <tr>
                <td data-label="Endpoint">{endpoint.endpoint_name}</td>
                <td data-label="Status">{endpoint.endpoint_status}</td>
                <td data-label="Instance type">{endpoint.instance_type}</td>
                <td data-label="Instances">{endpoint.current_instance_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
