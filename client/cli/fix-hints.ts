import type { NodeErrors } from '../src/index';

const SHOWN_CHOICES = 8;
/** ComfyUI's loaders refuse a file the server lacks so ("Invalid image file: x.png"). */
const FILE_REFUSED = /invalid (image |audio |video |mask )?file/i;

/** The values a combo input accepts, from ComfyUI's `input_config` (`[[...], {}]` or `["COMBO", {options}]`). */
function choicesOf(inputConfig: unknown): unknown[] | undefined {
  if (!Array.isArray(inputConfig)) return undefined;
  if (Array.isArray(inputConfig[0])) return inputConfig[0];
  const options = (inputConfig[1] as { options?: unknown } | undefined)?.options;
  return Array.isArray(options) ? options : undefined;
}

function choiceList(choices: unknown[]): string {
  if (choices.length === 0) return 'the endpoint has none';
  const shown = choices.slice(0, SHOWN_CHOICES).map(String).join(', ');
  return `the endpoint has: ${shown}${choices.length > SHOWN_CHOICES ? `, … (${choices.length} in all)` : ''}`;
}

/**
 * How to fix each input the validation named with `--set NODE.INPUT=VALUE`: a value the endpoint
 * lacks (most often a model a shared workflow names) gets the values it has; a missing input gets
 * its name; a file the endpoint lacks (the example image a workflow names), `--input`. Node ids
 * are the workflow's own (a UI workflow keeps them through conversion).
 */
export function fixHints(nodeErrors: NodeErrors): string[] {
  const hints: string[] = [];
  for (const [node, { errors }] of Object.entries(nodeErrors)) {
    for (const error of errors) {
      const info = (error.extra_info ?? {}) as { input_name?: unknown; input_config?: unknown };
      if (typeof info.input_name !== 'string') continue;
      const target = `${node}.${info.input_name}`;
      if (error.type === 'value_not_in_list') {
        const choices = choicesOf(info.input_config);
        hints.push(`  --set ${target}=VALUE${choices ? `  (${choiceList(choices)})` : ''}`);
      } else if (error.type === 'required_input_missing' || error.type.startsWith('value_')) {
        hints.push(`  --set ${target}=VALUE`);
      } else if (
        error.type === 'custom_validation_failed' &&
        FILE_REFUSED.test(`${error.message} ${error.details}`)
      ) {
        hints.push(`  --input ${target}=FILE  (a file of yours, uploaded and named there)`);
      }
    }
  }
  return hints.length > 0 ? ['to fix it, validate or run it again with:', ...hints] : [];
}
