import { withoutApiPrefix } from '../http/comfyui-route-table';
import { COMFYUI_ROUTES } from '../http/comfyui-routes';
import { comfyuiFacadeDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';

/**
 * /comfyui/* — ComfyUI's own server routes, answered in ComfyUI's shapes from the executes;
 * /comfyui/api/* are the same routes (ComfyUI serves each under `/api` too).
 */
export const handler = httpHandler(async (request) => {
  const resource = withoutApiPrefix(request.event.resource);
  const route = COMFYUI_ROUTES[`${request.event.httpMethod} ${resource}`];
  if (!route) return { statusCode: 404, raw: '404: Not Found' };
  return route(request, comfyuiFacadeDeps());
});
