import assert from "node:assert/strict";
import { type HostRequestError } from "../../../extension/src/core/protocol/backend";
import { joinPath, retryAfterMs } from "../../../extension/src/node/http/httpTransport";
import {
  type FailedRequest,
  httpStatusError,
  networkError,
  serverErrorText,
  streamedError,
} from "../../../extension/src/core/remote/remoteErrors";

const request: FailedRequest = {
  server: "Ollama at http://gpu-box:11434",
  path: "/api/generate",
  model: "qwen2.5-coder:1.5b",
  hadApiKey: true,
};

function codeOf(error: HostRequestError): string {
  return error.code;
}

describe("remote error mapping", function () {
  it("maps HTTP statuses to specific codes that name the server", function () {
    const cases: [number, string, string][] = [
      [401, '{"error":{"message":"Invalid API Key","type":"authentication_error"}}', "unauthorized"],
      [403, "Forbidden", "unauthorized"],
      [404, '{"error":"model \\"qwen2.5-coder:1.5b\\" not found, try pulling it first"}', "modelNotFound"],
      [429, '{"error":{"message":"Too many requests"}}', "rateLimited"],
      [500, '{"error":{"code":500,"message":"slot crashed","type":"server_error"}}', "serverError"],
      [503, "<html><body><h1>503 Service Unavailable</h1></body></html>", "serverError"],
      [400, '{"error":{"message":"missing field prompt"}}', "badRequest"],
    ];
    for (const [status, body, code] of cases) {
      const error = httpStatusError(request, status, body);
      assert.equal(codeOf(error), code, `HTTP ${status}`);
      assert.ok(error.message.includes("Ollama at http://gpu-box:11434"), error.message);
    }
  });

  it("says which model a 404 is about and whether a key was sent", function () {
    assert.match(httpStatusError(request, 404, "").message, /model "qwen2\.5-coder:1\.5b"/);
    assert.match(httpStatusError({ ...request, model: "" }, 404, "").message, /the server's default model/);
    assert.match(httpStatusError(request, 401, "").message, /rejected the API key/);
    assert.match(httpStatusError({ ...request, hadApiKey: false }, 401, "").message, /needs an API key/);
  });

  it("recognizes context overflows of llama-server, OpenAI/vLLM and Ollama", function () {
    const bodies = [
      '{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"exceed_context_size_error"}}',
      '{"error":{"message":"This model\'s maximum context length is 2048 tokens.","code":"context_length_exceeded"}}',
      '{"object":"error","message":"This model\'s maximum context length is 4096 tokens. However, you requested 5000 tokens","type":"BadRequestError","code":400}',
      '{"error":"input length exceeds the context length"}',
    ];
    bodies.push(
      '{"error":{"code":400,"message":"input (5000 tokens) is larger than the max context size (4096 tokens). skipping","type":"invalid_request_error"}}',
    );
    for (const body of bodies) assert.equal(codeOf(httpStatusError(request, 400, body)), "contextExceeded", body);
    assert.equal(
      codeOf(streamedError(request.server, '{"code":400,"message":"the request exceeds the available context size"}')),
      "contextExceeded",
    );
  });

  it("maps a model without fill-in-the-middle", function () {
    assert.equal(
      codeOf(httpStatusError(request, 501, '{"error":{"message":"Infill is not supported by this model"}}')),
      "noFillInTheMiddle",
    );
    assert.equal(
      codeOf(
        httpStatusError(request, 400, '{"error":"registry.ollama.ai/library/llama3:latest does not support insert"}'),
      ),
      "noFillInTheMiddle",
    );
  });

  it("maps socket errors", function () {
    const errno = (code: string): NodeJS.ErrnoException => Object.assign(new Error(code), { code });
    assert.equal(codeOf(networkError(request, errno("ECONNREFUSED"))), "connectionRefused");
    assert.equal(codeOf(networkError(request, errno("ENOTFOUND"))), "connectionRefused");
    assert.equal(codeOf(networkError(request, errno("ETIMEDOUT"))), "timeout");
    assert.equal(codeOf(networkError(request, errno("SELF_SIGNED_CERT_IN_CHAIN"))), "untrustedCertificate");
    assert.equal(codeOf(networkError(request, errno("ECONNRESET"))), "serverError");
  });

  it("extracts the message from the error bodies servers send", function () {
    assert.equal(serverErrorText('{"error":{"message":"bad key"}}'), "bad key");
    assert.equal(serverErrorText('{"error":"no such model"}'), "no such model");
    assert.equal(serverErrorText('{"detail":"Not Found"}'), "Not Found");
    assert.equal(serverErrorText("<h1>Bad Gateway</h1>"), "Bad Gateway");
  });
});

describe("remote URLs and Retry-After", function () {
  it("joins a base path with and without /v1", function () {
    assert.equal(joinPath("/", "/v1/completions"), "/v1/completions");
    assert.equal(joinPath("/v1/", "/v1/completions"), "/v1/completions");
    assert.equal(joinPath("/proxy/ollama", "/api/chat"), "/proxy/ollama/api/chat");
  });

  it("reads Retry-After in seconds and as a date", function () {
    assert.equal(retryAfterMs("2"), 2000);
    assert.equal(retryAfterMs("Fri, 27 Nov 2026 17:00:05 GMT", Date.parse("Fri, 27 Nov 2026 17:00:00 GMT")), 5000);
    assert.equal(retryAfterMs(undefined), undefined);
    assert.equal(retryAfterMs("soon"), undefined);
  });
});
