import type { About, ApiPrompt, ComfyExecClient, Endpoint } from '../../src/index';
import type { SocketWitness } from './run-witnesses';

/** What the run check leaves for the checks that follow its execute by other paths. */
export interface RunEvidence {
  promptId: string;
  /** The websocket that watched it (when GET /about named one and it opened). */
  socket?: SocketWitness;
  /** The webhook it was created with, and what a local receiver got (local stacks only). */
  webhook?: {
    url: string;
    received?: { type: string | undefined; promptId: string | undefined; signed: boolean }[];
  };
}

/** What the checks share: the connection, and what earlier checks learned about the deployment. */
export interface DoctorState {
  client: ComfyExecClient;
  apiUrl: string;
  apiKey: string;
  /** GET /about's answer (the API check fills it in). */
  about?: About;
  /** GET /endpoints' rows (the endpoints check fills them in). */
  endpoints?: Endpoint[];
  /** Where to say what a slow check is doing meanwhile (stderr). */
  info(line: string): void;
  /** Per endpoint, the execute the run check made (with --run). */
  runs?: Map<string, RunEvidence>;
  /** --webhook-url: a receiver the operator controls, for the webhook delivery check. */
  webhookUrl?: string;
  /** Undone after the last check, pass or fail (sockets, receivers, executes made to test). */
  cleanup?: (() => Promise<void>)[];
}

/** The smallest prompt that exercises ComfyUI end to end with core nodes only: no model weights. */
export const DOCTOR_PROMPT: ApiPrompt = {
  '1': { class_type: 'EmptyImage', inputs: { width: 64, height: 64, batch_size: 1, color: 0x3366cc } },
  '2': { class_type: 'SaveImage', inputs: { images: ['1', 0], filename_prefix: 'comfy-exec-doctor' } },
};

/** The link to an endpoint's container logs, as GET /about gives it. */
export function endpointLogs(state: DoctorState, endpoint: string): string {
  const url = state.about?.endpoints.find((e) => e.endpoint_name === endpoint)?.log_url;
  return url
    ? `the endpoint's CloudWatch logs at ${url}`
    : `the CloudWatch log group /aws/sagemaker/Endpoints/${endpoint}`;
}

/** The 8-byte signature every PNG file starts with. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export const isPng = (bytes: Uint8Array) =>
  bytes.length > PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte);
