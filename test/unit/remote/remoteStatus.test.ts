import assert from "node:assert/strict";
import { presentRemoteStatus, statusAfterFailure } from "../../../extension/src/core/remote/remoteStatus";

describe("remote server status presentation", function () {
  it("names the model a reachable server serves, and the server in the tooltip", function () {
    const shown = presentRemoteStatus({
      phase: "reachable",
      serverName: "llama-server at http://10.0.0.5:8080",
      model: "qwen2.5-coder-7b",
    });
    assert.equal(shown.text, "$(cloud) qwen2.5-coder-7b");
    assert.match(shown.tooltip, /^llama-server at http:\/\/10\.0\.0\.5:8080 serves qwen2\.5-coder-7b\./);
    assert.equal(shown.isError, false);
  });

  it("shows only the file name of a model the server names by its path", function () {
    const shown = presentRemoteStatus({
      phase: "reachable",
      serverName: "llama-server at http://127.0.0.1:8080",
      model: "/srv/models/qwen2.5-coder-7b-q8_0.gguf",
    });
    assert.equal(shown.text, "$(cloud) qwen2.5-coder-7b-q8_0.gguf");
    assert.match(shown.tooltip, /serves \/srv\/models\/qwen2\.5-coder-7b-q8_0\.gguf\./);
  });

  it("flags an unreachable server with the reason", function () {
    const shown = presentRemoteStatus({
      phase: "unreachable",
      serverName: "Ollama at http://127.0.0.1:11434",
      message: "Connection refused by Ollama at http://127.0.0.1:11434.",
    });
    assert.equal(shown.text, "$(cloud-offline) Llama Assist: server unreachable");
    assert.match(shown.tooltip, /^Connection refused by Ollama/);
    assert.equal(shown.isError, true);
  });

  it("flags settings that cannot work", function () {
    const shown = presentRemoteStatus({
      phase: "misconfigured",
      message: "Llama Assist does not send code over plain http to gpu:8080",
    });
    assert.equal(shown.isError, true);
    assert.match(shown.tooltip, /plain http/);
  });

  it("marks the server unreachable after a refused or timed-out connection, and keeps the status after other failures", function () {
    const server = "llama-server at http://10.0.0.5:8080";
    assert.deepEqual(statusAfterFailure(server, "connectionRefused", "refused"), {
      phase: "unreachable",
      serverName: server,
      message: "refused",
    });
    assert.deepEqual(statusAfterFailure(server, "timeout", "slow"), {
      phase: "unreachable",
      serverName: server,
      message: "slow",
    });
    for (const code of ["unauthorized", "serverError", "rateLimited", "cancelled", "malformedResponse"] as const) {
      assert.equal(statusAfterFailure(server, code, code), undefined);
    }
  });
});
