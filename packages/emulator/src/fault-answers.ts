/**
 * The answers of the fault kinds that answer without processing: server errors (500 and 503
 * in PX's JSON, 502 as a proxy's HTML page), throttles (PX's 429) and the HTML pages of a
 * gateway in front of the API (nginx's wording), also used for `noRouteHtml`'s 404.
 */
import { type Answer, pxError } from './http-error.js';

const BAD_GATEWAY_PAGE =
  '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n';

export function serverError(status: number): Answer {
  if (status === 502) return { status, raw: { text: BAD_GATEWAY_PAGE, contentType: 'text/html' } };
  if (status === 503) return pxError(503, 'Service temporarily unavailable');
  return pxError(500, 'Internal server error');
}

const TITLES = {
  403: '403 Forbidden',
  404: '404 Not Found',
  504: '504 Gateway Time-out',
} as const;

/** A gateway's own error page, `text/html`, e.g. `<title>504 Gateway Time-out</title>`. */
export function gatewayPage(status: keyof typeof TITLES): Answer {
  const title = TITLES[status];
  const text = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`;
  return { status, raw: { text, contentType: 'text/html' } };
}

/** The throttle's 429: the limiter's own answer, with `Retry-After` unless `retryAfterSec` is undefined. */
export function throttled(retryAfterSec: number | undefined): Answer {
  const answer = pxError(429, 'Rate limit exceeded');
  if (retryAfterSec !== undefined) answer.headers = { 'retry-after': String(retryAfterSec) };
  return answer;
}
