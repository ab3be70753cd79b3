import type { ComfyExecClient, Endpoint } from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';

/** The endpoints this deployment routes to, with SageMaker's status, instance type and count. */
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
        <table>
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
                <td>{endpoint.endpoint_name}</td>
                <td>{endpoint.endpoint_status}</td>
                <td>{endpoint.instance_type}</td>
                <td>{endpoint.current_instance_count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
