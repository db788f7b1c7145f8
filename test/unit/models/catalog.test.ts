import assert from "node:assert/strict";
import { builtInCatalog, validateCatalog } from "../../../extension/src/core/models/catalog";
import catalogData from "../../../extension/src/core/models/catalog.json";

describe("model catalog", function () {
  it("the built-in catalog is valid and has the models the product promises", function () {
    assert.deepEqual(validateCatalog(catalogData), []);
    const ids = builtInCatalog().models.map((model) => model.id);
    for (const size of ["0.5b", "1.5b", "3b", "7b"])
      assert.ok(ids.includes(`qwen2.5-coder-${size}-q8_0`), `Qwen2.5-Coder ${size} base`);
    for (const size of ["1.5b", "3b", "7b"])
      assert.ok(ids.includes(`qwen2.5-coder-${size}-instruct-q4_k_m`), `Qwen2.5-Coder ${size} Instruct`);
    assert.ok(ids.includes("llama-3.1-8b-instruct-q4_k_m"));
    assert.ok(ids.includes("llama-3.2-3b-instruct-q4_k_m"));
    assert.ok(ids.includes("nomic-embed-text-v1.5-q8_0"), "an embedding model for workspace retrieval");
    assert.ok(
      ids.some((id) => /codellama|starcoder2/.test(id)),
      "a CodeLlama or StarCoder2 alternative",
    );
  });

  it("every completion model is a base or FIM-capable model and every chat model is an instruct model", function () {
    for (const model of builtInCatalog().models) {
      if (model.roles.includes("chat")) assert.match(model.name, /Instruct/, model.id);
      assert.match(model.url, /^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\//, model.id);
    }
  });

  const valid = structuredClone(catalogData);
  const broken: [string, (catalog: typeof valid) => void, RegExp][] = [
    ["a duplicate id", (catalog) => (catalog.models[1].id = catalog.models[0].id), /duplicate id/],
    [
      "an API-style URL",
      (catalog) => (catalog.models[0].url = "hf:ggml-org/Qwen2.5-Coder-0.5B-Q8_0-GGUF"),
      /resolve\/main/,
    ],
    [
      "a URL that names another file",
      (catalog) => (catalog.models[0].fileName = "other.gguf"),
      /url must end with fileName/,
    ],
    ["an unknown role", (catalog) => (catalog.models[0].roles = ["reranker"]), /roles/],
    ["a zero size", (catalog) => (catalog.models[0].sizeBytes = 0), /sizeBytes/],
    ["a missing licence", (catalog) => (catalog.models[0].licence = ""), /licence/],
    ["a role without a preference", (catalog) => (catalog.models[0].roles = ["completion", "chat"]), /preference/],
    ["a bad sha256", (catalog) => Object.assign(catalog.models[0], { sha256: "ABC" }), /sha256/],
    ["a path in the file name", (catalog) => (catalog.models[0].fileName = "../x.gguf"), /fileName/],
  ];
  for (const [what, breakIt, expected] of broken) {
    it(`names ${what}`, function () {
      const catalog = structuredClone(valid);
      breakIt(catalog);
      const problems = validateCatalog(catalog);
      assert.ok(
        problems.some((problem) => expected.test(problem)),
        problems.join("; "),
      );
    });
  }
});
