import type { NodeErrors } from '@comfy-exec/client';
import { type Catalog, choicesOf } from './catalog';
import { ChoiceField, nodeLabel, withInput } from './choice-field';

type Prompt = Record<
  string,
  { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: string } }
>;

/** The values an error's input may take: the catalog's, else the list ComfyUI's error quoted. */
function choicesFor(catalog: Catalog | null | undefined, classType: string, name: string, config: unknown) {
  const fromCatalog = choicesOf(catalog, classType, name);
  if (fromCatalog) return fromCatalog;
  const quoted = Array.isArray(config) ? config[0] : undefined;
  return Array.isArray(quoted) ? quoted.map(String) : undefined;
}

/**
 * What the endpoint refused, node by node as ComfyUI names them, each error beside the input it is
 * about: an input that must be one of the endpoint's values (a model it lacks, an unknown sampler)
 * gets a dropdown of them, a number out of range a field; a change is what is checked and run next.
 */
export function NodeErrorFixes(props: {
  nodeErrors: NodeErrors;
  prompt: Prompt | undefined;
  catalog: Catalog | null | undefined;
  onChange(prompt: Prompt): void;
}) {
  const { prompt } = props;
  return (
    <section aria-label="errors by node" class="fixes">
      <h2>Fix these nodes</h2>
      <ol class="nodes">
        {Object.entries(props.nodeErrors).map(([node, entry]) => {
          const classType = prompt?.[node]?.class_type ?? entry.class_type;
          return (
            <li id={`fix-node-${node}`} class="node failed" aria-invalid="true">
              <h3>{prompt?.[node] ? nodeLabel(prompt, node) : `#${node} ${classType}`}</h3>
              {entry.errors.map((error) => {
                const name = error.extra_info?.input_name;
                const value = typeof name === 'string' ? prompt?.[node]?.inputs?.[name] : undefined;
                const choices =
                  typeof name === 'string' && typeof value === 'string'
                    ? choicesFor(props.catalog, classType, name, error.extra_info?.input_config)
                    : undefined;
                const id = `fix-${node}-${String(name)}`;
                return (
                  <div class="fix">
                    <p class="error" role="alert">
                      {[error.message, error.details].filter(Boolean).join(': ')}
                    </p>
                    {prompt && choices && typeof name === 'string' && (
                      <>
                        <label for={id}>{`Pick ${name} for ${nodeLabel(prompt, node)}`}</label>
                        <ChoiceField
                          id={id}
                          value={String(value)}
                          choices={choices}
                          onChange={(picked) => props.onChange(withInput(prompt, node, name, picked))}
                        />
                      </>
                    )}
                    {prompt && !choices && typeof name === 'string' && typeof value === 'number' && (
                      // A number out of the node's range (value_bigger_than_max, ...): typed again here.
                      <>
                        <label for={id}>{`Set ${name} for ${nodeLabel(prompt, node)}`}</label>
                        <input
                          id={id}
                          type="number"
                          value={String(value)}
                          aria-invalid="true"
                          onChange={(e) =>
                            props.onChange(
                              withInput(prompt, node, name, Number((e.target as HTMLInputElement).value)),
                            )
                          }
                        />
                      </>
                    )}
                  </div>
                );
              })}
            </li>
          );
        })}
      </ol>
    </section>
  );
}
