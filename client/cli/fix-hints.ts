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

interface Fix {
  /** `NODE.INPUT` the validation named. */
  target: string;
  /** A value to set (with the endpoint's choices when it has a list), or a file to give. */
  kind: 'value' | 'file';
  choices?: unknown[];
}

/** What each input the validation named needs: a value the endpoint takes, or a file of the caller's. */
function fixesOf(nodeErrors: NodeErrors): Fix[] {
  const fixes: Fix[] = [];
  for (const [node, { errors }] of Object.entries(nodeErrors)) {
    for (const error of errors) {
      const info = (error.extra_info ?? {}) as { input_name?: unknown; input_config?: unknown };
      if (typeof info.input_name !== 'string') continue;
      const target = `${node}.${info.input_name}`;
      if (error.type === 'value_not_in_list') {
        const choices = choicesOf(info.input_config);
        fixes.push({ target, kind: 'value', ...(choices ? { choices } : {}) });
      } else if (error.type === 'required_input_missing' || error.type.startsWith('value_')) {
        fixes.push({ target, kind: 'value' });
      } else if (
        error.type === 'custom_validation_failed' &&
        FILE_REFUSED.test(`${error.message} ${error.details}`)
      ) {
        fixes.push({ target, kind: 'file' });
      }
    }
  }
  return fixes;
}

const FILE_NOTE = '(a file of yours, uploaded and named there)';
const choicesNote = (fix: Fix) => (fix.choices ? `  (${choiceList(fix.choices)})` : '');

/**
 * How to fix each input the validation named with `--set NODE.INPUT=VALUE`: a value the endpoint
 * lacks (most often a model a shared workflow names) gets the values it has; a missing input gets
 * its name; a file the endpoint lacks (the example image a workflow names), `--input`. Node ids
 * are the workflow's own (a UI workflow keeps them through conversion).
 */
export function fixHints(nodeErrors: NodeErrors): string[] {
  const hints = fixesOf(nodeErrors).map((fix) =>
    fix.kind === 'file'
      ? `  --input ${fix.target}=FILE  ${FILE_NOTE}`
      : `  --set ${fix.target}=VALUE${choicesNote(fix)}`,
  );
  return hints.length > 0 ? ['to fix it, validate or run it again with:', ...hints] : [];
}

/**
 * The same for a run of a template, whose values are its parameters: an input a parameter puts
 * its value in is fixed with `--param`; any other is the saved workflow's, changed by saving it
 * again (with a parameter there).
 */
export function templateFixHints(
  nodeErrors: NodeErrors,
  template: string,
  placesByParameter: Record<string, readonly string[]>,
): string[] {
  const parameterAt = (target: string) =>
    Object.keys(placesByParameter).find((name) => placesByParameter[name]!.includes(target));
  const fixes = fixesOf(nodeErrors);
  const hints = fixes.flatMap((fix) => {
    const parameter = parameterAt(fix.target);
    if (!parameter) return [];
    return [
      fix.kind === 'file'
        ? `  --param ${parameter}=FILE  ${FILE_NOTE}`
        : `  --param ${parameter}=VALUE${choicesNote(fix)}`,
    ];
  });
  const fixed = fixes.filter((fix) => !parameterAt(fix.target)).map((fix) => fix.target);
  return [
    ...(hints.length > 0 ? ['to fix it, run it again with:', ...hints] : []),
    ...(fixed.length > 0
      ? [
          `no parameter of ${template} reaches ${[...new Set(fixed)].join(', ')}: save the workflow again with one there (comfy-exec templates save ${template} FILE --update --inputs PARAMETERS.json)`,
        ]
      : []),
  ];
}
