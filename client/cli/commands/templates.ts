import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  ApiError,
  exactJsonText,
  type InputSchema,
  parseExactJson,
  resolvePromptSource,
  type Template,
  type TemplateRow,
  type TemplateSaveRequest,
} from '../../src/index';
import type { Context } from '../context';
import { EXIT, UsageError } from '../exit-codes';
import {
  endpointText,
  exampleCommand,
  parameterTable,
  placesTable,
  table,
  templateHeader,
} from '../template-view';

/** DeleteSchemas takes at most 10 names a call (as ESD's). */
const MAX_DELETE = 10;

interface SaveFlags {
  workflow?: string;
  inputs?: string;
  derive?: boolean;
  update?: boolean;
  json?: boolean;
}

async function readOrRefuse(path: string): Promise<Uint8Array> {
  return readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read ${path}: ${error.code ?? error.message}`);
  });
}

/** `--inputs FILE`: the parameters as the API takes them, `{NAME: {places, description?, default?}}`. */
async function declaredInputs(path: string): Promise<TemplateSaveRequest['inputs']> {
  const text = new TextDecoder().decode(await readOrRefuse(path));
  let value: unknown;
  try {
    // A default 64-bit seed keeps its digits.
    value = parseExactJson(text);
  } catch (error) {
    throw new UsageError(`--inputs ${path}: not valid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(
      `--inputs ${path}: expected an object of parameters, e.g. {"prompt": {"places": ["6.text"]}}`,
    );
  return value as TemplateSaveRequest['inputs'];
}

/** What the API's answer to a save means for this command: a name taken or missing is the caller's to fix. */
function saveRefusal(name: string, update: boolean) {
  return (error: unknown): never => {
    if (error instanceof ApiError && error.status === 409 && !update)
      throw new UsageError(`template ${name} already exists: add --update to replace it`);
    if (error instanceof ApiError && error.status === 404 && update)
      throw new UsageError(`no template ${name} to update: leave out --update to save it`);
    throw error;
  };
}

async function save(context: Context, name: string, path: string, flags: SaveFlags) {
  if (flags.derive && flags.inputs) throw new UsageError('--derive and --inputs: give one of them');
  if (flags.derive && !flags.update)
    throw new UsageError('--derive goes with --update (a new template derives its parameters already)');
  // Read as `run` reads it (a PNG's embedded prompt, else its workflow), stored as the API keeps it.
  const { prompt } = await resolvePromptSource(await readOrRefuse(path));
  const inputs = flags.inputs ? await declaredInputs(flags.inputs) : flags.derive ? null : undefined;
  const change = {
    payload: prompt,
    ...(flags.workflow !== undefined ? { workflow: flags.workflow } : {}),
    ...(inputs !== undefined ? { inputs } : {}),
  };
  const client = context.client();
  const saved = await (flags.update
    ? client.templates.update(name, change)
    : client.templates.save({ name, ...change })
  ).catch(saveRefusal(name, Boolean(flags.update)));
  if (flags.json) {
    context.out(exactJsonText(saved, undefined, 2));
    return;
  }
  const schema = saved.input_schema as unknown as InputSchema | null;
  const count = schema ? Object.keys(schema.properties).length : 0;
  context.info(
    `${flags.update ? 'updated' : 'saved'} template ${name}: ${count} ${saved.declared_inputs ? 'declared' : 'derived'} parameter(s), runs on ${endpointText(saved)}`,
  );
  if (schema) for (const line of placesTable(schema)) context.out(line);
  if (schema && count > 0) context.info(`run it: ${exampleCommand(name, schema)}`);
  for (const warning of saved.warnings ?? []) context.info(`warning: ${warning}`);
}

async function allTemplates(context: Context): Promise<TemplateRow[]> {
  const rows: TemplateRow[] = [];
  let startKey: string | undefined;
  do {
    const page = await context.client().templates.list({ limit: 100, ...(startKey ? { startKey } : {}) });
    rows.push(...page.items);
    startKey = page.nextKey ?? undefined;
  } while (startKey);
  return rows;
}

