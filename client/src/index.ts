export { type ClientOptions, ComfyExecClient, type Page, type PageOptions } from './client';
export {
  type EmbeddedWorkflow,
  readEmbeddedWorkflow,
  type SavedFileFormat,
  savedFileFormat,
} from './embedded/embedded-workflow';
export {
  ApiError,
  type ComfyError,
  ComfyExecError,
  ExecuteFailedError,
  NetworkError,
  type NodeErrors,
  PromptValidationError,
} from './errors';
export { exactJsonText, parseExactJson } from './exact-json';
export {
  type FileInput,
  fileInputsOf,
  isFileInput,
  type Placement,
  placeInput,
  replaceFileName,
  usesFileName,
} from './file-inputs';
export type { FollowOptions } from './follow';
export { OPERATIONS, type OperationId, type OperationTypes } from './generated/api-types';
export type { DebugLinks, RetryOptions } from './http';
export { formatLogLine, type LogLine } from './log-lines';
export {
  type ModelDetails,
  ModelImportFailedError,
  type ModelImportOptions,
  type ModelImportRequest,
} from './model-import';
export { type OutputFile, type OutputText, outputFiles, outputTexts } from './outputs';
export { findNode, type NodeInfo, PromptEditError, parseSetValue, setInput } from './prompt-edits';
export {
  isUiWorkflow,
  type PromptSource,
  PromptSourceError,
  type ResolvedPrompt,
  resolvePromptSource,
} from './prompt-source';
export type { PreparedRun, RunOptions } from './run';
export { applySets, prepareRun } from './run';
export {
  type InputSchema,
  type ParameterSchema,
  parameterProblem,
  templateInputProblems,
} from './template-inputs';
export {
  type Template,
  type TemplateChange,
  TemplateInputError,
  type TemplateRow,
  type TemplateRunOptions,
  type TemplateSaveRequest,
  Templates,
} from './templates';
export type { FileData } from './transfers';
export * from './types';
