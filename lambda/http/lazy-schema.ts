/**
 * A schema built on its first call and kept. Wrapped as `/* @__PURE__ *\/ lazySchema(...)`, a
 * schema no code of a function calls is dropped from its bundle, and one it calls is built when a
 * request first needs it, not while the function's modules load (the cold start).
 */
export function lazySchema<T>(build: () => T): () => T {
  let schema: T | undefined;
  return () => {
    schema ??= build();
    return schema;
  };
}
