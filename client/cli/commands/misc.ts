import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  exactJsonText,
  PromptValidationError,
  parseSetValue,
  prepareRun,
  resolvePromptSource,
} from '../../src/index';
import { fileFromPath } from '../../src/node/index';
import type { Context } from '../context';
import { formatNodeErrors, UsageError } from '../exit-codes';
import { collect, inputsOf, pairs, uploadNotices } from './run';

interface ValidateFlags {
  endpoint?: string;
  json?: boolean;
  set: string[];
  input: string[];
}

/** validate, endpoints, inputs: the rest of the API. */
export function registerMisc(program: Command, context: Context) {
  program
    .command('validate')
    .description('convert and validate a workflow against the endpoint, running nothing (dry run)')
    .argument('<workflow>', 'API prompt, UI workflow, or a PNG/WEBP/MP4 ComfyUI saved')
    .option('-e, --endpoint <name>', 'the endpoint whose nodes to validate against')
    .option('--json', 'print the converted prompt as JSON')
    .option(
      '-s, --set <node.input=value>',
      'check it with this value changed, as run would (repeatable)',
      collect,
      [],
    )
    .option(
      '-i, --input <name=file>',
      'check it with this file in place, as run would (uploaded once, as run does; repeatable)',
      collect,
      [],
    )
    .action(async (path: string, flags: ValidateFlags) => {
      const bytes = await readFile(path).catch(() => {
        throw new UsageError(`cannot read ${path}`);
      });
      const resolved = await resolvePromptSource(bytes);
      const { kind, from } = resolved;
      let prompt = resolved.prompt;
      let sources: Record<string, string> = {};
      const set = Object.fromEntries(
        pairs(flags.set, '--set').map(([key, value]) => [key, parseSetValue(value)]),
      );
      if (flags.set.length > 0 || flags.input.length > 0) {
        // A fix is checked on the prompt run would send: converted if need be, values set, files placed.
        const prepared = await prepareRun(context.client(), bytes, {
          set,
          inputs: await inputsOf(flags.input),
          ...(flags.endpoint ? { endpointName: flags.endpoint } : {}),
          ...uploadNotices(context),
        });
        prompt = prepared.prompt.prompt;
        sources = prepared.sources;
      }
      const result = await context
        .client()
        .dryRun({
          prompt,
          ...(flags.endpoint ? { endpoint_name: flags.endpoint } : {}),
          ...(Object.keys(sources).length > 0 ? { inputs: sources } : {}),
        })
        .catch((error: unknown) => {
          // A refusal still prints the converted prompt the errors name, to fix and run (exit 2).
          if (flags.json && error instanceof PromptValidationError)
            context.out(
              exactJsonText(
                { error: error.error, node_errors: error.nodeErrors, prompt: error.prompt },
                undefined,
                2,
              ),
            );
          throw error;
        });
      if (flags.json) context.out(exactJsonText(result, undefined, 2));
      else {
        context.out(
          `valid: ${Object.keys(result.prompt).length} nodes (${kind === 'ui' ? 'UI workflow' : 'API prompt'} from ${from})`,
        );
        for (const warning of result.warnings) context.out(`warning: ${warning}`);
        const skipped = formatNodeErrors(result.node_errors as never);
        if (skipped.length > 0) context.out(['outputs ComfyUI would skip:', ...skipped].join('\n'));
      }
    });

  program
    .command('endpoints')
    .description('the endpoints this deployment runs on')
    .option('--json', 'print them as JSON')
    .action(async (flags: { json?: boolean }) => {
      const endpoints = await context.client().endpoints();
      if (flags.json) context.out(JSON.stringify(endpoints, null, 2));
      else
        for (const e of endpoints)
          context.out(
            `${e.endpoint_name}  ${e.endpoint_status}  ${e.instance_type} × ${e.current_instance_count}`,
          );
    });

  const inputs = program.command('inputs').description('your uploaded input files');
  inputs
    .command('upload')
    .description('upload a file; prompts name it by the printed name')
    .argument('<file>')
    .action(async (path: string) => {
      const file = await fileFromPath(path).catch(() => {
        throw new UsageError(`no such file: ${path}`);
      });
      const input = await context.client().uploadInput(file);
      context.out(input.name);
    });
  inputs
    .command('list')
    .description('your uploaded inputs, newest first')
    .action(async () => {
      const page = await context.client().listInputs({ limit: 100 });
      if (page.items.length === 0) context.out('no inputs');
      for (const input of page.items) context.out(`${input.name}  ${input.size} bytes  ${input.uploaded_at}`);
    });
  inputs
    .command('delete')
    .description('delete uploaded inputs, by the names `inputs list` prints')
    .argument('<name...>')
    .action(async (names: string[]) => {
      for (const name of names) {
        await context.client().deleteInput(name);
        context.out(`${name}  deleted`);
      }
    });
}
