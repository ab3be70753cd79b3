import type { Catalog } from './catalog';
import { choiceInputs } from './catalog';

type Prompt = Record<
  string,
  { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

/**
 * A choice from the endpoint's catalog. A value the endpoint lacks (a model it does not have) stays
 * selected, marked as missing, until the person picks one it has.
 */
export function ChoiceField(props: {
  id: string;
  value: string;
  choices: string[];
  onChange(value: string): void;
}) {
  const missing = !props.choices.includes(props.value);
  return (
    <select
      id={props.id}
      value={props.value}
      aria-invalid={missing ? 'true' : undefined}
      onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}
    >
      {missing && <option value={props.value}>{`${props.value} (not on this endpoint)`}</option>}
      {props.choices.map((choice) => (
        <option value={choice}>{choice}</option>
      ))}
    </select>
  );
}

export const nodeLabel = (prompt: Prompt, node: string) =>
  `#${node} ${prompt[node]?._meta?.title ?? prompt[node]?.class_type ?? ''}`;

/** A copy of the prompt with one input changed. */
export function withInput(prompt: Prompt, node: string, name: string, value: unknown): Prompt {
  const next = structuredClone(prompt);
  next[node]!.inputs = { ...next[node]!.inputs, [name]: value };
  return next;
}

/** Every choice input of the prompt (samplers, schedulers, models...) as a dropdown of the catalog's values. */
export function ChoiceInputs(props: {
  catalog: Catalog | null | undefined;
  prompt: Prompt;
  onChange(prompt: Prompt): void;
}) {
  const fields = choiceInputs(props.catalog, props.prompt);
  if (fields.length === 0) return null;
  return (
    <fieldset class="inputs">
      <legend>Choices</legend>
      {fields.map(({ node, name, choices }) => {
        const id = `choice-${node}-${name}`;
        return (
          <div key={id}>
            <label for={id}>{`${nodeLabel(props.prompt, node)} · ${name}`}</label>
            <ChoiceField
              id={id}
              value={String(props.prompt[node]!.inputs![name])}
              choices={choices}
              onChange={(value) => props.onChange(withInput(props.prompt, node, name, value))}
            />
          </div>
        );
      })}
    </fieldset>
  );
}
