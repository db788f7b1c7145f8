// A refactor through the real inference host with the scripted fixture model, the real Shield and the real grammars:
// the target found from the cursor, the prompt, the streamed answer, the extracted code, the line diff and the edit.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { surroundingContext } from "../../extension/src/core/refactor/context";
import { applyReplacements } from "../../extension/src/core/refactor/lineDiff";
import {
  proposalFromAnswer,
  type ProposalChecks,
  type ProposalOutcome,
  type RefactorJob,
} from "../../extension/src/core/refactor/pipeline";
import type { RefactorPreset } from "../../extension/src/core/refactor/presets";
import { planRefactorPrompt } from "../../extension/src/core/refactor/prompt";
import { relocateTarget } from "../../extension/src/core/refactor/reapply";
import { proposalBreaksParse } from "../../extension/src/core/refactor/syntaxCheck";
import { enclosingDefinition } from "../../extension/src/core/refactor/target";
import { createShield, type Shield } from "../../extension/src/core/shield";
import { fileGrammarSource } from "../../extension/src/node/shield/fileGrammarSource";
import { gateSuggestion } from "../../extension/src/core/shield/gate";
import { SyntaxRuntime } from "../../extension/src/core/syntax/syntaxRuntime";
import { HostRequestError } from "../../extension/src/node/host/hostClient";
import type { ChatParams, GenerationResult } from "../../extension/src/core/protocol/host";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { chatAnswer, chatAnswerCode, ensureScriptedModel, repoRoot } from "../fixtures/scriptedModel";
import {
  ensureRealScriptedModel,
  llama31ChatAnswer,
  llama31ChatAnswerCode,
  llama31Instruct,
} from "../fixtures/realScriptedModels";
import type { AskInChatRequest } from "../../extension/src/core/chat/conversation";
import { explainRequest } from "../../extension/src/core/refactor/explain";
import { answerEnded, createChatRig } from "./chatHarness";

const grammarDirectory = path.join(repoRoot, "grammars");
const contextSize = 2048;

/** The scripted model always answers with chatAnswer, whose code block is chatAnswerCode: the greeting says "Hello". */
const moduleSource = [
  "import sys",
  "",
  "",
  "def greet(name):",
  '    return "Hi, " + name',
  "",
  "",
  "print(greet(sys.argv[1]))",
  "",
].join("\n");

const classSource = [
  "class Greeter:",
  '    """Says hello."""',
  "",
  "    def greet(name):",
  '        return "Hi, " + name',
  "",
  "    def wave(self):",
  "        pass",
  "",
].join("\r\n");

interface Engines {
  runtime: SyntaxRuntime;
  shield: Shield;
}

interface Run {
  outcome: ProposalOutcome;
  job: RefactorJob;
  chunks: string[];
  userTurn: string;
  params: ChatParams;
  result: GenerationResult;
}

