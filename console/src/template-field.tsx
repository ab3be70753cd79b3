import type { ComfyExecClient, ParameterSchema } from '@comfy-exec/client';
import { useState } from 'preact/hooks';
import type { Exact } from './exact-numbers';
import { PickedThumbnail } from './picked-thumbnail';
import { SeedField } from './seed-field';
import { choiceValue, shownValue, type TemplateField, typedNumber } from './template-fields';

const ACCEPT: Record<string, string> = { image: 'image/*', audio: 'audio/*', video: 'video/*' };

/** The range a number takes, in words beside its field (the spinner alone does not say). */
function rangeText(schema: ParameterSchema): string | undefined {
  const { minimum, maximum } = schema;
  if (minimum !== undefined && maximum !== undefined) return `${minimum} to ${maximum}`;
  if (minimum !== undefined) return `at least ${minimum}`;
  if (maximum !== undefined) return `at most ${maximum}`;
  return undefined;
}

/**
 * One template parameter as the control its JSON Schema calls for, with its label, description
 * and problem (a value out of range, not a choice...) beside it. A picked file is uploaded to the
 * caller's inputs at once and the parameter then names the upload, as on the Run page.
 */
export function TemplateFieldControl(props: {
  client: ComfyExecClient;
  field: TemplateField;
  /** The value to show: the changed one, else the template's default. */
  value: unknown;
  problem: string | undefined;
  onChange(value: unknown): void;
  onUploading(uploading: boolean): void;
  onError(error: unknown): void;
}) {
  const { field, value, problem } = props;
  const { schema, name } = field;
  const id = `param-${name}`;
  const problemId = `${id}-problem`;
  const descriptionId = `${id}-description`;
  const [picked, setPicked] = useState<File>();
  // The seed field says its own problem; every other control is described by the one below.
  const invalid = problem && field.kind !== 'seed' ? 'true' : undefined;
  const describedBy = [schema.description ? descriptionId : '', invalid ? problemId : '']
    .filter(Boolean)
    .join(' ');
  const common = {
    id,
    'aria-invalid': invalid,
    'aria-describedby': describedBy || undefined,
  } as const;
  const number = (integer: boolean) => (
    <>
      <input
        {...common}
        type="number"
        min={schema.minimum === undefined ? undefined : String(schema.minimum)}
        max={schema.maximum === undefined ? undefined : String(schema.maximum)}
        // Without a step a number field takes whole numbers only; ComfyUI's step is the editor's increment.
        step={schema['x-step'] === undefined ? (integer ? '1' : 'any') : String(schema['x-step'])}
        value={shownValue(value)}
        onChange={(e) => props.onChange(typedNumber((e.target as HTMLInputElement).value, integer))}
      />
      {rangeText(schema) && <span class="hint"> {rangeText(schema)}</span>}
    </>
  );
  return (
    <div class="parameter" data-parameter={name}>
      <label for={id}>
        {name}
        {field.required && <span class="hint"> (required)</span>}
      </label>
      {field.kind === 'seed' && (
        <SeedField
          id={id}
          label={name}
          value={value === undefined ? '' : (value as Exact | string)}
          onChange={props.onChange}
        />
      )}
      {field.kind === 'integer' && number(true)}
      {field.kind === 'number' && number(false)}
      {field.kind === 'multiline' && (
        <textarea
          {...common}
          value={shownValue(value)}
          onChange={(e) => props.onChange((e.target as HTMLTextAreaElement).value)}
        />
      )}
      {field.kind === 'text' && (
        <input
          {...common}
          type="text"
          value={shownValue(value)}
          onChange={(e) => props.onChange((e.target as HTMLInputElement).value)}
        />
      )}
      {field.kind === 'boolean' && (
        <input
          {...common}
          type="checkbox"
          checked={value === true}
          onChange={(e) => props.onChange((e.target as HTMLInputElement).checked)}
        />
      )}
      {field.kind === 'choice' && (
        <select
          {...common}
          value={shownValue(value)}
          onChange={(e) => props.onChange(choiceValue(schema, (e.target as HTMLSelectElement).value))}
        >
          {/* A saved value the endpoint no longer lists stays shown, marked, until another is picked. */}
          {!schema.enum?.includes(value) && (
            <option value={shownValue(value)}>{`${shownValue(value)} (not a choice)`}</option>
          )}
          {(schema.enum ?? []).map((choice) => (
            <option value={String(choice)}>{String(choice)}</option>
          ))}
        </select>
      )}
      {field.kind === 'model' && (
        // The endpoint's models as suggestions: the library may hold others, so any name may be typed.
        <>
          <input
            {...common}
            type="text"
            list={`${id}-models`}
            autoComplete="off"
            value={shownValue(value)}
            onChange={(e) => props.onChange((e.target as HTMLInputElement).value)}
          />
          <datalist id={`${id}-models`}>
            {(schema.examples ?? []).map((model) => (
              <option value={String(model)} />
            ))}
          </datalist>
        </>
      )}
      {field.kind === 'file' && (
        <>
          <input
            {...common}
            type="file"
            accept={ACCEPT[schema['x-file'] ?? '']}
            onChange={(e) => {
              const file = (e.target as HTMLInputElement).files?.[0];
              if (!file) return;
              setPicked(file);
              props.onUploading(true);
              props.client
                .uploadInput(file)
                .then((created) => props.onChange(created.name), props.onError)
                .finally(() => props.onUploading(false));
            }}
          />
          {value !== undefined && (
            <p class="hint" data-testid={`${id}-name`}>
              Uses {shownValue(value)}
            </p>
          )}
          {picked && <PickedThumbnail file={picked} />}
        </>
      )}
      {schema.description && (
        <p id={descriptionId} class="hint description">
          {schema.description}
        </p>
      )}
      {invalid && (
        <p id={problemId} class="error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
