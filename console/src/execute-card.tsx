import type { ComfyExecClient, ExecuteSummary } from '@comfy-exec/client';
import { firstFile, OutputMedia, textOutputs } from './outputs';
import { type PromptGraph, promptLine } from './prompt-summary';
import { duration, shortTime } from './times';
import { useExecutePrompt } from './use-execute-prompt';

/** Where a running execute is: percent, and the node (its class when the prompt is known) or stage. */
export function progressText(execute: Pick<ExecuteSummary, 'progress'>, prompt?: PromptGraph): string {
  const progress = execute.progress;
  if (!progress) return 'starting';
  const where = progress.stage
    ? progress.stage
    : progress.node
      ? `node #${progress.node}${prompt?.[progress.node]?.class_type ? ` ${prompt[progress.node]!.class_type}` : ''}`
      : '';
  return [`${Math.round(progress.percent)}%`, where].filter(Boolean).join(' · ');
}

/** Why it ended without outputs: the record's message, else its status in words. */
const reason = (execute: ExecuteSummary) =>
  execute.message || (execute.status === 'cancelled' ? 'Cancelled' : 'Failed with no message');

/** What the card's picture area shows: the first output, else text, else why or where it is. */
function CardMedia(props: { execute: ExecuteSummary; prompt?: PromptGraph }) {
  const { execute } = props;
  const file = firstFile(execute as never);
  if (file) return <OutputMedia file={file} thumbnail />;
  const text = textOutputs(execute as never)[0]?.text;
  if (text !== undefined) return <p class="card-text">{text}</p>;
  if (execute.status === 'failed' || execute.status === 'cancelled')
    return <p class={`card-reason ${execute.status}`}>{reason(execute)}</p>;
  if (execute.status === 'running') return <p class="card-progress">{progressText(execute, props.prompt)}</p>;
  if (execute.status === 'created') return <p class="card-progress">Queued</p>;
  return <span class="placeholder" />;
}

/**
 * One execute as a card: its first output (or why it has none, or where it is while running),
 * a line of its prompt, when it was created, how long it ran, its endpoint; its id on hover.
 */
export function ExecuteCard(props: { client: ComfyExecClient; execute: ExecuteSummary }) {
  const { execute } = props;
  const prompt = useExecutePrompt(props.client, execute.prompt_id);
  const line = promptLine(prompt);
  const percent = execute.progress?.percent;
  return (
    <li class="card" data-status={execute.status}>
      <a
        href={`#/executes/${execute.prompt_id}`}
        title={execute.prompt_id}
        aria-label={`execute ${execute.prompt_id}, ${execute.status}`}
      >
        <div class="media">
          <CardMedia execute={execute} prompt={prompt} />
        </div>
        {line && <p class="prompt-line">{line}</p>}
        <div class="meta">
          <span class={`status ${execute.status}`}>{execute.status}</span>
          <time dateTime={execute.create_time}>{shortTime(execute.create_time)}</time>
          <span>{duration(execute.start_time, execute.complete_time)}</span>
          <span class="endpoint">{execute.endpoint_name}</span>
        </div>
      </a>
      {execute.status === 'running' && (
        <progress max={100} value={percent ?? 0} aria-label="progress">
          {percent ?? 0}%
        </progress>
      )}
    </li>
  );
}
