import assert from "node:assert/strict";
import { changeNeedsHostRestart, hostConfigOf, readConfig } from "../../../extension/src/core/config/config";

function settingsOf(values: Record<string, unknown>) {
  return { get: (key: string) => values[key] };
}

describe("config", () => {
  it("gives defaults when nothing is set", () => {
    const { config, problems } = readConfig(settingsOf({}));
    assert.deepEqual(problems, []);
    assert.equal(config.completionModelPath, "");
    assert.equal(config.gpu, "auto");
    assert.equal(config.contextSize, "auto", "node-llama-cpp's memory estimate picks it");
    assert.equal(config.gpuLayers, "auto", "node-llama-cpp's memory estimate picks them");
    assert.equal(config.threads, 0);
    assert.equal(config.shield.mode, "block");
    assert.equal(config.shield.disabledRules.size, 0);
    assert.deepEqual(config.chat, {
      maxAnswerTokens: 1024,
      retrieval: true,
      embeddingModelPath: "",
      maxConversations: 50,
      maxHistoryKilobytes: 5120,
    });
  });

  it("uses the local host unless a server is named", () => {
    const { config, problems } = readConfig(settingsOf({}));
    assert.deepEqual(problems, []);
    assert.deepEqual(config.backend, {
      kind: "local",
      url: "",
      model: "",
      fimTemplate: "qwen",
      customFimTemplate: "",
      allowInsecureHttp: false,
      caCertificatePaths: [],
    });
  });

  it("reads a remote server's settings", () => {
    const { config, problems } = readConfig(
      settingsOf({
        backend: "openai",
        "remote.url": " https://gpu.example.com:8000/ ",
        "remote.model": "Qwen/Qwen2.5-Coder-7B",
        "remote.fimTemplate": "starcoder",
        "remote.allowInsecureHttp": true,
        "remote.caCertificates": [" /etc/company-ca.pem ", ""],
      }),
    );
    assert.deepEqual(problems, []);
    assert.equal(config.backend.kind, "openai");
    assert.equal(config.backend.url, "https://gpu.example.com:8000");
    assert.equal(config.backend.model, "Qwen/Qwen2.5-Coder-7B");
    assert.equal(config.backend.fimTemplate, "starcoder");
    assert.equal(config.backend.allowInsecureHttp, true);
    assert.deepEqual(config.backend.caCertificatePaths, ["/etc/company-ca.pem"]);
  });

  for (const [url, problem] of [
    ["", "llamaAssist.remote.url is empty: set the ollama server's URL"],
    ["localhost:11434", "llamaAssist.remote.url must be an http or https URL"],
    ["not a url", "llamaAssist.remote.url is not a URL"],
    ["file:///etc/passwd", "llamaAssist.remote.url must be an http or https URL"],
  ]) {
    it(`refuses the remote URL ${JSON.stringify(url)}`, () => {
      const { config, problems } = readConfig(settingsOf({ backend: "ollama", "remote.url": url }));
      assert.equal(config.backend.url, "");
      assert.equal(problems.length, 1);
      assert.ok(problems[0].startsWith(problem), problems[0]);
    });
  }

  it("runs the guard in the local host unless a llama-server is named for it, which the host then does not load", () => {
    const local = readConfig(settingsOf({ "guard.model": "/guard.gguf", "guard.mode": "prompts" }));
    assert.deepEqual(local.problems, []);
    assert.equal(local.config.guard.url, "");
    assert.equal(hostConfigOf(local.config, "info").guardModelPath, "/guard.gguf");

    const served = readConfig(settingsOf({ "guard.model": "/guard.gguf", "guard.url": " http://127.0.0.1:8081/ " }));
    assert.deepEqual(served.problems, []);
    assert.equal(served.config.guard.url, "http://127.0.0.1:8081");
    assert.equal(hostConfigOf(served.config, "info").guardModelPath, undefined);
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.guard.url"),
      true,
    );
  });

  for (const [url, problem] of [
    ["ftp://127.0.0.1:8081", "llamaAssist.guard.url must be an http or https URL"],
    ["not a url", "llamaAssist.guard.url is not a URL"],
  ]) {
    it(`refuses the guard URL ${JSON.stringify(url)}, which leaves the guard in the local host`, () => {
      const { config, problems } = readConfig(settingsOf({ "guard.url": url }));
      assert.equal(config.guard.url, "");
      assert.equal(problems.length, 1);
      assert.ok(problems[0].startsWith(problem), problems[0]);
    });
  }

  it("reads the chat's limits", () => {
    const { config, problems } = readConfig(
      settingsOf({ "chat.maxAnswerTokens": 256, "chat.history.maxConversations": 3, "chat.history.maxKilobytes": 64 }),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(config.chat, {
      maxAnswerTokens: 256,
      retrieval: true,
      embeddingModelPath: "",
      maxConversations: 3,
      maxHistoryKilobytes: 64,
    });
  });

  it("reads valid values", () => {
    const { config, problems } = readConfig(
      settingsOf({
        "completionModel.path": "  /models/coder.gguf ",
        "chatModel.path": "/models/chat.gguf",
        gpu: "vulkan",
        "gpuRuntime.localCopy": " /offline/cuda ",
        contextSize: 8192,
        threads: 2,
        "shield.mode": "warn",
        "shield.disabledRules": ["py.md5"],
        "shield.languages": { shellscript: false, python: true },
      }),
    );
    assert.deepEqual(problems, []);
    assert.equal(config.completionModelPath, "/models/coder.gguf");
    assert.equal(config.chatModelPath, "/models/chat.gguf");
    assert.equal(config.gpu, "vulkan");
    assert.equal(config.gpuRuntimeLocalCopy, "/offline/cuda");
    assert.equal(config.contextSize, 8192);
    assert.equal(config.threads, 2);
    assert.equal(config.shield.mode, "warn");
    assert.deepEqual([...config.shield.disabledRules], ["py.md5"]);
    assert.deepEqual([...config.shield.disabledLanguages], ["shellscript"]);
  });

  const invalid: Array<[string, unknown, string]> = [
    ["gpu", "rocm", "llamaAssist.gpu must be one of"],
    ["contextSize", 100, "llamaAssist.contextSize must be 0 (auto) or at least 512"],
    ["contextSize", -5, "llamaAssist.contextSize must be a whole number from 0"],
    ["gpuLayers", -2, "llamaAssist.gpuLayers must be a whole number from -1"],
    ["gpuLayers", "all", "llamaAssist.gpuLayers must be a whole number from -1"],
    ["contextSize", 4096.5, "llamaAssist.contextSize must be a whole number"],
    ["threads", -1, "llamaAssist.threads must be a whole number"],
    ["completionModel.path", 42, "llamaAssist.completionModel.path must be a string"],
    ["shield.mode", "loud", "llamaAssist.shield.mode must be one of"],
    ["shield.disabledRules", "py.md5", "llamaAssist.shield.disabledRules must be a list"],
    ["shield.languages", { python: "no" }, "llamaAssist.shield.languages must map"],
    ["chat.maxAnswerTokens", 0, "llamaAssist.chat.maxAnswerTokens must be a whole number from 16"],
    ["chat.history.maxConversations", 0, "llamaAssist.chat.history.maxConversations must be a whole number from 1"],
    ["chat.history.maxKilobytes", "big", "llamaAssist.chat.history.maxKilobytes must be a whole number from 64"],
  ];
  for (const [key, value, expected] of invalid) {
    it(`falls back to the default for an invalid ${key}: ${JSON.stringify(value)}`, () => {
      const defaults = readConfig(settingsOf({})).config;
      const { config, problems } = readConfig(settingsOf({ [key]: value }));
      assert.equal(problems.length, 1);
      assert.ok(problems[0]!.startsWith(expected), problems[0]);
      assert.deepEqual(config, defaults);
    });
  }

  it("knows which changes need a host restart", () => {
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.completionModel.path"),
      true,
    );
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.gpu"),
      true,
    );
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.contextSize"),
      true,
    );
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.gpuLayers"),
      true,
    );
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.shield.mode"),
      false,
    );
  });

  it("hands the host exactly what it loads with", () => {
    const { config } = readConfig(
      settingsOf({ "completionModel.path": "/m.gguf", gpu: "cpu", contextSize: 2048, threads: 1 }),
    );
    assert.deepEqual(hostConfigOf(config, "info"), {
      completionModelPath: "/m.gguf",
      chatModelPath: "",
      gpu: "cpu",
      contextSize: 2048,
      gpuLayers: "auto",
      threads: 1,
      logLevel: "info",
    });
  });

  it("hands the host the embedding model, whose change restarts it", () => {
    const { config } = readConfig(
      settingsOf({ "completionModel.path": "/m.gguf", "embeddingModel.path": " /models/nomic.gguf " }),
    );
    assert.equal(config.chat.embeddingModelPath, "/models/nomic.gguf");
    assert.equal(hostConfigOf(config, "info").embeddingModelPath, "/models/nomic.gguf");
    assert.equal(hostConfigOf(readConfig(settingsOf({})).config, "info").embeddingModelPath, undefined);
    assert.equal(
      changeNeedsHostRestart((key) => key === "llamaAssist.embeddingModel.path"),
      true,
    );
  });

  it("reads explicit GPU layers, 0 keeping the model on the CPU", () => {
    assert.equal(readConfig(settingsOf({ gpuLayers: 0 })).config.gpuLayers, 0);
    assert.equal(readConfig(settingsOf({ gpuLayers: 20 })).config.gpuLayers, 20);
    assert.equal(readConfig(settingsOf({ gpuLayers: -1 })).config.gpuLayers, "auto");
    assert.equal(readConfig(settingsOf({ contextSize: 0 })).config.contextSize, "auto");
  });
});
