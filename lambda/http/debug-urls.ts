/** What the envelope's debug links are built from: the Lambda runtime's own environment. */
export interface LambdaRuntimeInfo {
  region: string;
  /** Lambda's URL suffix; a `.cn` suffix selects the China console domain. */
  urlSuffix: string;
  functionName: string;
  logGroupName: string;
  logStreamName: string;
  /** `_X_AMZN_TRACE_ID` of the current invocation (it changes per invocation). */
  traceHeader: string;
}

export interface DebugUrls {
  function_url: string;
  log_url: string;
  trace_url: string;
}

/** The `Root=` value of an X-Ray trace header, e.g. `1-66094ccd-59bee192247987145ec3f20e`. */
export function traceIdOf(traceHeader: string): string {
  const first = traceHeader.split(';')[0] ?? '';
  const equals = first.indexOf('=');
  return equals === -1 ? '' : first.slice(equals + 1);
}

/**
 * ESD's three console links (esd-executes-api.md §3.1), log group and stream single
 * percent-encoded as ESD and the seed do. Always strings: ESD's `null` trace_url broke clients.
 */
export function buildDebugUrls(info: LambdaRuntimeInfo): DebugUrls {
  const host = info.urlSuffix.endsWith('.cn')
    ? `${info.region}.console.amazonaws.cn`
    : `${info.region}.console.aws.amazon.com`;
  const base = `https://${host}`;
  const region = `region=${info.region}`;
  return {
    function_url: `${base}/lambda/home?${region}#/functions/${info.functionName}`,
    log_url: `${base}/cloudwatch/home?${region}#logsV2:log-groups/log-group/${encodeURIComponent(info.logGroupName)}/log-events/${encodeURIComponent(info.logStreamName)}`,
    trace_url: `${base}/cloudwatch/home?${region}#xray:traces/${traceIdOf(info.traceHeader)}`,
  };
}
