/** Hostile requests that are not about one field: bodies that are not JSON objects, any method on any path, other content types. */
import fc from "fast-check";
import { type HttpCase, MAX_RETRIEVE_BYTES, MAX_STORE_BYTES, sealedEnvelope } from "./fuzz-http-cases";

const ENDPOINTS = ["/v1/store", "/v1/retrieve"];

/** Bodies that are not a JSON object at all, to both POST endpoints: always 400 (or 413 when too long). */
export const notAnObject: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom(...ENDPOINTS),
    fc.oneof(
      fc
        .jsonValue({ maxDepth: 3 })
        .filter((v) => typeof v !== "object" || v === null || Array.isArray(v))
        .map((v) => JSON.stringify(v)),
      fc.constantFrom("", " ", "{", '{"v":1', "{'v':1}", "nul", "\uFEFF{}", "NaN", "[1,]", '{"a":1}{"b":2}'),
      fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Uint8Array.from([0xff, ...bytes])),
    ),
  )
  .map(([path, body]) => {
    const size = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    const limit = path === "/v1/store" ? MAX_STORE_BYTES : MAX_RETRIEVE_BYTES;
    return {
      what: "not a JSON object",
      method: "POST",
      path,
      contentType: "application/json",
      body,
      status: size > limit ? 413 : 400,
    };
  });

const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "PROPFIND", "X-WISP"];
const KNOWN: Record<string, string[]> = {
  "/v1/store": ["POST"],
  "/v1/retrieve": ["POST"],
  "/v1/health": ["GET"],
  "/v1/node": ["GET"],
  "/v1/peers": ["GET"],
  "/metrics": ["GET"],
};

/** Any method on known and unknown paths: 404 for no such endpoint, 405 for a wrong method. */
export const anyRoute: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom(...METHODS),
    fc.oneof(
      fc.constantFrom(
        ...Object.keys(KNOWN),
        "/",
        "/v1",
        "/v1/",
        "/v2/store",
        "/v1/store/",
        "/V1/STORE",
        "/v1/store/../node",
      ),
      fc.webPath().map((p) => (p.startsWith("/") ? p : `/${p}`)),
    ),
  )
  .map(([method, path]) => {
    const normalized = new URL(`http://node${path}`).pathname;
    const allowed = KNOWN[normalized];
    let status: number | null = 404;
    if (method === "OPTIONS") status = 204;
    else if (allowed && !allowed.includes(method)) status = 405;
    else if (allowed) status = null; // a GET route, or a POST without a body
    return { what: `${method} ${path}`, method, path, contentType: null, body: null, status };
  });

/** A valid envelope under a content type that is not JSON: the body decides, as for application/json. */
export const wrongContentType: fc.Arbitrary<HttpCase> = fc
  .tuple(
    fc.constantFrom(
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "",
      "application/json; charset=latin1",
    ),
    fc.boolean(),
  )
  .map(([contentType, valid]) => ({
    what: `content type ${JSON.stringify(contentType)}, ${valid ? "valid" : "malformed"} body`,
    method: "POST",
    path: "/v1/store",
    contentType,
    body: valid ? JSON.stringify(sealedEnvelope()) : "v=1&id=x",
    status: valid ? 201 : 400,
  }));
