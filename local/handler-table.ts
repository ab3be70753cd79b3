import { handler as apiDoc } from '../lambda/handlers/api-doc';
import { handler as cancelExecute } from '../lambda/handlers/cancel-execute';
import { handler as comfyuiApi } from '../lambda/handlers/comfyui-api';
import { handler as comfyuiTokenView } from '../lambda/handlers/comfyui-token-view';
import { handler as completeModelUpload } from '../lambda/handlers/complete-model-upload';
import { handler as createExecute } from '../lambda/handlers/create-execute';
import { handler as createInput } from '../lambda/handlers/create-input';
import { handler as deleteExecutes } from '../lambda/handlers/delete-executes';
import { handler as deleteInput } from '../lambda/handlers/delete-input';
import { handler as deleteModel } from '../lambda/handlers/delete-model';
import { handler as getExecute } from '../lambda/handlers/get-execute';
import { handler as getExecuteLogs } from '../lambda/handlers/get-execute-logs';
import { handler as getPrepare } from '../lambda/handlers/get-prepare';
import { handler as getUsage } from '../lambda/handlers/get-usage';
import { handler as health } from '../lambda/handlers/health';
import { handler as listEndpoints } from '../lambda/handlers/list-endpoints';
import { handler as listExecutes } from '../lambda/handlers/list-executes';
import { handler as listInputs } from '../lambda/handlers/list-inputs';
import { handler as listModels } from '../lambda/handlers/list-models';
import { handler as prepareEndpoint } from '../lambda/handlers/prepare-endpoint';
import { handler as startModelUpload } from '../lambda/handlers/start-model-upload';
import { handler as templates } from '../lambda/handlers/templates';
import { handler as webhookSecret } from '../lambda/handlers/webhook-secret';
import { handler as workflows } from '../lambda/handlers/workflows';
import type { HttpHandlerName } from '../lambda/http/route-table';

/** Every HTTP handler by its route-table name: what the CDK app deploys, one function each. */
export const HTTP_HANDLERS = {
  'api-doc': apiDoc,
  'cancel-execute': cancelExecute,
  'comfyui-api': comfyuiApi,
  'comfyui-token-view': comfyuiTokenView,
  'create-execute': createExecute,
  'create-input': createInput,
  'complete-model-upload': completeModelUpload,
  'delete-executes': deleteExecutes,
  'delete-input': deleteInput,
  'delete-model': deleteModel,
  'get-execute': getExecute,
  'get-execute-logs': getExecuteLogs,
  'get-prepare': getPrepare,
  health,
  'list-endpoints': listEndpoints,
  workflows,
  templates,
  'get-usage': getUsage,
  'list-executes': listExecutes,
  'list-inputs': listInputs,
  'list-models': listModels,
  'prepare-endpoint': prepareEndpoint,
  'start-model-upload': startModelUpload,
  'webhook-secret': webhookSecret,
} satisfies Record<HttpHandlerName, unknown>;
