import type { Node } from "web-tree-sitter";
import { destinationName, isConstantExpression, isSecretName, localAssignedValues } from "../syntax";
import type { RuleDefinition } from "../types";
import {
  COMMAND_EXPLANATION,
  looksLikeSql,
  SQL_EXPLANATION,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
} from "./shared";

const RUBY = ["ruby"] as const;

function isDynamic(node: Node | undefined): boolean {
  return node !== undefined && !isConstantExpression(node);
}

/** `x.shellescape`, `Shellwords.escape(x)`, `x.to_i`: a value that cannot add shell syntax. */
function isShellEscaped(node: Node): boolean {
  const text = node.text;
  return (
    /\.(shellescape|to_i|to_f)$/.test(text) ||
    /^(Shellwords\.(escape|shellescape)|shellescape)\b/.test(text) ||
    /^(Process\.(pid|ppid)|\$\$)$/.test(text)
  );
}

/**
 * A command line that goes through the shell and carries a value: `system(*argv)` passes an argument vector and no
 * shell parses it; interpolations that are all shell-escaped add no syntax.
 */
function isShellCommandWithValue(command: Node | undefined): boolean {
  if (!command || command.type === "splat_argument" || !isDynamic(command)) return false;
  if (command.type === "string" || command.type === "subshell") {
    return command.namedChildren.some(
      (part) =>
        part?.type === "interpolation" && !part.namedChildren.every((value) => value !== null && isShellEscaped(value)),
    );
  }
  return true;
}

/** Request input, or text read from the terminal, a socket or an encoded transport form. */
const RUBY_INPUT =
  /\b(params|request|cookies)\b|\bgets\b|\bARGV\b|\bSTDIN\b|\$stdin|\b(decode64|urlsafe_decode64|unescape|recv|recvfrom|read_nonblock)\b/;

/** The value comes from input, directly or through a local variable assigned from it earlier in the method. */
function isInputDerived(node: Node | undefined): boolean {
  if (!node) return false;
  if (RUBY_INPUT.test(node.text)) return true;
  return node.type === "identifier" && localAssignedValues(node).some((value) => RUBY_INPUT.test(value.text));
}

/** A template with a method definition in it: metaprogramming that writes the program's own methods. */
const DEFINITION_TEMPLATE = /(^|[\s;])(def|attr_\w+|alias_method|define_method)\s/;

/**
 * Code assembled from values or read from input. Blocks (`instance_eval(&block)`, `class_eval do ... end`) are not
 * strings at all; heredoc templates and code passed with `__FILE__`/`__LINE__` are the file's own source written out
 * for metaprogramming; a bare variable of unknown origin is where a REPL or a loader keeps code and is not reported.
 */
function isInjectedRubyCode(call: Node | undefined, args: Node | undefined): boolean {
  // Code evaluated in an explicit binding (`b.eval(src)`, `eval(src, binding)`) is a REPL, debugger or template
  // engine at work: evaluating what its user typed is the tool's purpose.
  if (/bind(ing)?$/i.test(call?.childForFieldName("receiver")?.text ?? "")) return false;
  if (args?.namedChildren.slice(1).some((argument) => argument !== null && /bind(ing)?\b/i.test(argument.text)))
    return false;
  const code = args?.namedChildren[0];
  if (!code || !isDynamic(code)) return false;
  if (code.type === "block_argument" || code.type === "heredoc_beginning") return false;
  if (args.namedChildren.some((argument) => argument !== null && /__(FILE|LINE)__/.test(argument.text))) return false;
  if (code.type === "string") {
    const literal = code.namedChildren
      .filter((part) => part?.type === "string_content")
      .map((part) => part?.text ?? "")
      .join(" ");
    return !DEFINITION_TEMPLATE.test(literal) && code.namedChildren.some((part) => part?.type === "interpolation");
  }
  if (code.type === "binary" && code.child(1)?.text === "+") return true;
  return isInputDerived(code) || /\bFile\.read\b|\bIO\.read\b/.test(code.text);
}

