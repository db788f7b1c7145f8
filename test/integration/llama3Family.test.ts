// The real tokenizers and chat templates of Llama 3.1 and Qwen2.5-Coder, through the real host: llama.cpp's tokenizer
// test vectors, the prompt a Llama 3.1 model receives, where its answers stop, what budgets count, FIM with
// Qwen2.5-Coder's real token ids, and the context a 131,072-token training context gets.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { Llama, LlamaModel } from "node-llama-cpp";
import { systemPrompt } from "../../extension/src/core/chat/conversation";
import type { ChatParams } from "../../extension/src/core/protocol/host";
import type { Shield } from "../../extension/src/core/shield";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { llamaCppFile } from "../fixtures/llamaCppSource";
import {
  ensureRealScriptedModel,
  llama31ChatAnswer,
  llama31ChatAnswerCode,
  llama31Instruct,
  qwenCoder,
  qwenCoderFimCompletion,
} from "../fixtures/realScriptedModels";
import { type RealTokenizer, qwenCoderFimTokens, tokenizerTestVectorFiles } from "../fixtures/realVocabulary";
import { answerEnded, createChatRig, loadChatShield } from "./chatHarness";

/** node-llama-cpp is ESM only: these tests, compiled to CommonJS, load it with a dynamic import. */
async function cpuLlama(): Promise<Llama> {
  const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
  // llama.cpp warns that Llama 3's vocabulary has a control-looking '</s>' as a normal token: true, and not news.
  return getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
}

/** llama.cpp's test vectors (tests/test-tokenizer-0): texts separated by a marker line, one line of ids per text. */
function tokenizerTestVectors(tokenizer: RealTokenizer): { text: string; ids: number[] }[] {
  const files = tokenizerTestVectorFiles[tokenizer];
  const texts = readFileSync(llamaCppFile(files.input), "utf8").split("\n__ggml_vocab_test__\n").slice(0, -1);
  const lines = readFileSync(llamaCppFile(files.expected), "utf8").split("\n").slice(0, -1);
  assert.equal(texts.length, lines.length, "as many texts as lines of ids");
  return texts.map((text, index) => ({
    text,
    ids: lines[index]
      .split(" ")
      .filter((id) => id !== "")
      .map(Number),
  }));
}

/** Llama 3.1 8B Instruct's prompt as its chat template writes it (the model card's format). */
function llama31Prompt(params: Pick<ChatParams, "systemPrompt" | "turns">): string {
  const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
  return [
    "<|begin_of_text|>",
    header("system"),
    "Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n",
    params.systemPrompt.trim(),
    "<|eot_id|>",
    ...params.turns.map((turn) => `${header(turn.role)}${turn.text.trim()}<|eot_id|>`),
    header("assistant"),
  ].join("");
}

describe("the real Llama 3 and Qwen2 tokenizers", function () {
  this.timeout(180_000);
  let llama: Llama;
  const vocabularies = new Map<RealTokenizer, LlamaModel>();

  before(async function () {
    llama = await cpuLlama();
    vocabularies.set(
      "llama3",
      await llama.loadModel({ modelPath: ensureRealScriptedModel(llama31Instruct), vocabOnly: true }),
    );
    vocabularies.set(
      "qwen2",
      await llama.loadModel({ modelPath: ensureRealScriptedModel(qwenCoder), vocabOnly: true }),
    );
  });

  after(async function () {
    await llama?.dispose();
  });

  for (const tokenizer of ["llama3", "qwen2"] as const) {
    it(`tokenizes llama.cpp's ${tokenizer} test vectors exactly as llama.cpp's own test expects`, function () {
      const model = vocabularies.get(tokenizer);
      assert.ok(model);
      const vectors = tokenizerTestVectors(tokenizer);
      assert.ok(vectors.length > 30, `${vectors.length} vectors`);
      for (const { text, ids } of vectors)
        assert.deepEqual(Array.from(model.tokenize(text)), ids, JSON.stringify(text));
    });
  }

  it("has Llama 3's 128,256 tokens and its special tokens, and Qwen2.5-Coder's FIM tokens at their real ids", function () {
    const llama3 = vocabularies.get("llama3");
    const qwen2 = vocabularies.get("qwen2");
    assert.ok(llama3 && qwen2);
    assert.equal(llama3.fileInfo.metadata.tokenizer.ggml.tokens.length, 128256);
    assert.equal(llama3.fileInfo.metadata.tokenizer.ggml.merges?.length, 280147);
    assert.equal(llama3.fileInfo.metadata.tokenizer.ggml.pre, "llama-bpe");
    assert.deepEqual(
      Array.from(llama3.tokenize("<|begin_of_text|><|start_header_id|><|eot_id|>", true)),
      [128000, 128006, 128009],
    );
    assert.equal(qwen2.fileInfo.metadata.tokenizer.ggml.tokens.length, 151936);
    const { prefix, middle, suffix } = qwen2.tokens.infill;
    assert.deepEqual(
      { prefix, middle, suffix },
      {
        prefix: qwenCoderFimTokens["<|fim_prefix|>"],
        middle: qwenCoderFimTokens["<|fim_middle|>"],
        suffix: qwenCoderFimTokens["<|fim_suffix|>"],
      },
    );
  });

  it("renders a Llama 3.1 conversation with the wrapper the host picks exactly as the chat template does", async function () {
    const { resolveChatWrapper } = await import("node-llama-cpp");
    const model = vocabularies.get("llama3");
    assert.ok(model);
    const params: Pick<ChatParams, "systemPrompt" | "turns"> = {
      systemPrompt: "You are a coding assistant.",
      turns: [
        { role: "user", text: "What is a closure?" },
        { role: "assistant", text: "A function with its environment." },
        { role: "user", text: "Write a greeting function in Python." },
      ],
    };
    // The host's choice (engine.ts): node-llama-cpp's resolution, which compares the GGUF's own template with its
    // specialised wrappers and keeps the template where they differ (Llama3_1ChatWrapper writes today's date).
    const wrapper = resolveChatWrapper(model);
    const rendered = wrapper
      .generateContextState({
        chatHistory: [
          { type: "system", text: params.systemPrompt },
          { type: "user", text: params.turns[0].text },
          { type: "model", response: [params.turns[1].text] },
          { type: "user", text: params.turns[2].text },
          { type: "model", response: [] },
        ],
      })
      .contextText.tokenize(model.tokenizer);
    assert.equal(model.detokenize(rendered, true), llama31Prompt(params));
    assert.deepEqual(Array.from(rendered), Array.from(model.tokenize(llama31Prompt(params), true)));
  });
});