function show(context: Context, template: Template, flags: { json?: boolean; schema?: boolean }) {
  if (flags.json) return context.out(exactJsonText(template, undefined, 2));
  if (flags.schema) return context.out(exactJsonText(template.input_schema, undefined, 2));
  const schema = template.input_schema as unknown as InputSchema | null;
  const lines = [...templateHeader(template), ''];
  if (schema) {
    lines.push(...parameterTable(schema), '', 'example:', `  ${exampleCommand(template.name, schema)}`);
  } else lines.push(`parameters (their types need the endpoint): ${Object.keys(template.inputs).join(', ')}`);
  for (const line of lines) context.out(line);
}

/** templates save, list, show, delete: workflows saved by name, run with a few typed values. */
export function registerTemplates(program: Command, context: Context) {
  const templates = program
    .command('templates')
    .description('saved workflows with typed parameters (ESD schemas); run one with run --template NAME');

  templates
    .command('save')
    .description('save a workflow as a template, and print the parameters it takes')
    .argument('<name>', 'its name: a letter, then letters, digits, _ or - (up to 64)')
    .argument('<file>', 'API prompt, UI workflow, or a PNG/WEBP/MP4 ComfyUI saved')
    .option(
      '-w, --workflow <environment>',
      "the environment it runs on (default: the deployment's first endpoint)",
    )
    .option(
      '--inputs <file>',
      'its parameters as JSON, {"NAME": {"places": ["6.text"], "description": …, "default": …}} (default: derived from the workflow)',
    )
    .option(
      '--update',
      'replace the saved template of that name (its declared parameters stay, unless --inputs or --derive)',
    )
    .option(
      '--derive',
      'with --update: derive the parameters from the workflow again, dropping the declared ones',
    )
    .option('--json', 'print the saved template as JSON')
    .action((name: string, path: string, flags: SaveFlags) => save(context, name, path, flags));

  templates
    .command('list')
    .description('your templates, by name')
    .option('--json', 'print them as JSON lines')
    .action(async (flags: { json?: boolean }) => {
      const rows = await allTemplates(context);
      if (flags.json) {
        for (const row of rows) context.out(exactJsonText(row));
        return;
      }
      if (rows.length === 0) return context.out('no templates');
      const lines = table(
        ['NAME', 'ENDPOINT', 'PARAMETERS', 'UPDATED'],
        rows.map((row) => [
          row.name,
          endpointText(row),
          row.declared_inputs ? String(Object.keys(row.declared_inputs).length) : 'derived',
          row.update_time,
        ]),
      );
      for (const line of lines) context.out(line);
    });

  templates
    .command('show')
    .description('a template: its parameters (type, range or choices, default) and a command line to run it')
    .argument('<name>')
    .option('--json', 'print the whole template as JSON (its workflow among it)')
    .option('--schema', "print only its parameters' JSON Schema")
    .action(async (name: string, flags: { json?: boolean; schema?: boolean }) =>
      show(context, await context.client().templates.get(name), flags),
    );

  templates
    .command('delete')
    .description('delete templates (executes run from them are kept)')
    .argument('<name...>')
    .action(async (names: string[]) => {
      const client = context.client();
      // The API answers 204 whatever it deleted (as ESD does): look first, to say which were not there.
      const missing: string[] = [];
      for (const name of names)
        await client.templates.get(name).catch((error: unknown) => {
          if (!(error instanceof ApiError && error.status === 404)) throw error;
          missing.push(name);
        });
      const found = [...new Set(names.filter((name) => !missing.includes(name)))];
      for (let start = 0; start < found.length; start += MAX_DELETE) {
        const batch = found.slice(start, start + MAX_DELETE);
        await client.templates.delete(batch);
        for (const name of batch) context.out(`${name}  deleted`);
      }
      for (const name of missing) context.err(`comfy-exec: no template ${name}`);
      if (missing.length > 0) context.exit(EXIT.api);
    });
}
