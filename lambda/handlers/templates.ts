import { parseWith } from '../http/parse-request';
import {
  CreateTemplateBodySchema,
  DeleteTemplatesBodySchema,
  ListTemplatesQuerySchema,
  parseTemplateBody,
  TemplateNameSchema,
  UpdateTemplateBodySchema,
} from '../http/template-requests';
import { templatesDeps } from '../platform/composition-root';
import { httpHandler } from '../platform/http-handler';
import * as templates from '../use-cases/templates';

const warned = (warnings?: string[]) => (warnings ? `; ${warnings.join('; ')}` : '');

/**
 * ESD's /schemas: CreateSchema (POST), ListSchemas (GET), DeleteSchemas (DELETE), and on
 * /schemas/{name} GetSchema (GET) and UpdateSchema (PUT). Each key sees only its own templates.
 */
export const handler = httpHandler(async ({ event, owner, query }) => {
  const deps = templatesDeps();
  if (event.pathParameters?.name === undefined) {
    if (event.httpMethod === 'POST') {
      const input = parseTemplateBody(CreateTemplateBodySchema(), event);
      const data = await templates.createTemplate(input, owner, deps);
      return { statusCode: 200, data, message: `${data.name} created${warned(data.warnings)}` };
    }
    if (event.httpMethod === 'DELETE') {
      const { schema_name_list } = parseTemplateBody(DeleteTemplatesBodySchema(), event);
      await templates.deleteTemplates(schema_name_list, owner, deps);
      return { statusCode: 204, message: 'Schemas deleted successfully' };
    }
    const { limit, exclusive_start_key: after } = parseWith(ListTemplatesQuerySchema(), query, 'query');
    return { statusCode: 200, data: await templates.listTemplates({ limit, after }, owner, deps) };
  }
  const name = parseWith(TemplateNameSchema(), event.pathParameters.name, 'name');
  if (event.httpMethod === 'PUT') {
    const input = parseTemplateBody(UpdateTemplateBodySchema(), event);
    const data = await templates.updateTemplate(name, input, owner, deps);
    return { statusCode: 200, data, message: `${name} updated${warned(data.warnings)}` };
  }
  return { statusCode: 200, data: await templates.getTemplate(name, owner, deps) };
});