describe("Llama 3.1 8B Instruct's tokenizer and template through the real host", function () {
  this.timeout(180_000);
  let shield: Shield;
  let host: TestHost;
  let vocabulary: LlamaModel;
  let llama: Llama;

  before(async function () {
    const modelPath = ensureRealScriptedModel(llama31Instruct);
    llama = await cpuLlama();
    vocabulary = await llama.loadModel({ modelPath, vocabOnly: true });
    shield = await loadChatShield();
    // "auto", as users have it: the training context is 131,072 tokens.
    host = createTestHost(hostConfig(modelPath, { contextSize: "auto" }));
    await host.client.start();
  });

  after(async function () {
    await host?.client.dispose();
    shield?.dispose();
    await llama?.dispose();
  });

  it("gets a context that fits memory, capped below the 131,072-token training context, with no warnings", function () {
    assert.equal(host.client.state.phase, "ready");
    if (host.client.state.phase !== "ready") return;
    const { chatModel } = host.client.state.info;
    assert.equal(chatModel.trainContextSize, 131072);
    assert.ok(chatModel.contextSize >= 2048 && chatModel.contextSize <= 32768, `context ${chatModel.contextSize}`);
    // The one expected warning: this chat model also serves completions, and it has no FIM tokens.
    const warnings = host.logs.filter((entry) => entry.level === "warn" || entry.level === "error");
    assert.deepEqual(
      warnings.map((entry) => entry.message.replace(/:.*/s, "")),
      ["This model cannot fill in the middle (it has no FIM tokens)"],
    );
  });

  it("receives the template's own prompt, stops at <|eot_id|> and counts with the 128K tokenizer", async function () {
    const params: ChatParams = {
      systemPrompt: "You are a coding assistant.",
      turns: [{ role: "user", text: "Write a greeting function in Python." }],
      maxTokens: 200,
      temperature: 0,
    };
    const chunks: string[] = [];
    const result = await host.client.chat(params, (chunk) => chunks.push(chunk));
    assert.equal(result.text, llama31ChatAnswer);
    assert.equal(chunks.join(""), llama31ChatAnswer);
    assert.equal(result.stopReason, "eos");
    // The scripted model answers only after the assistant header's last token, and the count is the exact prompt's.
    assert.equal(result.promptTokens, vocabulary.tokenize(llama31Prompt(params), true).length);
    assert.ok(result.generatedTokens < 40 && result.generatedTokens > 10, `${result.generatedTokens} generated`);
  });

  it("answers in the chat session; the budget is the host's count in Llama 3 tokens", async function () {
    const { session, posted } = createChatRig(host.client, shield);
    assert.equal(session.send("Write a greeting function in Python.", []), true);
    const ended = await answerEnded(posted, 120_000);
    assert.equal(ended.status, "complete");
    const answer = posted.flatMap((message) => (message.kind === "answerDelta" ? [message.text] : [])).join("");
    assert.equal(answer, llama31ChatAnswer);
    assert.equal(session.codeBlock(ended.messageId, 0)?.code, `${llama31ChatAnswerCode}\n`);
    const budget = posted.filter((message) => message.kind === "budget").at(-1);
    assert.ok(budget?.kind === "budget");
    const promptTokens = vocabulary.tokenize(
      llama31Prompt({ systemPrompt, turns: [{ role: "user", text: "Write a greeting function in Python." }] }),
      true,
    ).length;
    assert.ok(
      budget.budget.usedTokens !== undefined &&
        budget.budget.usedTokens > promptTokens &&
        budget.budget.usedTokens < promptTokens + 40,
      `used ${budget.budget.usedTokens}, prompt ${promptTokens}`,
    );
  });
});

describe("Qwen2.5-Coder's FIM tokens through the real host", function () {
  this.timeout(180_000);
  let host: TestHost;

  before(async function () {
    host = createTestHost(hostConfig(ensureRealScriptedModel(qwenCoder), { contextSize: 2048 }));
    await host.client.start();
  });

  after(async function () {
    await host?.client.dispose();
  });

  it("fills in the middle with <|fim_prefix|>, <|fim_suffix|> and <|fim_middle|> at ids 151659–151661", async function () {
    assert.ok(host.client.state.phase === "ready" && host.client.state.info.completionModel.fillInTheMiddle);
    // The scripted completion follows only id 151660 (<|fim_middle|>): any other layout ends at once, empty.
    const result = await host.client.infill({
      prefix: "def add(a, b):\n    ",
      suffix: "\n\nprint(add(1, 2))\n",
      maxTokens: 32,
      stop: [],
      temperature: 0,
    });
    assert.equal(result.text, qwenCoderFimCompletion);
    assert.equal(result.stopReason, "eos");
    assert.equal(result.fallback, undefined);
  });
});
