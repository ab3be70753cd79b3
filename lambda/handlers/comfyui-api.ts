import { COMFYUI_ROUTES } from '../http/comfyui-routes';
import { comfyuiFacadeDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';

/** /comfyui/* — ComfyUI's own server routes, answered in ComfyUI's shapes from the executes. */
export const handler = httpHandler(async (request) => {
  const route = COMFYUI_ROUTES[`${request.event.httpMethod} ${request.event.resource}`];
  if (!route) return { statusCode: 404, raw: '404: Not Found' };
  return route(request, comfyuiFacadeDeps());
});
