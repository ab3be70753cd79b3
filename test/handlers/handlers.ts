export { handler as onAsyncResult } from '../../lambda/handlers/on-async-result';
export { HTTP_HANDLERS } from '../../local/handler-table';
