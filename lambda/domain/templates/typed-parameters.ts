import { RequestValidationError } from '../errors';
import type { PromptGraph } from '../prompt-graph';
import { inputSpecOf, type NodeCatalog, optionsOf } from '../workflow/node-catalog';
import { commonType, describeType, type ParameterType, typeOfPlace } from './parameter-types';
import { valueProblem } from './parameter-values';
import {
  MAX_PARAMETERS,
  MAX_PLACES_PER_PARAMETER,
  PARAMETER_NAME_PATTERN,
  type ParameterDeclarations,
  type Place,
  placeSplits,
} from './template';

/** A parameter with its places resolved and its type, range and choices from the catalog. */
export interface TypedParameter {
  name: string;
  places: Place[];
  type: ParameterType;
  description?: string;
  /** The declared default, else the value saved at the first place, else the catalog's default. */
  default?: unknown;
  /** True when the template declares a default (a run without the parameter sets it). */
  declaredDefault: boolean;
}

const refuse = (message: string): never => {
  throw new RequestValidationError(message);
};

/** A place as the prompt has it: the split whose node holds that input, else whose node exists, else the first. */
function placeIn(graph: PromptGraph, catalog: NodeCatalog, text: string): Place | undefined {
  const splits = placeSplits(text);
  const exists = (place: Place) => Object.hasOwn(graph, place.node);
  const holds = (place: Place) =>
    exists(place) &&
    (Object.hasOwn(graph[place.node]!.inputs, place.input) ||
      inputSpecOf(catalog, graph[place.node]!.class_type, place.input) !== undefined);
  return splits.find(holds) ?? splits.find(exists) ?? splits[0];
}

function placesOf(name: string, texts: readonly string[], graph: PromptGraph, catalog: NodeCatalog): Place[] {
  if (texts.length === 0) refuse(`parameter '${name}': places must name at least one node_id.input`);
  if (texts.length > MAX_PLACES_PER_PARAMETER)
    refuse(`parameter '${name}': at most ${MAX_PLACES_PER_PARAMETER} places`);
  return texts.map(
    (text) =>
      placeIn(graph, catalog, text) ??
      refuse(`parameter '${name}': place '${text}' is not node_id.input (for example "6.text")`),
  );
}

/** The value saved at a place, or the catalog's default for it; undefined for neither. */
function savedValue(graph: PromptGraph, catalog: NodeCatalog, place: Place): unknown {
  const node = graph[place.node]!;
  if (Object.hasOwn(node.inputs, place.input)) return node.inputs[place.input];
  return optionsOf(inputSpecOf(catalog, node.class_type, place.input)).default;
}

/**
 * The declared parameters typed against the prompt and the endpoint's catalog. A place the prompt
 * does not have, a linked input, places of different types or a default the type refuses is a
 * RequestValidationError naming the parameter.
 */
export function typedParameters(
  declarations: ParameterDeclarations,
  graph: PromptGraph,
  catalog: NodeCatalog,
): TypedParameter[] {
  const names = Object.keys(declarations);
  if (names.length > MAX_PARAMETERS) refuse(`inputs: at most ${MAX_PARAMETERS} parameters`);
  const claimed = new Map<string, string>();
  return names.map((name) => {
    if (!PARAMETER_NAME_PATTERN.test(name))
      refuse(`parameter '${name}': names are letters, digits and _ (not first a digit), at most 64`);
    const declaration = declarations[name]!;
    const places = placesOf(name, declaration.places, graph, catalog);
    let type: ParameterType | undefined;
    for (const place of places) {
      const key = `${place.node}.${place.input}`;
      const owner = claimed.get(key);
      if (owner !== undefined) refuse(`parameter '${name}': place '${key}' is already parameter '${owner}'s`);
      claimed.set(key, name);
      const found = typeOfPlace(graph, catalog, place);
      if (typeof found === 'string') return refuse(`parameter '${name}': place ${found}`);
      const joined: ParameterType | undefined = type === undefined ? found : commonType(type, found);
      if (!joined)
        refuse(
          `parameter '${name}': place '${key}' takes ${describeType(found)} and an earlier place ${describeType(type!)}${found.type === type!.type ? ' with nothing in common' : ''}; one parameter sets one value`,
        );
      type = joined;
    }
    const declaredDefault = Object.hasOwn(declaration, 'default') && declaration.default !== undefined;
    if (declaredDefault) {
      const problem = valueProblem(type!, declaration.default);
      if (problem) refuse(`parameter '${name}': default ${problem}`);
    }
    // A saved value the run would refuse is no default (the example image of whoever exported
    // the workflow, a number saved as text): the parameter is required instead.
    const saved = savedValue(graph, catalog, places[0]!);
    // A loader's model is a default only when the endpoint lists it (the library is the run's to check).
    const listed =
      type!.type === 'file'
        ? (type!.listed?.includes(saved) ?? false)
        : type!.type !== 'choice' || type!.choices.includes(saved);
    const fallback = listed && valueProblem(type!, saved) === undefined ? saved : undefined;
    const value = declaredDefault ? declaration.default : fallback;
    return {
      name,
      places,
      type: type!,
      ...(declaration.description !== undefined ? { description: declaration.description } : {}),
      ...(value !== undefined ? { default: value } : {}),
      declaredDefault,
    };
  });
}
