import { useState } from 'preact/hooks';

/** Asks for the API key once per tab; says so plainly when the last one was refused. */
export function KeyScreen(props: { refused: boolean; onKey(key: string): void }) {
  const [key, setKey] = useState('');
  return (
    <main class="narrow">
      <h1>comfy-exec console</h1>
      {props.refused && (
        <p role="alert" class="error">
          That API key was refused (401/403). Check it and enter it again.
        </p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (key.trim()) props.onKey(key.trim());
        }}
      >
        <label for="api-key">API key</label>
        <input
          id="api-key"
          type="password"
          autocomplete="off"
          value={key}
          onInput={(event) => setKey((event.target as HTMLInputElement).value)}
        />
        <p class="hint">Kept in this tab only (sessionStorage); sent to the API and nowhere else.</p>
        <button type="submit">Open</button>
      </form>
    </main>
  );
}