const command: RuleDefinition = {
  id: "ruby.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is built from interpolated or non-literal values.",
  fixHint: 'Pass the program and its arguments separately: system("tar", "-xf", path).',
  explanation: COMMAND_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call !receiver method: (identifier) @fn arguments: (argument_list . (_) @command .)) @finding (#any-of? @fn "system" "exec" "spawn" "popen"))`,
      accept: (match) => isShellCommandWithValue(match.capture("command")),
    },
    {
      languages: RUBY,
      query: `((call receiver: (_) @receiver method: (identifier) @fn arguments: (argument_list . (_) @command .)) @finding (#match? @receiver "^(Kernel|IO|Open3|PTY)$") (#match? @fn "^(system|exec|spawn|popen|popen2|popen3|capture2|capture2e|capture3|spawn)$"))`,
      accept: (match) => isShellCommandWithValue(match.capture("command")),
    },
    {
      languages: RUBY,
      query: `((subshell (interpolation)) @finding)`,
      accept: (match) => isShellCommandWithValue(match.capture("finding")),
    },
  ],
};

const evalCall: RuleDefinition = {
  id: "ruby.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "Code assembled from values or read from input is evaluated (eval, instance_eval, class_eval).",
  fixHint: "Use public_send with an allow-listed method name, or blocks instead of strings.",
  explanation:
    "Evaluated strings run with the application's rights; any user-controlled part becomes code injection. The Shield " +
    "reports code built by interpolation or concatenation, or read from requests, files or the terminal; blocks, " +
    "heredoc templates and code passed with __FILE__/__LINE__ (metaprogramming on the program's own source) are not.",
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn "eval" "instance_eval" "class_eval" "module_eval" "instance_exec"))`,
      accept: (match) => isInjectedRubyCode(match.capture("finding"), match.capture("args")),
    },
  ],
};

/** `Marshal.load(Marshal.dump(x))`: a deep copy of an object the program made itself. */
function isCopyIdiom(data: Node | undefined): boolean {
  return data !== undefined && /^Marshal\s*(\.|::)\s*dump\b/.test(data.text);
}

/** The key of a `key: value` or `:key => value` pair, without its colon. */
function pairKey(pair: Node): string {
  return (pair.childForFieldName("key")?.text ?? "").replace(/^:|:$/g, "");
}

/**
 * An option turned on: `true`, or a value from a variable or a settings object (`secure: config.secure_cookies`),
 * which is the application's policy and not judged here. Only a literal false or nil, or no option, is off.
 */
function optionIsOn(container: Node, key: string): boolean {
  return container.namedChildren.some((child) => {
    if (child?.type !== "pair" || pairKey(child) !== key) return false;
    const value = child.childForFieldName("value");
    return value !== null && value.type !== "false" && value.type !== "nil";
  });
}

/**
 * `YAML.load(text, safe: true)`, `permitted_classes:`, or options passed as `**options` whose hash (assigned in
 * the same method) says so: the caller asked for the safe loader. Options the snippet cannot see, and a safe:
 * value held in a variable, are given the benefit of the doubt.
 */
function asksForSafeYaml(args: Node | undefined): boolean {
  if (args && (optionIsOn(args, "safe") || optionIsOn(args, "permitted_classes"))) return true;
  for (const argument of args?.namedChildren ?? []) {
    if (!argument) continue;
    if (argument.type === "hash_splat_argument") {
      const options = argument.namedChildren[0];
      if (options?.type !== "identifier") return true;
      const assigned = localAssignedValues(options);
      if (assigned.length === 0 || assigned.some((value) => /\bsafe:\s*true|permitted_classes/.test(value.text)))
        return true;
    }
  }
  return false;
}

const deserialization: RuleDefinition = {
  id: "ruby.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "block",
  message: "Marshal.load / YAML.load rebuild arbitrary objects from data that comes from input.",
  fixHint: "Use JSON.parse or YAML.safe_load with permitted_classes.",
  explanation:
    "Loading objects from untrusted data runs code through gadget chains in common gems. The Shield reports loads of " +
    "request parameters, cookies, decoded transport data (Base64, CGI escapes) and socket or terminal input, directly or " +
    "through a local variable; YAML.unsafe_load is reported always, YAML.load with safe: true or permitted classes never.",
  patterns: [
    {
      languages: RUBY,
      query: `((call receiver: (constant) @receiver method: (identifier) @fn arguments: (argument_list . (_) @data)) @finding (#eq? @receiver "Marshal") (#any-of? @fn "load" "restore"))`,
      accept: (match) => !isCopyIdiom(match.capture("data")) && isInputDerived(match.capture("data")),
    },
    {
      languages: RUBY,
      query: `((call receiver: (constant) @receiver method: (identifier) @fn arguments: (argument_list . (_) @data) @args) @finding (#any-of? @receiver "YAML" "Psych") (#any-of? @fn "load" "unsafe_load" "load_documents"))`,
      accept: (match) =>
        match.capture("fn")?.text === "unsafe_load" ||
        (!asksForSafeYaml(match.capture("args")) && isInputDerived(match.capture("data"))),
    },
  ],
};

