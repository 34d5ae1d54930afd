import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What a route answers; server.ts turns it into bytes (and may break it on purpose, see faults.ts). */
export interface Reply {
  status: number;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

export const json = (status: number, value: unknown): Reply => ({
  status,
  body: JSON.stringify(value),
  contentType: JSON_TYPE,
});

/** RFC 7807 ProblemDetails as ASP.NET writes them (type/title/status/traceId, optional `errors` map). */
export function problem(status: number, title: string, detail?: string, errors?: Record<string, string[]>): Reply {
  const TITLES: Record<number, string> = {
    400: 'One or more validation errors occurred.',
    404: 'Not Found',
    409: 'Conflict',
  };
  return {
    status,
    contentType: PROBLEM_TYPE,
    body: JSON.stringify({
      type: `https://tools.ietf.org/html/rfc9110#section-15.5.${status === 404 ? 5 : status === 409 ? 10 : 1}`,
      title: TITLES[status] ?? title,
      status,
      ...(detail ? { detail } : {}),
      ...(errors ? { errors } : {}),
      traceId: `00-${randomUUID().replaceAll('-', '')}-00`,
    }),
  };
}

export const empty = (status: number): Reply => ({ status });

export function send(res: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | number> = { ...reply.headers };
  if (reply.body !== undefined) {
    headers['Content-Type'] = reply.contentType ?? JSON_TYPE;
    headers['Content-Length'] = Buffer.byteLength(reply.body);
  } else if (reply.status !== 204) {
    headers['Content-Length'] = 0;
  }
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** Reads a request body (max 1 MB). Returns undefined for an empty body. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > 1_000_000) throw new Error('body too large');
    chunks.push(buf);
  }
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

export class BadBody extends Error {}

/** Parses a JSON body or throws BadBody (answered as a 400 ProblemDetails by the caller). */
export function parseJsonBody(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadBody('The request body is not valid JSON.');
  }
}

export function lowerQuery(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) out[k.toLowerCase()] = v;
  return out;
}
