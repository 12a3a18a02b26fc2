/**
 * The web UI's peer check (DESIGN: anything listening on a port authenticates its peer with
 * a per-application secret). The secret travels in the address the application hands out
 * (`?token=`, as Jupyter does); a browser that opened that address once keeps it in a
 * cookie scoped to the UI's port, and API clients may send `Authorization: Bearer <token>`.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";

export function newAccessToken(): string {
  return randomBytes(18).toString("base64url");
}

/** Cookies ignore ports: two UIs on one host need distinct names. */
export function tokenCookieName(port: number): string {
  return `tspark_ui_token_${port}`;
}

function same(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The `token` of a request target's query; undefined when none or the target does not parse (`//[`). */
function queryToken(target: string): string | undefined {
  const q = target.indexOf("?");
  return q < 0 ? undefined : new URLSearchParams(target.slice(q + 1)).get("token") ?? undefined;
}

export interface TokenRequest {
  url: string;
  headers: { cookie?: string | undefined; authorization?: string | undefined };
}

/**
 * How a request proves it holds the token: "query" (set the cookie now), "cookie" or
 * "header"; undefined when it does not.
 */
export function presentedToken(req: TokenRequest, token: string, port: number): "query" | "cookie" | "header" | undefined {
  if (same(queryToken(req.url) ?? "", token)) return "query";
  const cookie = cookieValue(req.headers.cookie, tokenCookieName(port));
  if (cookie !== undefined && same(cookie, token)) return "cookie";
  const auth = req.headers.authorization;
  if (auth?.startsWith("Bearer ") && same(auth.slice(7).trim(), token)) return "header";
  return undefined;
}

/** The address to hand out: the UI's root with its token. */
export function accessUrl(base: string, token: string | undefined): string {
  return token === undefined ? base : `${base}/?token=${token}`;
}