const weakHash: RuleDefinition = {
  id: "ruby.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call receiver: (scope_resolution name: (constant) @algorithm) arguments: (_)? @args) @finding (#any-of? @algorithm "MD5" "SHA1"))`,
      // Protocols that mandate MD5 (CRAM-MD5, HTTP digest, APOP) and hashes used as names or cache keys are the
      // bulk of MD5 in Ruby code; a hash stored as a password, token or key, or of a password, is the weakness.
      accept: (match) => {
        const call = match.capture("finding");
        const name = call ? destinationName(call) : undefined;
        return (
          (name !== undefined && isSecretName(name.replace(/^[@:$]+/, ""))) ||
          /passw(or)?d|passwd/i.test(match.capture("args")?.text ?? "")
        );
      },
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "ruby.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate verification is turned off (VERIFY_NONE).",
  fixHint: "Use OpenSSL::SSL::VERIFY_PEER and add private CAs to the cert store.",
  explanation: "Without certificate checks anyone on the network path can impersonate the server.",
  patterns: [
    {
      languages: RUBY,
      query: `((scope_resolution name: (constant) @name) @finding (#eq? @name "VERIFY_NONE"))`,
      // `mode != VERIFY_NONE` tests the setting; `verify ? VERIFY_PEER : VERIFY_NONE` lets the user's setting choose.
      accept: (match) => {
        const parent = match.capture("finding")?.parent;
        if (parent?.type === "conditional") return !/VERIFY_PEER/.test(parent.text);
        return !(parent?.type === "binary" && /^(==|!=|===)$/.test(parent.child(1)?.text ?? ""));
      },
    },
  ],
};

const csrfDisabled: RuleDefinition = {
  id: "ruby.csrf-disabled",
  cwe: "CWE-352",
  severity: "warn",
  message: "Rails CSRF protection is skipped or weakened.",
  fixHint: "Keep protect_from_forgery with: :exception; skip it only for token-authenticated API controllers.",
  explanation: "Without the authenticity token any page the user visits can submit requests with their session.",
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list (simple_symbol) @filter)) @finding (#match? @fn "^skip_(before|around)_(action|filter)$") (#eq? @filter ":verify_authenticity_token"))`,
    },
    { languages: RUBY, query: `((identifier) @finding (#eq? @finding "skip_forgery_protection"))` },
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn) @finding (#eq? @fn "skip_forgery_protection"))`,
    },
    {
      languages: RUBY,
      query: `((assignment left: (call method: (identifier) @setting) right: (false)) @finding (#eq? @setting "allow_forgery_protection"))`,
      // The test environment turns it off so request specs need no token.
      accept: (match) => !/\btest\b/.test(match.capture("finding")?.tree.rootNode.text.slice(0, 2000) ?? ""),
    },
  ],
};