async function refactorAtCursor(
  host: TestHost,
  engines: Engines,
  documentText: string,
  cursorMarker: string,
  preset: RefactorPreset,
  onChunk: (chunk: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<Run> {
  const language = await engines.runtime.language("python");
  assert.ok(language);
  const tree = engines.runtime.parse(language, documentText);
  let job: RefactorJob;
  let userTurn: string;
  let params: ChatParams;
  try {
    const target = enclosingDefinition(tree, "python", documentText, documentText.indexOf(cursorMarker));
    assert.ok(target, "the cursor is inside a function");
    job = {
      preset,
      languageId: "python",
      documentText,
      target,
      documentLineEnding: documentText.includes("\r\n") ? "\r\n" : "\n",
    };
    const plan = planRefactorPrompt({
      preset,
      languageId: "python",
      instruction: "say Hello instead of Hi",
      diagnostics: [],
      sourceFileName: "greet.py",
      target: documentText.slice(target.start, target.end),
      context: surroundingContext(tree, "python", documentText, target),
      contextSize,
    });
    assert.equal(plan.kind, "ready");
    if (plan.kind !== "ready") throw new Error("unreachable");
    params = plan.params;
    userTurn = plan.params.turns[0].text;
  } finally {
    tree.delete();
  }
  const chunks: string[] = [];
  const result = await host.client.chat(
    params,
    (chunk) => {
      chunks.push(chunk);
      onChunk(chunk);
    },
    signal,
  );
  const checks: ProposalChecks = {
    shield: (input) =>
      gateSuggestion(
        engines.shield,
        { prefix: input.prefix, suggestion: input.code, suffix: input.suffix, languageId: "python" },
        {
          mode: "block",
          disabledRules: new Set(),
          disabledLanguages: new Set(),
        },
      ),
    breaksParse: (before, after) => proposalBreaksParse(engines.runtime, language, before, after),
  };
  return { outcome: proposalFromAnswer(job, result, checks), job, chunks, userTurn, params, result };
}

/** What one WorkspaceEdit of the replacements does to the document: all of them at once, or none. */
function accept(documentText: string, run: Run, currentText = documentText, version = 1): string {
  assert.equal(run.outcome.kind, "proposal");
  if (run.outcome.kind !== "proposal") return documentText;
  const snapshot = {
    start: run.job.target.start,
    end: run.job.target.end,
    text: documentText.slice(run.job.target.start, run.job.target.end),
    version: 1,
    documentLength: documentText.length,
  };
  const relocation = relocateTarget(snapshot, { text: currentText, version });
  if (relocation.kind === "changed" || relocation.kind === "ambiguous") return currentText;
  const shifted = run.outcome.proposal.replacements.map((edit) => ({
    ...edit,
    start: edit.start + relocation.start,
    end: edit.end + relocation.start,
  }));
  return applyReplacements(currentText, shifted);
}

interface Rig {
  host: TestHost;
  engines: Engines;
}

/** Starts, in the calling `describe`, the real host on the model with the syntax runtime and the Shield, for its tests. */
function hostWithEngines(modelPath: () => string): Rig {
  const rig: Partial<Rig> = {};
  before(async function () {
    rig.host = createTestHost(hostConfig(modelPath(), { contextSize }));
    const [runtime, shield] = await Promise.all([
      SyntaxRuntime.create({ load: (file) => readFile(path.join(grammarDirectory, file)) }),
      createShield({ grammars: fileGrammarSource(grammarDirectory) }),
      rig.host.client.start(),
    ]);
    rig.engines = { runtime, shield };
  });
  after(async function () {
    await rig.host?.client.dispose();
    rig.engines?.shield.dispose();
    rig.engines?.runtime.dispose();
  });
  // The tests run after `before`, when both are set.
  return rig as Rig;
}

describe("refactor through the real host with the scripted model", function () {
  const rig = hostWithEngines(() => ensureScriptedModel("standard"));

  it("finds the function from the cursor, streams the answer and proposes a diff of exactly the changed line", async function () {
    const run = await refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "custom");
    assert.ok(run.chunks.length > 1, "the answer streamed in several chunks");
    assert.ok(run.userTurn.includes('```python\ndef greet(name):\n    return "Hi, " + name\n```'), run.userTurn);
    assert.ok(run.userTurn.includes("```python\nimport sys\n```"), "the imports are in the prompt");
    assert.ok(run.userTurn.endsWith("Instruction: say Hello instead of Hi"));
    assert.equal(run.outcome.kind, "proposal");
    if (run.outcome.kind !== "proposal") return;
    const proposal = run.outcome.proposal;
    assert.equal(proposal.code, chatAnswerCode);
    assert.deepEqual(proposal.replacements, [{ start: 17, end: 41, text: '    return "Hello, " + name' }]);
    assert.deepEqual(proposal.findings, []);
    assert.equal(proposal.needsConfirmation, false);
    assert.equal(proposal.breaksParse, false);
    assert.equal(proposal.proposedDocument, moduleSource.replace('"Hi, "', '"Hello, "'));
  });

  it("accepting applies every line of the diff in one edit, and only over unchanged target text", async function () {
    const run = await refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "simplify");
    const expected = moduleSource.replace('"Hi, "', '"Hello, "');
    assert.equal(accept(moduleSource, run), expected);
    const editedAbove = `#!/usr/bin/env python3\n${moduleSource}`;
    assert.equal(accept(moduleSource, run, editedAbove, 2), `#!/usr/bin/env python3\n${expected}`);
    const editedTarget = moduleSource.replace('"Hi, "', '"Hey, "');
    assert.equal(accept(moduleSource, run, editedTarget, 2), editedTarget, "a changed target is never overwritten");
  });

  it("fits the answer into a class method of a CRLF file: indentation and line endings kept", async function () {
    const run = await refactorAtCursor(rig.host, rig.engines, classSource, '"Hi, "', "custom");
    assert.equal(run.outcome.kind, "proposal");
    if (run.outcome.kind !== "proposal") return;
    assert.ok(run.userTurn.includes("inside `class Greeter:`"), "the enclosing class is in the prompt");
    assert.equal(run.outcome.proposal.code, '    def greet(name):\r\n        return "Hello, " + name');
    assert.equal(accept(classSource, run), classSource.replace('"Hi, "', '"Hello, "'));
  });

  it("reports an answer that is the original unchanged, and changes nothing", async function () {
    const unchanged = `${chatAnswerCode}\n`;
    const run = await refactorAtCursor(rig.host, rig.engines, unchanged, "Hello", "custom");
    assert.equal(run.outcome.kind, "failed");
    assert.ok(run.outcome.kind === "failed" && run.outcome.failure === "unchanged");
  });

  it("Explain asks in the chat: the function at the cursor as a chip, the answer streamed as a conversation turn", async function () {
    const language = await rig.engines.runtime.language("python");
    assert.ok(language);
    const tree = rig.engines.runtime.parse(language, moduleSource);
    let request: AskInChatRequest;
    try {
      const target = enclosingDefinition(tree, "python", moduleSource, moduleSource.indexOf('"Hi, "'));
      assert.ok(target);
      request = explainRequest({
        relativePath: "greet.py",
        languageId: "python",
        code: moduleSource.slice(target.start, target.end),
        firstLine: 4,
        lastLine: 5,
        context: surroundingContext(tree, "python", moduleSource, target),
      });
    } finally {
      tree.delete();
    }
    const chat = createChatRig(rig.host.client, rig.engines.shield);
    assert.equal(chat.session.send(request.prompt, request.attachments), true);
    const ended = await answerEnded(chat.posted);
    assert.equal(ended.status, "complete");
    const added = chat.posted.filter((message) => message.kind === "messageAdded").map((message) => message.message);
    assert.deepEqual(
      added.map(({ role, attachments }) => ({ role, attachments })),
      [
        { role: "user", attachments: ["greet.py (context)", "greet.py:4-5"] },
        { role: "assistant", attachments: [] },
      ],
    );
    const streamed = chat.posted.flatMap((message) => (message.kind === "answerDelta" ? [message.text] : []));
    assert.ok(streamed.length > 1, "the answer streamed in several chunks");
    assert.equal(streamed.join(""), chatAnswer);
    assert.equal(
      chat.persisted.at(-1)?.[0].messages[0].attachments[1].content,
      'def greet(name):\n    return "Hi, " + name',
    );
  });
});

