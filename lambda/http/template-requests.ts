// zod/mini, as request-schemas.ts: the handlers that parse these carry no zod classic; each
// schema is built on first call, as there.
import * as z from 'zod/mini';
import {
  MAX_PARAMETERS,
  MAX_PLACES_PER_PARAMETER,
  PARAMETER_NAME_PATTERN,
  TEMPLATE_NAME_PATTERN,
} from '../domain/templates/template';
import { lazySchema } from './lazy-schema';
import { parseJsonBody, parseJsonText, parseWith } from './parse-request';
import { CreateExecuteBodySchema, pageQuery } from './request-schemas';

const NAME_MESSAGE = 'must start with a letter, then letters, digits, _ or -, at most 64 characters';

export const TemplateNameSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.regex(TEMPLATE_NAME_PATTERN, NAME_MESSAGE),
      z.describe("the template's name, unique per API key"),
    ),
);

const ParameterSchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    places: z
      .array(z.string().check(z.minLength(3), z.maxLength(300)))
      .check(
        z.minLength(1),
        z.maxLength(MAX_PLACES_PER_PARAMETER),
        z.describe(
          '`node_id.input` places of the API prompt (a UI workflow as converted), for example "6.text"',
        ),
      ),
    description: z.optional(z.string().check(z.maxLength(1000))),
    default: z.optional(z.unknown()),
  }),
);

const InputsSchema = /* @__PURE__ */ lazySchema(() =>
  z.nullish(
    z
      .record(
        z
          .string()
          .check(
            z.regex(PARAMETER_NAME_PATTERN, 'parameter names are letters, digits and _, not first a digit'),
          ),
        ParameterSchema(),
      )
      .check(
        z.refine(
          (inputs) => Object.keys(inputs).length <= MAX_PARAMETERS,
          `at most ${MAX_PARAMETERS} parameters`,
        ),
        z.describe(
          'the parameters a run may set, by name; without it (or null) they are derived: text prompts, seeds, sizes, steps, cfg, denoise, loaded files',
        ),
      ),
  ),
);

const PayloadSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .union([z.string().check(z.minLength(1)), z.record(z.string(), z.unknown())])
    .check(
      z.describe(
        'the API prompt or UI workflow: JSON text as ESD stores it (an object is accepted and stored as text)',
      ),
    ),
);

const WorkflowSchema = /* @__PURE__ */ lazySchema(() =>
  z
    .string()
    .check(
      z.maxLength(63),
      z.describe(
        "the environment it runs on (endpoint comfy-async-{workflow}); '' for the deployment's default",
      ),
    ),
);

/** ESD's CreateSchemaEvent, plus `inputs`. */
export const CreateTemplateBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    name: TemplateNameSchema(),
    payload: PayloadSchema(),
    workflow: z.optional(WorkflowSchema()),
    inputs: InputsSchema(),
  }),
);

/** ESD's UpdateSchemaEvent (payload and workflow), each optional here, plus `inputs`. */
export const UpdateTemplateBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    payload: z.optional(PayloadSchema()),
    workflow: z.optional(WorkflowSchema()),
    inputs: InputsSchema(),
  }),
);

/** ESD's DeleteSchemasEvent. */
export const DeleteTemplatesBodySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    schema_name_list: z.array(TemplateNameSchema()).check(z.minLength(1), z.maxLength(10)),
  }),
);

export const ListTemplatesQuerySchema = /* @__PURE__ */ lazySchema(() =>
  z.strictObject({
    ...pageQuery(),
    exclusive_start_key: z.optional(TemplateNameSchema()),
  }),
);

/** POST /schemas/{name}/executes: the parameters' values, and what a create takes besides a prompt. */
export const RunTemplateBodySchema = /* @__PURE__ */ lazySchema(() => {
  const create = CreateExecuteBodySchema().shape;
  return z.strictObject({
    inputs: z.optional(
      z
        .record(z.string(), z.unknown())
        .check(z.describe("the parameters' values, by name; a parameter left out takes its default")),
    ),
    prompt_id: create.prompt_id,
    endpoint_name: create.endpoint_name,
    webhook: create.webhook,
    wait: create.wait,
    inline: create.inline,
  });
});

/**
 * A request's JSON body parsed with one of these schemas: a 400 naming the field otherwise. A
 * payload sent as JSON text gets the body's own checks (NUL, depth, lone surrogates) too: it
 * becomes prompts, and would otherwise carry what no body may.
 */
export function parseTemplateBody<S extends z.core.$ZodType>(
  schema: S,
  event: { body: string | null; isBase64Encoded: boolean },
): z.output<S> {
  const parsed = parseWith(schema, parseJsonBody(event.body, event.isBase64Encoded), 'body');
  const payload = (parsed as { payload?: unknown }).payload;
  if (typeof payload === 'string') parseJsonText(payload, 'payload');
  return parsed;
}
