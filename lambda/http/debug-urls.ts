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
  /**
   * DEBUG_LOG_URL: where the functions' logs are when they are not in CloudWatch (the local stack
   * sets it to its log file): the links then point there, never at a console of an account that
   * holds nothing of this run. Absent when deployed.
   */
  debugLogUrl?: string;
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

/** The AWS console's origin for the region; a `.cn` URL suffix selects the China console. */
function consoleBase(info: Pick<LambdaRuntimeInfo, 'region' | 'urlSuffix'>): string {
  return info.urlSuffix.endsWith('.cn')
    ? `https://${info.region}.console.amazonaws.cn`
    : `https://${info.region}.console.aws.amazon.com`;
}

/** A CloudWatch log group in the console (the group's name single percent-encoded, as ESD's links). */
export function logGroupUrl(info: Pick<LambdaRuntimeInfo, 'region' | 'urlSuffix'>, logGroupName: string) {
  return `${consoleBase(info)}/cloudwatch/home?region=${info.region}#logsV2:log-groups/log-group/${encodeURIComponent(logGroupName)}`;
}

/**
 * ESD's three console links (esd-executes-api.md §3.1), log group and stream single
 * percent-encoded as ESD and the seed do. Always strings: ESD's `null` trace_url broke clients.
 */
export function buildDebugUrls(info: LambdaRuntimeInfo): DebugUrls {
  if (info.debugLogUrl) return localDebugUrls(info.debugLogUrl, info);
  const base = consoleBase(info);
  const region = `region=${info.region}`;
  return {
    function_url: `${base}/lambda/home?${region}#/functions/${info.functionName}`,
    log_url: `${logGroupUrl(info, info.logGroupName)}/log-events/${encodeURIComponent(info.logStreamName)}`,
    trace_url: `${base}/cloudwatch/home?${region}#xray:traces/${traceIdOf(info.traceHeader)}`,
  };
}

/**
 * The same three keys (ESD clients read them) for functions that run on this machine: each says
 * `local` and points at the log that holds the invocation's lines, with the function name or the
 * trace id to search for (every JSON log line carries `function_name` and `xray_trace_id`).
 */
function localDebugUrls(logUrl: string, info: LambdaRuntimeInfo): DebugUrls {
  return {
    function_url: `${logUrl}#local-function=${encodeURIComponent(info.functionName)}`,
    log_url: `${logUrl}#local-log`,
    trace_url: `${logUrl}#local-trace=${traceIdOf(info.traceHeader)}`,
  };
}
