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
export type { FollowOptions } from './follow';
export { OPERATIONS, type OperationId, type OperationTypes } from './generated/api-types';
export type { DebugLinks, RetryOptions } from './http';
export { type OutputFile, outputFiles } from './outputs';
export { findNode, PromptEditError, parseSetValue, setInput } from './prompt-edits';
export {
  isUiWorkflow,
  type PromptSource,
  PromptSourceError,
  type ResolvedPrompt,
  resolvePromptSource,
} from './prompt-source';
export type { RunOptions } from './run';
export type { FileData } from './transfers';
export * from './types';
