import { type Endpoint, PromptValidationError } from '../../src/index';
import { type Check, CheckFailed } from './runner';
import { DOCTOR_PROMPT, type DoctorState, endpointLogs } from './state';

/** (1) The API answers, and takes the key on an owner route (GET /about, which the rest needs). */
export function apiCheck(state: DoctorState): Check {
  return {
    name: 'api',
    title: 'API answers with the key',
    async run() {
      await state.client.ping();
      const about = await state.client.about();
      state.about = about;
      return `GET /ping answered and GET /about took the key: comfy-exec ${about.version} in ${about.region}, default endpoint ${about.endpoints_default}`;
    },
  };
}

/** (2) GET /api serves the OpenAPI document clients are generated from. */
export function openApiCheck(state: DoctorState): Check {
  return {
    name: 'openapi',
    title: 'OpenAPI document',
    needs: ['api'],
    async run() {
      const document = await state.client.apiDocument();
      const paths = Object.keys((document.paths as Record<string, unknown> | undefined) ?? {});
      if (typeof document.openapi !== 'string' || !paths.includes('/executes'))
        throw new CheckFailed(
          'GET /api answered, but not with an OpenAPI document describing /executes',
          'the api-doc function serves lambda/http/openapi.json: deploy again',
        );
      return `OpenAPI ${document.openapi}, ${paths.length} paths`;
    },
  };
}

/** Whether an endpoint can take an execute now or after waking, in words; a problem throws. */
function endpointState(state: DoctorState, row: Endpoint): string {
  const name = row.endpoint_name;
  const count = Number(row.current_instance_count);
  const max = Number(row.max_instance_number);
  const logs = endpointLogs(state, name);
  if (row.endpoint_status === 'InService' || row.endpoint_status === 'Updating') {
    if (count > 0) return `${name} ${row.endpoint_status} (${row.instance_type} × ${count})`;
    // Scaled to zero: SageMaker starts an instance when work is queued, up to the maximum.
    if (row.autoscaling && max > 0) return `${name} scaled to zero, wakes on the next execute (up to ${max})`;
    throw new CheckFailed(
      `${name} has no instance and may not start one (max ${row.max_instance_number})`,
      'set comfy-exec:maxInstances to 1 or more and deploy again',
    );
  }
  if (row.endpoint_status === 'Creating' || row.endpoint_status === 'SystemUpdating')
    throw new CheckFailed(
      `${name} is ${row.endpoint_status}`,
      'wait until it is InService (creating one takes several minutes after cdk deploy)',
    );
  throw new CheckFailed(
    `${name} is ${row.endpoint_status}${row.error ? `: ${row.error}` : ''}`,
    `see the endpoint in the SageMaker console and ${logs}`,
  );
}

/** (3) GET /endpoints: each endpoint (the targeted ones with --endpoint) InService, or asleep and able to wake. */
export function endpointsCheck(state: DoctorState, targets: readonly string[] | undefined): Check {
  return {
    name: 'endpoints',
    title: 'endpoints',
    needs: ['api'],
    async run() {
      const rows = await state.client.endpoints();
      state.endpoints = rows;
      for (const target of targets ?? [])
        if (!rows.some((row) => row.endpoint_name === target))
          throw new CheckFailed(
            `${target} is not an endpoint of this deployment (it has: ${rows.map((r) => r.endpoint_name).join(', ') || 'none'})`,
            'name one of those with --endpoint, or add it to the deployment',
          );
      const checked = targets ? rows.filter((row) => targets.includes(row.endpoint_name)) : rows;
      if (checked.length === 0)
        throw new CheckFailed(
          'GET /endpoints lists no endpoint',
          'check comfy-exec:endpointName and deploy again',
        );
      return checked.map((row) => endpointState(state, row)).join('; ');
    },
  };
}

/** (4) A dry run of a core-node prompt: converted and validated against the endpoint's nodes, nothing queued. */
export function dryRunCheck(state: DoctorState, endpoint: string): Check {
  return {
    name: 'dry-run',
    title: 'dry run of EmptyImage → SaveImage',
    endpoint,
    needs: ['api'],
    async run() {
      try {
        const result = await state.client.dryRun({ prompt: DOCTOR_PROMPT, endpoint_name: endpoint });
        return `valid (${Object.keys(result.prompt).length} nodes), nothing queued`;
      } catch (error) {
        if (error instanceof PromptValidationError)
          throw new CheckFailed(
            `the endpoint's nodes refused ComfyUI's core nodes: ${error.message}`,
            `its container publishes ComfyUI's /object_info when it starts: see ${endpointLogs(state, endpoint)}`,
          );
        throw error;
      }
    },
  };
}

/** (6) GET /webhooks/secret answers a Standard Webhooks secret (Secrets Manager reachable). */
export function webhookSecretCheck(state: DoctorState): Check {
  return {
    name: 'webhook-secret',
    title: 'webhook secret',
    needs: ['api'],
    async run() {
      const { secret } = await state.client.webhookSecret();
      if (!secret.startsWith('whsec_'))
        throw new CheckFailed(
          'GET /webhooks/secret answered something that is not a whsec_… secret',
          'see the webhook-secret function',
        );
      // The secret itself is never printed: reports get pasted into tickets.
      return 'a whsec_… signing secret is there for this key';
    },
  };
}
