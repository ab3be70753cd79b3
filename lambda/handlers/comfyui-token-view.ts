import { viewWithToken } from '../http/browser-token-routes';
import { tokenViewDeps } from '../platform/browser-token-composition';
import { httpHandler } from '../platform/http-handler';

/**
 * /comfyui/t/{token}/view (and /api/view): no API key reaches this route (an `<img src>` sends
 * no headers); the browser token in the path names the owner, or the answer is 403.
 */
export const handler = httpHandler((request) => viewWithToken(request, tokenViewDeps()), {
  requiresOwner: false,
});