const sqlInterpolation: RuleDefinition = {
  id: "ruby.sql-interpolation",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by string interpolation or concatenation.",
  fixHint: 'Use placeholders: where("name = ?", name) or where(name: name).',
  explanation: SQL_EXPLANATION,
  patterns: [
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list . [(string (interpolation)) (binary)] @sql)) @finding (#match? @fn "^(where|find_by_sql|execute|exec_query|select_all|select_one|select_value|order|having|joins|group|pluck|count_by_sql|query)$"))`,
      accept: (match) => {
        const fn = match.capture("fn")?.text ?? "";
        const sql = match.capture("sql");
        // "..." + value: a concatenation that is not constant and has SQL text in it.
        if (sql?.type === "binary" && (sql.child(1)?.text !== "+" || !isDynamic(sql) || !/["']/.test(sql.text)))
          return false;
        return /^(where|having|order|joins|group|pluck)$/.test(fn) || looksLikeSql(sql?.text ?? "");
      },
    },
  ],
};

/** `cookies[:name] = { value: v, ... }` without both `secure: true` and `httponly: true`. */
const cookieFlags: RuleDefinition = {
  id: "ruby.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "A cookie is set without secure: true and httponly: true.",
  fixHint: "Add secure: true, httponly: true and same_site: :lax to the cookie's options.",
  explanation:
    "Without Secure the cookie is sent over plain HTTP; without HttpOnly any injected script can read it. Options " +
    "merged from a settings hash (**options) or read from settings (secure: config.x) are the application's policy " +
    "and are not judged.",
  patterns: [
    {
      languages: RUBY,
      query: `((assignment left: (element_reference object: (identifier) @jar) right: (hash) @options) @finding (#eq? @jar "cookies"))`,
      accept: (match) => {
        const options = match.capture("options");
        if (!options || options.namedChildren.some((child) => child?.type === "hash_splat_argument")) return false;
        return !optionIsOn(options, "secure") || !optionIsOn(options, "httponly");
      },
    },
  ],
};

/**
 * params[:type].constantize, Object.const_get(params[:klass]), send(params[:action]): the request names the class to
 * instantiate or the method to call, including ones never meant to be reachable (destroy, system, eval through
 * Kernel). Only the request counts as input here: sockets and terminals name methods in protocol code on purpose.
 */
const REQUEST_PARAMS = /\b(params|cookies)\b|\brequest\.(params|query_parameters|request_parameters|path_parameters)\b/;

function isRequestParam(node: Node | undefined): boolean {
  if (!node || isConstantExpression(node)) return false;
  if (REQUEST_PARAMS.test(node.text)) return true;
  return node.type === "identifier" && localAssignedValues(node).some((value) => REQUEST_PARAMS.test(value.text));
}

const unsafeReflection: RuleDefinition = {
  id: "ruby.unsafe-reflection",
  cwe: "CWE-470",
  severity: "block",
  message: "A class or method is chosen by name from request input.",
  fixHint: "Map the allowed names to classes or methods with a fixed hash or case statement, and reject the rest.",
  explanation:
    "constantize, const_get, send and public_send resolve any name the caller supplies. A request can instantiate any " +
    "loaded class or call any method, private ones included with send, which is often a step to code execution.",
  patterns: [
    {
      languages: RUBY,
      query: `((call receiver: (_) @name method: (identifier) @fn) @finding (#any-of? @fn "constantize" "safe_constantize"))`,
      accept: (match) => isRequestParam(match.capture("name")),
    },
    {
      languages: RUBY,
      query: `((call method: (identifier) @fn arguments: (argument_list . (_) @name)) @finding (#any-of? @fn "const_get" "send" "public_send" "__send__" "method" "instance_variable_get" "instance_variable_set"))`,
      accept: (match) => isRequestParam(match.capture("name")),
    },
  ],
};

export const RUBY_RULES: readonly RuleDefinition[] = [
  cookieFlags,
  command,
  evalCall,
  deserialization,
  weakHash,
  tlsVerificationOff,
  csrfDisabled,
  sqlInterpolation,
  unsafeReflection,
];
