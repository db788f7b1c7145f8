import type { Node } from "web-tree-sitter";
import {
  destinationName,
  enclosingFunctionNames,
  firstArgument,
  isConstantExpression,
  namesSecurityValue,
} from "../syntax";
import type { RuleDefinition } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
} from "./shared";

const RUST = ["rust"] as const;

const weakHash: RuleDefinition = {
  id: "rust.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @type name: (identifier) @fn)) @finding (#match? @type "(^|::)(Md5|Sha1|Md4|Md2)$") (#any-of? @fn "new" "default" "digest" "from"))`,
    },
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @module name: (identifier) @fn)) @finding (#match? @module "(^|::)(md5|sha1)$") (#any-of? @fn "compute" "digest"))`,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "rust.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate or hostname verification can be turned off (danger_accept_invalid_*).",
  fixHint: "Remove the call; add private CAs with add_root_certificate.",
  explanation: "Accepting invalid certificates lets anyone on the network path impersonate the server.",
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (field_expression field: (field_identifier) @fn) arguments: (arguments) @args) @finding (#any-of? @fn "danger_accept_invalid_certs" "danger_accept_invalid_hostnames" "set_verify" "set_verify_callback"))`,
      accept: (match) => {
        const value = firstArgument(match.capture("args"))?.text ?? "";
        const method = match.capture("fn");
        const call = match.capture("finding");
        if (!method || !call) return false;
        const dangerous = method.text.startsWith("set_verify") ? /SslVerifyMode::NONE/.test(value) : value !== "false";
        // In a builder chain the call starts at the chain's first line; the finding points at this method.
        return dangerous && { startIndex: method.startIndex, endIndex: call.endIndex };
      },
    },
  ],
};

const command: RuleDefinition = {
  id: "rust.command-injection",
  cwe: "CWE-78",
  severity: "warn",
  message: "A process is started with a program chosen by a non-literal value.",
  fixHint: "Start a fixed program and pass values with .arg(); never build a shell command line.",
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier path: (_) @type name: (identifier) @fn) arguments: (arguments) @args) @finding (#match? @type "(^|::)Command$") (#eq? @fn "new"))`,
      accept: (match) => {
        const program = firstArgument(match.capture("args"));
        return program !== undefined && !isConstantExpression(program) && !/^[A-Z][A-Z0-9_]*$/.test(program.text);
      },
    },
  ],
};

const sqlFormatting: RuleDefinition = {
  id: "rust.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built with format!.",
  fixHint: 'Use bind parameters (sqlx::query("... $1").bind(value), diesel\'s DSL).',
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: [(identifier) @fn (scoped_identifier name: (identifier) @fn) (field_expression field: (field_identifier) @fn)] arguments: (arguments (macro_invocation macro: (identifier) @macro) @sql)) @finding (#any-of? @fn "sql_query" "query" "query_as" "execute" "prepare" "query_row" "batch_execute") (#eq? @macro "format"))`,
      accept: (match) => {
        const text = match.capture("sql")?.text ?? "";
        // format!("SELECT …") with no placeholder and no argument is fixed text.
        const splices = /\{[^{}]*\}/.test(text.replace(/\{\{|\}\}/g, ""));
        return splices && looksLikeSql(text.replace(/^format!\s*\(\s*/, ""));
      },
    },
  ],
};

const customVerifier: RuleDefinition = {
  id: "rust.tls-custom-verifier",
  cwe: "CWE-295",
  severity: "warn",
  message: "rustls certificate verification is replaced through the dangerous() API.",
  fixHint: "Keep the default WebPkiVerifier; add private CAs to the RootCertStore instead of replacing the verifier.",
  explanation:
    "A custom ServerCertVerifier decides alone whether the server is who it claims to be; the common one-line " +
    "implementations accept every certificate, which lets anyone on the path impersonate the server.",
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (field_expression value: (call_expression function: (field_expression field: (field_identifier) @dangerous)) field: (field_identifier) @fn)) @finding (#eq? @dangerous "dangerous") (#eq? @fn "set_certificate_verifier"))`,
    },
    {
      languages: RUST,
      query: `((call_expression function: (field_expression field: (field_identifier) @fn)) @finding (#eq? @fn "with_custom_certificate_verifier"))`,
    },
  ],
};

/** Calls of `generator.gen*()` / `.fill*()` / `.next_*()` whose result is stored under a secret-like name. */
function generatorFeedsSecret(root: Node, generator: string): boolean {
  return root.descendantsOfType("call_expression").some((call) => {
    const callee = call?.childForFieldName("function");
    if (!call || callee?.type !== "field_expression") return false;
    if (callee.childForFieldName("value")?.text !== generator) return false;
    if (
      !/^(gen|gen_range|gen_bool|fill|fill_bytes|try_fill_bytes|next_u32|next_u64|sample|sample_iter)$/.test(
        callee.childForFieldName("field")?.text ?? "",
      )
    )
      return false;
    const name = destinationName(call);
    return (name !== undefined && namesSecurityValue(name)) || enclosingFunctionNames(call).some(namesSecurityValue);
  });
}

const fixedSeed: RuleDefinition = {
  id: "rust.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "A random generator is seeded with a constant, and its output is used for a secret-like value.",
  fixHint: "Use OsRng or rand::thread_rng() (or StdRng::from_entropy()) for tokens, keys, salts and passwords.",
  explanation:
    "seed_from_u64(42) or from_seed([0; 32]) makes every value the generator returns known to anyone who reads the code, " +
    "even for a cryptographic generator such as ChaCha20Rng. Seeds for tests and simulations are fine, so the Shield " +
    "reports the seed only where the generator's output is stored under a name such as token, key, password or salt.",
  patterns: [
    {
      languages: RUST,
      query: `((call_expression function: (scoped_identifier name: (identifier) @fn) arguments: (arguments . (_) @seed .)) @finding (#any-of? @fn "seed_from_u64" "from_seed"))`,
      accept: (match) => {
        const node = match.capture("finding");
        const seed = match.capture("seed");
        if (!node || !seed) return false;
        const constant = isConstantExpression(seed) || /^\[\s*\d+(u8)?\s*;\s*\d+\s*\]$/.test(seed.text);
        const name = destinationName(node);
        return (
          constant && name !== undefined && (namesSecurityValue(name) || generatorFeedsSecret(node.tree.rootNode, name))
        );
      },
    },
  ],
};

export const RUST_RULES: readonly RuleDefinition[] = [
  weakHash,
  tlsVerificationOff,
  customVerifier,
  command,
  sqlFormatting,
  fixedSeed,
];
