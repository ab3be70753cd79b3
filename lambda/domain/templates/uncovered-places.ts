import { uploadKind } from '../inputs/file-inputs';
import { modelFolderOf } from '../models/model-inputs';
import type { PromptGraph } from '../prompt-graph';
import { comboOptions, inputSpecOf, type NodeCatalog } from '../workflow/node-catalog';
import type { TypedParameter } from './typed-parameters';

/**
 * What a run of this template will be refused for unless the caller's side changes it, at places
 * no parameter reaches: a loader's model the endpoint does not list (the model library may still
 * hold it) and a file its input folder does not hold. Said when the template is saved, so the
 * first run is not where it is learnt.
 */
export function uncoveredPlaceWarnings(
  graph: PromptGraph,
  catalog: NodeCatalog,
  parameters: readonly TypedParameter[],
): string[] {
  const covered = new Set(
    parameters.flatMap((p) => p.places.map((place) => `${place.node}\u0000${place.input}`)),
  );
  const warnings: string[] = [];
  for (const [nodeId, node] of Object.entries(graph))
    for (const [input, value] of Object.entries(node.inputs)) {
      if (typeof value !== 'string' || covered.has(`${nodeId}\u0000${input}`)) continue;
      const spec = inputSpecOf(catalog, node.class_type, input);
      const listed = comboOptions(spec);
      if (!listed || listed.includes(value)) continue;
      const where = `node ${nodeId} (${node.class_type}) ${input} '${value}'`;
      if (uploadKind(spec))
        warnings.push(
          `${where} is not in the endpoint's input folder, and no parameter sets it: every run will be refused`,
        );
      else if (modelFolderOf(node.class_type, input))
        warnings.push(
          `${where} is not on the endpoint, and no parameter sets it: runs need it in the model library`,
        );
    }
  return warnings;
}
