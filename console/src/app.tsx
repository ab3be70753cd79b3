import type { ComfyExecClient } from '@comfy-exec/client';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { EndpointsPage } from './endpoints-page';
import { ExecutePage } from './execute-page';
import { Gallery } from './gallery';
import { KeyScreen } from './key-screen';
import { useRoute } from './route';
import { RunPage } from './run-page';
import { clientFor, forgetKey, isKeyRefused, loadApiUrl, storedKey, storeKey } from './session';
import { TemplatePage } from './template-page';
import { TemplatesPage } from './templates-page';
import { UsagePage } from './usage-page';

/** The console: a key first, then the gallery, an execute's page, Run, Templates, and Endpoints. */
export function App() {
  const route = useRoute();
  const [apiUrl, setApiUrl] = useState<string>();
  const [key, setKey] = useState(storedKey());
  const [refused, setRefused] = useState(false);
  const [failure, setFailure] = useState<string>();
  useEffect(() => {
    loadApiUrl().then(setApiUrl, (error: Error) => setFailure(error.message));
  }, []);
  const client = useMemo<ComfyExecClient | undefined>(
    () => (apiUrl && key ? clientFor(apiUrl, key) : undefined),
    [apiUrl, key],
  );
  const onError = (error: unknown) => {
    if (isKeyRefused(error)) {
      forgetKey();
      setKey(null);
      setRefused(true);
    } else setFailure((error as Error).message);
  };
  if (!client)
    return apiUrl || !failure ? (
      <KeyScreen
        refused={refused}
        onKey={(value) => {
          storeKey(value);
          setRefused(false);
          setKey(value);
        }}
      />
    ) : (
      <p role="alert">{failure}</p>
    );
  return (
    <>
      <header>
        <nav aria-label="pages">
          <a href="#/">Executes</a>
          <a href="#/run">Run</a>
          <a href="#/templates">Templates</a>
          <a href="#/endpoints">Endpoints</a>
          <a href="#/usage">Usage</a>
          <button
            type="button"
            class="link"
            onClick={() => {
              forgetKey();
              setKey(null);
            }}
          >
            Forget key
          </button>
        </nav>
      </header>
      {failure && (
        <p role="alert" class="error">
          {failure}{' '}
          <button type="button" class="link" onClick={() => setFailure(undefined)}>
            Dismiss
          </button>
        </p>
      )}
      {route.page === 'gallery' && <Gallery client={client} onError={onError} />}
      {route.page === 'execute' && <ExecutePage client={client} id={route.id} onError={onError} />}
      {route.page === 'run' && <RunPage client={client} onError={onError} />}
      {route.page === 'templates' && <TemplatesPage client={client} onError={onError} />}
      {route.page === 'template' && <TemplatePage client={client} name={route.name} onError={onError} />}
      {route.page === 'endpoints' && <EndpointsPage client={client} onError={onError} />}
      {route.page === 'usage' && <UsagePage client={client} onError={onError} />}
    </>
  );
}
