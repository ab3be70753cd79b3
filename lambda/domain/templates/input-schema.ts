import { exactBound } from '../workflow/number-inputs';
import type { ParameterType } from './parameter-types';
import { placeText } from './template';
import type { TypedParameter } from './typed-parameters';

export type JsonSchema = Record<string, unknown>;

const FILE_NOTE = "an uploaded input's name (POST /inputs), a data: URL or an https:// URL";

/** An integer bound as ComfyUI means it (0xffffffffffffffff, not the double 2^64 JSON gave us). */
const integerBound = (bound: number | bigint | undefined) => {
  const exact = exactBound(bound);
  return exact === undefined ? undefined : Number.isSafeInteger(Number(exact)) ? Number(exact) : exact;
};

function typeSchema(type: ParameterType): JsonSchema {
  switch (type.type) {
    case 'integer': {
      const minimum = integerBound(type.minimum);
      const maximum = integerBound(type.maximum);
      return {
        type: 'integer',
        ...(minimum !== undefined ? { minimum } : {}),
        ...(maximum !== undefined ? { maximum } : {}),
        // ComfyUI's step is the editor's increment, not a check the server makes: a hint here too.
        ...(type.step !== undefined ? { 'x-step': type.step } : {}),
      };
    }
    case 'number':
      return {
        type: 'number',
        ...(type.minimum !== undefined ? { minimum: type.minimum } : {}),
        ...(type.maximum !== undefined ? { maximum: type.maximum } : {}),
        ...(type.step !== undefined ? { 'x-step': type.step } : {}),
      };
    case 'string':
      return { type: 'string', ...(type.multiline ? { 'x-multiline': true } : {}) };
    case 'boolean':
      return { type: 'boolean' };
    case 'choice':
      // A loader's model may also come from the library, so its list is the endpoint's, not a limit.
      return type.modelFolder
        ? { type: 'string', examples: type.choices, 'x-model-folder': type.modelFolder }
        : { enum: type.choices };
    case 'file':
      return { type: 'string', 'x-file': type.kind };
  }
}

function describe(parameter: TypedParameter): string | undefined {
  const parts = [
    parameter.description,
    parameter.type.type === 'file' ? `${parameter.type.kind} file: ${FILE_NOTE}` : undefined,
    parameter.type.type === 'choice' && parameter.type.modelFolder
      ? `a model the endpoint lists, or one in the library's ${parameter.type.modelFolder} folder`
      : undefined,
  ].filter((part): part is string => Boolean(part));
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * The template's parameters as a JSON Schema (2020-12) object: what a client needs to build a
 * form or a typed call. `x-places` says where each value goes; `x-step`, `x-multiline`, `x-file`
 * and `x-model-folder` carry the editor's hints, which no validator needs.
 */
export function inputJsonSchema(parameters: readonly TypedParameter[]): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  for (const parameter of parameters) {
    const description = describe(parameter);
    properties[parameter.name] = {
      ...typeSchema(parameter.type),
      ...(description ? { description } : {}),
      ...(parameter.default !== undefined ? { default: parameter.default } : {}),
      'x-places': parameter.places.map(placeText),
    };
    if (parameter.default === undefined) required.push(parameter.name);
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties,
    required,
    additionalProperties: false,
  };
}
