// The structural GGUF check must agree with llama.cpp: what it accepts loads in the real host with the same
// architecture and FIM support, and what it rejects as truncated the host cannot load either.
import assert from "node:assert/strict";
import { checkGgufFile } from "../../extension/src/node/models/ggufCheck";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import { createTestHost, hostConfig, llama2TinyRandomModel } from "../fixtures/hostHarness";
import { ensureScriptedModel, ensureTruncatedModel } from "../fixtures/scriptedModel";

describe("structural GGUF check against the real host", function () {
  const accepted: [string, () => string][] = [
    ["the scripted model with FIM tokens", () => ensureScriptedModel("standard")],
    ["the scripted model without FIM tokens", () => ensureScriptedModel("noFim")],
    ["the third-party llama-2 tiny model", () => llama2TinyRandomModel],
  ];
  for (const [what, file] of accepted) {
    it(`accepts ${what}, and the host loads it with the same architecture and FIM support`, async function () {
      const check = await checkGgufFile(file());
      assert.ok(check.ok, JSON.stringify(check));
      const { client } = createTestHost(hostConfig(file()));
      try {
        const info = await client.start();
        assert.equal(check.summary.architecture, info.completionModel.architecture);
        assert.equal(check.summary.fillInTheMiddle, info.completionModel.fillInTheMiddle);
        assert.equal(check.summary.fileBytes, info.completionModel.sizeBytes);
      } finally {
        await client.dispose();
      }
    });
  }

  it("rejects a truncated file that the host cannot load either", async function () {
    const check = await checkGgufFile(ensureTruncatedModel());
    assert.equal(!check.ok && check.problem, "truncated");
    const { client } = createTestHost(hostConfig(ensureTruncatedModel()));
    try {
      await assert.rejects(
        client.start(),
        (error: unknown) => error instanceof HostRequestError && error.code === "corruptModel",
      );
    } finally {
      await client.dispose();
    }
  });
});
