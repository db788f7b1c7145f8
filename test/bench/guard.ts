// npm run bench:guard — what Llama Guard costs the chat, on a Llama-Guard-3-1B-shaped model (random weights, Llama 3's
// real tokenizer) beside the 0.5B-shaped chat bench model, in one host: the time a prompt check adds to the chat's
// first token (runs with and without the guard, alternating), the tokens a check evaluates with the policy
// prefix cached and not, the answer checks' cost per 100 answer tokens, and the host's peak RSS. Prints figures;
// asserts nothing. The guard's verdict is capped at 3 tokens, as long as a real "safe" or "unsafe\nS2" runs: random
// weights never write <|eot_id|>.
import { readFileSync } from "node:fs";
import type { ChatSessionGuard } from "../../extension/src/core/chat/session";
import { guardCategories } from "../../extension/src/core/guard/categories";
import { ChatGuard } from "../../extension/src/core/guard/chatGuard";
import { AnswerCheckpoints } from "../../extension/src/core/guard/checkpoints";
import { type GuardRole, type GuardTurn, guardPrompt } from "../../extension/src/core/guard/prompt";
import { systemTimers } from "../../extension/src/core/host/timers";
import type { Shield } from "../../extension/src/core/shield";
import { ensureBenchModel } from "../fixtures/benchModel";
import { ensureGuardBenchModel } from "../fixtures/guardBenchModel";
import { type TestHost, createTestHost, hostConfig } from "../fixtures/hostHarness";
import { answerEnded, createChatRig, loadChatShield } from "../integration/chatHarness";

const runs = 3;
/** No phase may wait longer than this: under load a run is slow, but it must end, with an error if need be. */
const phaseTimeoutMs = 600_000;
/** The whole bench gives up after this, whatever it is waiting for; the host dies with its IPC channel. */
const benchTimeoutMs = 45 * 60_000;
const verdictTokens = 3;
const version = "llama-guard-3-1b";
const categories = guardCategories[version];

const questions = [
  "How do I read a CSV file in Python and sum one column?",
  "What does the borrow checker complain about when I keep a reference into a Vec and push to it?",
  "Write a TypeScript function that debounces another function.",
  "Why is my SQL query slow when I filter on a column without an index?",
  "Explain the difference between a process and a thread.",
  "How do I undo the last git commit but keep the changes?",
];

const answer = [
  "You can read it with the standard library's `csv` module and add the column up as you go. Open the file, wrap it",
  "in a `DictReader` so each row is a dictionary keyed by the header, and convert the field to a number before adding.",
  "",
  "```python",
  "import csv",
  "",
  "def column_total(path, column):",
  "    total = 0.0",
  '    with open(path, newline="") as handle:',
  "        for row in csv.DictReader(handle):",
  "            total += float(row[column])",
  "    return total",
  "```",
  "",
].join("\n");

