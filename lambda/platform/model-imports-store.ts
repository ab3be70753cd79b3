import { S3ModelImports } from '../adapters/s3-model-imports';
import { S3ModelLibrary } from '../adapters/s3-model-library';
import { s3Client } from './clients';
import { functionEnv } from './env';

/**
 * The imports' state and staged uploads on the payload bucket. Apart from the import composition
 * so that GET and DELETE /models/{folder}/{name}, which read (and end) an import, bundle no HTTP
 * source, SQS or Secrets Manager client.
 */
export const importsOf = (name: 'start-model-upload' | 'import-model' | 'list-models' | 'delete-model') => {
  const env = functionEnv(name);
  return new S3ModelImports(
    s3Client({ region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE }),
    env.BUCKET_NAME,
  );
};

/** The library as the import function sees it: whether a model of a name is there (HeadObject). */
export const importedModels = () => {
  const env = functionEnv('import-model');
  const s3 = s3Client({ region: env.AWS_REGION, s3ForcePathStyle: env.S3_FORCE_PATH_STYLE });
  return new S3ModelLibrary(s3, s3, env.BUCKET_NAME);
};
