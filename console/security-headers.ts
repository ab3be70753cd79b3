/**
 * The console's security headers, the same locally (`npm start`) and deployed (CloudFront's
 * response headers policy): scripts and styles from the console's own origin only (no inline
 * script can run), the API and output files wherever they live, no framing, no referrer.
 */
export function consoleSecurityHeaders(sources: { api: string; files: string }): Record<string, string> {
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src 'self' data: blob: ${sources.files}`,
    `media-src 'self' blob: ${sources.files}`,
    // The API, and S3's presigned URLs the console uploads input files to.
    `connect-src 'self' ${sources.api} ${sources.files}`,
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
}