describe("refactor through the real host: answers that must change nothing", function () {
  const rig = hostWithEngines(() => ensureScriptedModel("endless"));

  it("an answer cut off at the token limit is reported as truncated", async function () {
    const run = await refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "custom");
    assert.equal(run.outcome.kind, "failed");
    if (run.outcome.kind !== "failed") return;
    assert.equal(run.outcome.failure, "truncated");
    assert.match(run.outcome.message, /token limit/);
  });

  it("a host crash mid-stream rejects the request with hostCrashed; the next refactor is served", async function () {
    let killed = false;
    const killOnFirstChunk = (): void => {
      const pid = rig.host.client.pid;
      if (killed || pid === undefined) return;
      killed = true;
      process.kill(pid, "SIGKILL");
    };
    await assert.rejects(
      refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "custom", killOnFirstChunk),
      (error: unknown) => {
        assert.ok(error instanceof HostRequestError);
        assert.equal(error.code, "hostCrashed");
        return true;
      },
    );
    assert.ok(killed, "the host was killed while the answer streamed");
    const after = await refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "custom");
    assert.ok(after.outcome.kind === "failed" && after.outcome.failure === "truncated");
  });

  it("a request cancelled mid-stream rejects with cancelled", async function () {
    const controller = new AbortController();
    await assert.rejects(
      refactorAtCursor(
        rig.host,
        rig.engines,
        moduleSource,
        '"Hi, "',
        "custom",
        () => controller.abort(),
        controller.signal,
      ),
      (error: unknown) => {
        assert.ok(error instanceof HostRequestError);
        assert.equal(error.code, "cancelled");
        return true;
      },
    );
  });
});

describe("refactor with Llama 3.1 8B Instruct's tokenizer and chat template", function () {
  this.timeout(180_000);
  const rig = hostWithEngines(() => ensureRealScriptedModel(llama31Instruct));

  it("proposes the answer's code as a one-line diff; the prompt is the template's, counted in Llama 3 tokens", async function () {
    const run = await refactorAtCursor(rig.host, rig.engines, moduleSource, '"Hi, "', "custom");
    assert.equal(run.chunks.join(""), llama31ChatAnswer);
    assert.equal(run.result.stopReason, "eos");
    assert.equal(run.outcome.kind, "proposal");
    if (run.outcome.kind !== "proposal") return;
    assert.equal(run.outcome.proposal.code, llama31ChatAnswerCode);
    assert.deepEqual(run.outcome.proposal.replacements, [{ start: 17, end: 41, text: '    return f"Hello, {name}!"' }]);
    assert.deepEqual(run.outcome.proposal.findings, []);
    // Llama 3.1's template: the system prompt after its knowledge-date lines, each turn between header tokens and
    // <|eot_id|>, then the assistant header. The count is the host's, in the 128K vocabulary's tokens.
    const { getLlama, LlamaLogLevel } = await import("node-llama-cpp");
    const llama = await getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: LlamaLogLevel.error });
    try {
      const vocabulary = await llama.loadModel({
        modelPath: ensureRealScriptedModel(llama31Instruct),
        vocabOnly: true,
      });
      const header = (role: string): string => `<|start_header_id|>${role}<|end_header_id|>\n\n`;
      const prompt =
        `<|begin_of_text|>${header("system")}Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n` +
        `${run.params.systemPrompt.trim()}<|eot_id|>${header("user")}${run.userTurn.trim()}<|eot_id|>${header("assistant")}`;
      assert.equal(run.result.promptTokens, vocabulary.tokenize(prompt, true).length);
    } finally {
      await llama.dispose();
    }
  });
});
