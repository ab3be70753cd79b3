// Stands in for `@aws-sdk/lib-dynamodb` in Lambda bundles: its index, minus the paginators. The
// package declares no `sideEffects: false`, and its paginators are built by calls at module level
// (`createPaginator(DynamoDBDocumentClient, QueryCommand, ...)`), so any import of it kept the
// document client, two commands and ~40 KB of client-dynamodb in every function, the ones that
// never touch DynamoDB too. We use no paginator; importing one fails the build ("No matching
// export"). test/infra/lambda-bundle.test.ts checks that this still exports all the rest.
// Paths, not the package name: the alias in lambda-bundle.ts would send those back here.

export { NumberValueImpl as NumberValue } from '@aws-sdk/util-dynamodb';
export * from '../../node_modules/@aws-sdk/lib-dynamodb/dist-es/commands/index.js';
export * from '../../node_modules/@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocument.js';
export * from '../../node_modules/@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocumentClient.js';