/** The peak resident set of a child process, from the kernel: getrusage's maxRSS would carry the parent's across fork. */
function peakRssMiB(pid: number | undefined): number {
  if (pid === undefined) throw new Error("the host has no process");
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmHWM in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** One chat request on `host` up to its first streamed token, then stopped. */
async function firstTokenOn(host: TestHost, shield: Shield, question: string): Promise<void> {
  let streamed = false;
  const rig = createChatRig(host.client, shield, undefined, {
    chunk: () => {
      if (streamed) return;
      streamed = true;
      rig.session.stop();
    },
    result: () => undefined,
  });
  rig.session.send(question, []);
  await answerEnded(rig.posted, phaseTimeoutMs);
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

const fixed = (value: number, digits = 0): string => value.toFixed(digits);

async function main(): Promise<void> {
  const chatModel = ensureBenchModel((message) => console.log(message));
  const guardModel = ensureGuardBenchModel((message) => console.log(message));
  const shield = await loadChatShield();
  const host = createTestHost(hostConfig(chatModel, { contextSize: 4096, guardModelPath: guardModel }));
  const info = await host.client.start();
  console.log(
    `guard: ${info.guardModel?.name} (${info.guardModel?.layers} offloadable layers: its blocks and the output, context ${info.guardModel?.contextSize}), chat: ${info.chatModel.name}, ${info.threads} threads`,
  );

  const check = async (role: GuardRole, turns: readonly GuardTurn[]) => {
    const started = performance.now();
    const result = await host.client.guard(
      { role, ...guardPrompt(version, role, categories, turns), maxTokens: verdictTokens },
      AbortSignal.timeout(phaseTimeoutMs),
    );
    return { ms: performance.now() - started, ...result };
  };

  // Tokens evaluated per check: the role's first check evaluates the whole prompt, later ones only the conversation.
  const cold = await check("User", [{ role: "User", text: questions[0] }]);
  const warm: Awaited<ReturnType<typeof check>>[] = [];
  for (const question of questions.slice(1, 4)) warm.push(await check("User", [{ role: "User", text: question }]));
  const warmEvaluated = percentile(
    warm.map((result) => result.tokensEvaluated),
    50,
  );
  console.log(
    `prompt check, policy not cached: ${cold.tokensEvaluated} of ${cold.promptTokens} tokens evaluated, ${fixed(cold.ms)} ms`,
  );
  console.log(
    `prompt check, policy cached: ${warmEvaluated} tokens evaluated p50 (of ${percentile(
      warm.map((result) => result.promptTokens),
      50,
    )}), ${fixed(
      percentile(
        warm.map((result) => result.ms),
        50,
      ),
    )} ms p50, ${fixed(
      percentile(
        warm.map((result) => result.ms),
        95,
      ),
    )} ms p95 (${warm.length} checks)`,
  );

  // The chat's first token, with and without the prompt check, alternating so that load on the machine
  // falls on both alike.
  const guard = new ChatGuard({
    model: () => Promise.resolve({ name: "Llama Guard 3 1B" }),
    // Random weights give a random verdict, which the guard rightly reads as malformed and so holds the message back
    // unanswered. The check still runs in full; only its verdict is read as "safe", so that the chat goes on.
    check: async (role, prompt, signal) => ({
      ...(await host.client.guard({ role, ...prompt, maxTokens: verdictTokens }, signal)),
      text: "safe",
    }),
    settings: () => ({ mode: "prompts", disabledCategories: new Set() }),
    timers: systemTimers,
    timeoutMs: phaseTimeoutMs,
  });
  const guarded: ChatSessionGuard = guard;
  // The chat's first token as the host streams it (the session may hold back text, e.g. an open code block, which the
  // guard has nothing to do with); the answer is stopped there, so a run costs a check and a prefill, not an answer.
  const firstToken = async (withGuard: boolean, question: string): Promise<number> => {
    let first = 0;
    const rig = createChatRig(
      host.client,
      shield,
      undefined,
      {
        chunk: () => {
          if (first !== 0) return;
          first = performance.now();
          rig.session.stop();
        },
        result: () => undefined,
      },
      withGuard ? guarded : undefined,
    );
    const sent = performance.now();
    rig.session.send(question, []);
    await answerEnded(rig.posted, phaseTimeoutMs);
    if (first === 0) throw new Error("the chat model streamed no token");
    return first - sent;
  };
  const plain: number[] = [];
  const withGuard: number[] = [];
  console.log(
    `chat warm-up (system prompt into the chat's cache): first token in ${fixed(await firstToken(false, questions[0]))} ms`,
  );
  for (let run = 0; run < runs; run++) {
    const question = questions[(run % (questions.length - 1)) + 1];
    plain.push(await firstToken(false, question));
    withGuard.push(await firstToken(true, question));
    console.log(
      `  run ${run + 1}: first token ${fixed(plain[run])} ms without the guard, ${fixed(withGuard[run])} ms with it`,
    );
  }
  const plainP50 = percentile(plain, 50);
  const addedP50 = percentile(withGuard, 50) - plainP50;
  const addedP95 = percentile(withGuard, 95) - percentile(plain, 95);
  console.log(
    `chat first token: ${fixed(plainP50)} ms p50 / ${fixed(percentile(plain, 95))} ms p95 without the guard, ${fixed(
      percentile(withGuard, 50),
    )} / ${fixed(percentile(withGuard, 95))} ms with it (${runs} runs each)`,
  );
  console.log(`prompt check adds: ${fixed(addedP50)} ms p50, ${fixed(addedP95)} ms p95`);

  // Answer checks: at each paragraph and code-block end, then the whole answer, each the Agent turn after the question.
  const checkpoints = new AnswerCheckpoints();
  const ends: number[] = [];
  for (let length = 1; length <= answer.length; length++) {
    const end = checkpoints.next(answer.slice(0, length));
    if (end !== undefined && ends.at(-1) !== end) ends.push(end);
  }
  if (ends.at(-1) !== answer.length) ends.push(answer.length);
  const agentTurns = (text: string): GuardTurn[] => [
    { role: "User", text: questions[0] },
    { role: "Agent", text },
  ];
  const empty = await check("Agent", agentTurns("."));
  let answerMs = 0;
  let answerEvaluated = 0;
  let answerTokens = 0;
  for (const end of ends) {
    const result = await check("Agent", agentTurns(answer.slice(0, end)));
    answerMs += result.ms;
    answerEvaluated += result.tokensEvaluated;
    answerTokens = result.promptTokens - empty.promptTokens;
  }
  console.log(
    `answer checks: ${ends.length} checks over a ${answerTokens}-token answer: ${fixed((answerMs * 100) / answerTokens)} ms and ${fixed(
      (answerEvaluated * 100) / answerTokens,
    )} tokens evaluated per 100 answer tokens`,
  );

  const peakWithGuard = peakRssMiB(host.client.pid);
  await host.client.dispose();
  // The baseline: the same host with the chat model alone, through the same first chat request.
  const plainHost = createTestHost(hostConfig(chatModel, { contextSize: 4096 }));
  await plainHost.client.start();
  await firstTokenOn(plainHost, shield, questions[0]);
  const peakWithout = peakRssMiB(plainHost.client.pid);
  await plainHost.client.dispose();
  console.log(
    `host peak RSS (VmHWM): ${fixed(peakWithGuard)} MiB with the guard and the chat model loaded, ${fixed(peakWithout)} MiB with the chat model alone (+${fixed(peakWithGuard - peakWithout)} MiB)`,
  );
  console.log("(2 shared CPU cores, small samples: these figures are noisy)");
  shield.dispose();
  console.log(
    `guard: prompt check adds ${fixed(addedP50)} ms p50 to first token (${fixed((addedP50 * 100) / plainP50)}% of chat first-token time), ${warmEvaluated} tokens evaluated per check`,
  );
}

setTimeout(() => {
  console.error(`bench:guard: gave up after ${benchTimeoutMs / 60_000} minutes`);
  process.exit(1);
}, benchTimeoutMs).unref();

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
