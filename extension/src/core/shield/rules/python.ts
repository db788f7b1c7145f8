import type { Node } from "web-tree-sitter";
import {
  destinationName,
  firstArgument,
  isConstantExpression,
  isLiteralString,
  keywordArgument,
  localAssignedValues,
  namesSecurityValue,
  nthArgument,
  positionalArguments,
  stringValue,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
import { anyOf, looksLikeSql } from "./shared";

const PY = ["python"] as const;

function isFalse(node: Node | undefined): boolean {
  return node?.type === "false";
}

function isTrue(node: Node | undefined): boolean {
  return node?.type === "true";
}

/** A command that is not a constant, unless every value spliced into it is shell-quoted. */
function firstArgumentIsBuilt(match: RuleMatch): boolean {
  const first = firstArgument(match.capture("args"));
  return (
    first !== undefined &&
    first.type !== "list_splat" &&
    !isConstantExpression(first) &&
    !isShellQuoted(first) &&
    !isLoopOverConstants(first)
  );
}

/**
 * `for cmd in ('ver', 'cmd /c ver'): run(cmd)`, or a loop over a module-level list of literals: the name takes only
 * the literals the loop lists.
 */
function isLoopOverConstants(node: Node): boolean {
  if (node.type !== "identifier" || localAssignedValues(node).length > 0) return false;
  for (let current = node.parent; current && current.type !== "function_definition"; current = current.parent) {
    if (current.type !== "for_statement" || current.childForFieldName("left")?.text !== node.text) continue;
    const sequence = current.childForFieldName("right");
    return (
      isConstantExpression(sequence) ||
      (sequence?.type === "identifier" && isConstantExpression(moduleConstant(sequence)))
    );
  }
  return false;
}

/** "Turtle." + name, where name loops over literals: text joined from constants only. */
function isJoinedFromConstants(node: Node | null | undefined): boolean {
  if (!node) return false;
  if (isConstantExpression(node) || isLoopOverConstants(node)) return true;
  if (node.type === "parenthesized_expression") return isJoinedFromConstants(node.namedChildren[0]);
  return (
    node.type === "binary_operator" &&
    node.childForFieldName("operator")?.text === "+" &&
    isJoinedFromConstants(node.childForFieldName("left")) &&
    isJoinedFromConstants(node.childForFieldName("right"))
  );
}

/** The functions python.os-command reports at their call sites. */
const SHELL_RUNNER_NAMES = ["system", "popen", "popen2", "popen3", "popen4", "getoutput", "getstatusoutput"];

/**
 * `def popen(cmd, ...)` or `def getstatusoutput(cmd)` handing its parameter to shell=True: the definition of a sink
 * the Shield already reports wherever it is called with a built command, so the call inside is not a second one.
 */
function definesShellRunner(node: Node): boolean {
  let scope: Node | null = node.parent;
  while (scope && scope.type !== "function_definition") scope = scope.parent;
  return SHELL_RUNNER_NAMES.includes(scope?.childForFieldName("name")?.text ?? "");
}

/**
 * As firstArgumentIsBuilt, except the enclosing function's own parameter passed on untouched: such a function is a
 * command runner (os.popen, getstatusoutput, a pager), and the injection, if any, is where its callers build the
 * command. A command that is another function's result, or a variable assembled or read earlier, is reported.
 */
function firstArgumentIsDynamic(match: RuleMatch): boolean {
  const first = firstArgument(match.capture("args"));
  return firstArgumentIsBuilt(match) && first !== undefined && !isUntouchedParameter(first);
}

/** A name that is a parameter of the enclosing function and is not assigned again before this point. */
function isUntouchedParameter(node: Node): boolean {
  if (node.type !== "identifier") return false;
  let scope: Node | null = node.parent;
  while (scope && scope.type !== "function_definition") scope = scope.parent;
  const parameters = scope?.childForFieldName("parameters");
  if (!parameters) return false;
  const declared = parameters.namedChildren.some(
    (parameter) =>
      parameter !== null &&
      (parameter.type === "identifier" ? parameter : parameter.namedChildren[0])?.text === node.text,
  );
  return declared && localAssignedValues(node).length === 0;
}

/** shlex.quote(x), pipes.quote(x), or x.replace("'", ...): a value escaped for the shell before it is spliced in. */
function isQuotedForShell(node: Node): boolean {
  if (node.type !== "call") return false;
  const callee = node.childForFieldName("function");
  if (/(^|\.)quote$/.test(callee?.text ?? "")) return true;
  const quoteChar = firstArgument(node.childForFieldName("arguments"));
  return (
    /\.replace$/.test(callee?.text ?? "") &&
    quoteChar !== undefined &&
    isLiteralString(quoteChar) &&
    stringValue(quoteChar) === "'"
  );
}

/** Every value spliced into the command text is shell-quoted (the template may come from configuration). */
function isShellQuoted(node: Node, depth = 0): boolean {
  if (node.type === "identifier") {
    // The assignment nearest before the call decides what the name holds there.
    const latest = depth === 0 ? localAssignedValues(node).at(-1) : undefined;
    return latest !== undefined && isShellQuoted(latest, depth + 1);
  }
  if (node.type === "binary_operator" && node.childForFieldName("operator")?.text === "%") {
    const right = node.childForFieldName("right");
    const inserted = right?.type === "tuple" ? right.namedChildren : [right];
    return inserted.every((value) => value !== null && (isConstantExpression(value) || isQuotedForShell(value)));
  }
  return false;
}

const WEAK_HASH_NAMES = new Set(["md5", "sha1", "md4", "md2", "sha"]);

const weakHash: RuleDefinition = {
  id: "python.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: "MD5 and SHA-1 are broken for security use (collisions are practical).",
  fixHint:
    "Use hashlib.sha256 (or blake2b); for passwords use hashlib.scrypt or a KDF. Pass usedforsecurity=False for checksums.",
  explanation:
    "Collisions for MD5 and SHA-1 can be computed cheaply, so they must not protect integrity, sign data or store passwords. " +
    "For a non-security checksum, say so with usedforsecurity=False and the Shield stays quiet.",
  patterns: [
    {
      languages: PY,
      query: `((call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding
        (#match? @callee "(^|\\.)(md5|sha1|md4|new)$"))`,
      accept: (match) => {
        const callee = match.capture("callee");
        const qualified = callee ? match.qualifiedName(callee) : "";
        if (!/^hashlib\.(md5|sha1|md4|new)$/.test(qualified)) return false;
        const args = match.capture("args");
        if (isFalse(keywordArgument(args, "usedforsecurity"))) return false;
        const call = match.capture("finding");
        if (call && isBranchForAlgorithmName(call)) return false;
        if (!qualified.endsWith(".new")) return true;
        const algorithm = firstArgument(args);
        return (
          algorithm !== undefined &&
          isLiteralString(algorithm) &&
          WEAK_HASH_NAMES.has(stringValue(algorithm).toLowerCase().replace("-", ""))
        );
      },
    },
    {
      languages: PY,
      query: `((call function: (attribute object: [(identifier) (attribute)] @module attribute: (identifier) @fn)) @finding
        (#eq? @fn "new"))`,
      // pycryptodome's Crypto.Hash modules, under whatever name `from Crypto.Hash import MD5 as ...` gave them.
      accept: (match) => {
        const module = match.capture("module");
        const qualified = module ? match.qualifiedName(module) : "";
        return (
          /(^|\.)(MD5|MD4|MD2|SHA|SHA1)$/.test(qualified) &&
          (!qualified.includes(".") || /^Crypto(dome)?\.Hash\./.test(qualified))
        );
      },
    },
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn)) @finding
        (#eq? @module "hashes") (#any-of? @fn "MD5" "SHA1"))`,
    },
  ],
};

function enclosingIfCondition(node: Node | undefined): string | undefined {
  const block = node?.parent?.parent;
  return block?.type === "block" && block.parent?.type === "if_statement"
    ? block.parent.childForFieldName("condition")?.text
    : undefined;
}

/** `algorithm == "MD5"`: a comparison with the literal name of a weak hash. */
const WEAK_ALGORITHM_TEST =
  /(==|!=|\bin)\s*[(\[]?\s*[rbu]?["'](md5|md4|sha|sha-?1)["']|["'](md5|md4|sha|sha-?1)["']\s*(==|!=)/i;

/**
 * The hash sits in a branch taken when a name compares equal to "MD5" or "SHA": a protocol or a peer chose the
 * algorithm (HTTP digest auth, APOP, file formats), and the code implements what was asked for.
 */
function isBranchForAlgorithmName(call: Node): boolean {
  for (
    let current: Node | null = call.parent;
    current && current.type !== "function_definition";
    current = current.parent
  ) {
    if (
      current.type === "if_statement" ||
      current.type === "elif_clause" ||
      current.type === "conditional_expression"
    ) {
      const condition =
        current.childForFieldName("condition") ??
        (current.type === "conditional_expression" ? current.namedChildren[1] : null);
      if (condition && WEAK_ALGORITHM_TEST.test(condition.text)) return true;
    }
  }
  return false;
}

/** Calls that bring outside text into the program: files, sockets, requests, the terminal. */
const OUTSIDE_TEXT =
  /\b(input|raw_input|open|getenv|get_?arg(ument|val|v)?s?)\s*\(|\.(read|readline|readlines|recv|recvfrom|get_json|getvalue)\s*\(|\brequest\.|\bsys\.argv\b|\bos\.environ\b|\bargs\.|\boptions\./;

/**
 * Code that is assembled (formatting, concatenation, f-strings) or read from outside. A variable that holds a
 * code object or a whole source, as debuggers and REPLs pass around, is the tool's purpose and is not reported.
 */
function isInjectedCode(node: Node | undefined, depth = 0): boolean {
  if (!node || isConstantExpression(node)) return false;
  if (node.type === "call" && node.childForFieldName("function")?.text === "compile") {
    return isInjectedCode(firstArgument(node.childForFieldName("arguments")), depth);
  }
  if (node.type === "call" && node.childForFieldName("function")?.text.endsWith("dedent")) {
    return isInjectedCode(firstArgument(node.childForFieldName("arguments")), depth);
  }
  if (isBuiltString(node) || OUTSIDE_TEXT.test(node.text)) return true;
  if (node.type === "identifier" && depth === 0)
    return localAssignedValues(node).some((value) => isInjectedCode(value, 1));
  return false;
}

function isBuiltString(node: Node): boolean {
  if (node.type === "string") return !isLiteralString(node);
  if (node.type === "binary_operator") {
    const operator = node.childForFieldName("operator")?.text;
    return (operator === "%" || operator === "+") && !isJoinedFromConstants(node);
  }
  if (node.type === "call") {
    const callee = node.childForFieldName("function");
    return (
      callee?.type === "attribute" &&
      callee.childForFieldName("attribute")?.text === "format" &&
      hasNonConstantArgument(node.childForFieldName("arguments"))
    );
  }
  return (
    node.type === "parenthesized_expression" &&
    node.namedChildren[0] !== null &&
    node.namedChildren[0] !== undefined &&
    isBuiltString(node.namedChildren[0])
  );
}

const evalCall: RuleDefinition = {
  id: "python.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "eval/exec runs code assembled from values or read from outside the program.",
  fixHint: "Parse data with ast.literal_eval or json.loads; dispatch on names with a dict instead of building code.",
  explanation:
    "eval and exec run whatever text they receive with the program's full rights. If any part of that text comes from a " +
    "user, a file or the network, it is remote code execution. The Shield reports code that is formatted, concatenated " +
    "or read from input; literals, and variables holding code the program compiled itself, are not reported.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn "eval" "exec"))`,
      accept: (match) => {
        const code = firstArgument(match.capture("args"));
        if (code && isCheckedAgainstConstants(code)) return false;
        // eval(fields[2]) parses a value picked out of data; eval(name)(...) looks a function up by a name that
        // came from data. Both are what ast.literal_eval and a dict of functions are for.
        if (
          match.capture("fn")?.text === "eval" &&
          (isPickedFromData(code) || match.capture("finding")?.parent?.type === "call")
        )
          return !isConstantExpression(code);
        if (match.capture("fn")?.text === "exec" && code !== undefined && definesFunctionFromTemplate(code))
          return false;
        return isInjectedCode(code);
      },
    },
  ],
};

/**
 * `elif request in ['True', 'False', 'None']: eval(request)`: the branch runs only when the name equals one of a
 * few literals, so the code evaluated is one the program wrote.
 */
function isCheckedAgainstConstants(code: Node): boolean {
  if (code.type !== "identifier") return false;
  for (
    let current: Node | null = code.parent;
    current && current.type !== "function_definition";
    current = current.parent
  ) {
    if (current.type !== "if_statement" && current.type !== "elif_clause") continue;
    const condition = current.childForFieldName("condition");
    if (condition?.type !== "comparison_operator") continue;
    const [left, right] = condition.namedChildren;
    const operator = condition.child(1)?.text;
    if (left?.text === code.text && (operator === "in" || operator === "==") && isConstantExpression(right))
      return true;
  }
  return false;
}

/** A statement that opens a definition: the template is the program's own source for a function or class. */
const DEFINITION_TEMPLATE = /^\s*(async\s+)?(def|class)\s/m;

/**
 * exec('def %s(self): ...' % name, namespace): a factory that writes a function from its own template and splices
 * in names (namedtuple-style code generation). The template is a literal, here or in a module-level constant.
 */
function definesFunctionFromTemplate(code: Node, depth = 0): boolean {
  let template: Node | null | undefined;
  // f"def {name}(self): ...": the literal text around the interpolations is the template.
  if (code.type === "string") return DEFINITION_TEMPLATE.test(stringValue(code));
  if (code.type === "binary_operator" && code.childForFieldName("operator")?.text === "%")
    template = code.childForFieldName("left");
  else if (
    code.type === "call" &&
    code.childForFieldName("function")?.type === "attribute" &&
    code.childForFieldName("function")?.childForFieldName("attribute")?.text === "format"
  ) {
    template = code.childForFieldName("function")?.childForFieldName("object");
  } else if (code.type === "identifier" && depth === 0) {
    const latest = localAssignedValues(code).at(-1);
    return latest !== undefined && definesFunctionFromTemplate(latest, depth + 1);
  }
  if (!template) return false;
  if (template.type === "identifier") template = moduleConstant(template);
  while (template?.type === "parenthesized_expression") template = template.namedChildren[0];
  // ('def %(method)s(self): ' + 'return ...'): a constant joined from pieces starts with its first piece.
  while (template?.type === "binary_operator" && isConstantExpression(template))
    template = template.childForFieldName("left");
  return (
    template !== undefined &&
    template !== null &&
    isLiteralString(template) &&
    DEFINITION_TEMPLATE.test(stringValue(template))
  );
}

/** The literal a module-level NAME = "..." assigns, for a name used inside a function. */
function moduleConstant(identifier: Node): Node | undefined {
  let root: Node | null = identifier;
  while (root?.parent) root = root.parent;
  for (const statement of root?.namedChildren ?? []) {
    const assignment = statement?.type === "expression_statement" ? statement.namedChildren[0] : undefined;
    if (assignment?.type === "assignment" && assignment.childForFieldName("left")?.text === identifier.text)
      return assignment.childForFieldName("right") ?? undefined;
  }
  return undefined;
}

function isPickedFromData(node: Node | undefined): boolean {
  return node?.type === "subscript" && !isConstantExpression(node.childForFieldName("value"));
}

const osCommand: RuleDefinition = {
  id: "python.os-command",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is built from a non-literal value.",
  fixHint: "Call subprocess.run([...], shell=False) with the arguments as a list; never build a shell string.",
  explanation:
    "os.system and os.popen hand the whole string to /bin/sh. If any part of it comes from outside, characters such as ; | $() " +
    "let an attacker run their own commands. A fixed literal command is not reported.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#any-of? @module "os" "commands" "popen2") (#any-of? @fn "system" "popen" "popen2" "popen3" "popen4" "getoutput" "getstatusoutput"))`,
      accept: firstArgumentIsDynamic,
    },
    {
      languages: PY,
      query: `((call function: (identifier) @fn arguments: (argument_list) @args) @finding (#any-of? @fn "system" "popen"))`,
      accept: firstArgumentIsDynamic,
    },
  ],
};

const subprocessShell: RuleDefinition = {
  id: "python.subprocess-shell",
  cwe: "CWE-78",
  severity: "block",
  message: "subprocess runs a non-literal command through the shell (shell=True).",
  fixHint: "Pass the command as a list and drop shell=True; use shlex.quote only if a shell is unavoidable.",
  explanation:
    "With shell=True the command string is parsed by /bin/sh, so a value spliced into it can add commands of its own. " +
    "shell=True with a fixed literal command, or a list without a shell, is not reported.",
  patterns: [
    {
      languages: PY,
      query: `((call function: [(attribute attribute: (identifier) @fn) (identifier) @fn] arguments: (argument_list) @args) @finding
        (#any-of? @fn "call" "check_call" "check_output" "run" "Popen"))`,
      accept: (match) => {
        const args = match.capture("args");
        if (!isTrue(keywordArgument(args, "shell"))) return false;
        // shell=True is asked for explicitly, so a function that hands its parameter to it is a shell-injection
        // sink of its own, unlike a plain command runner; unless it is one of the runners reported at its callers.
        const first = firstArgument(args);
        if (first && isUntouchedParameter(first) && definesShellRunner(first)) return false;
        return firstArgumentIsBuilt(match);
      },
    },
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#eq? @module "subprocess") (#any-of? @fn "getoutput" "getstatusoutput"))`,
      accept: firstArgumentIsDynamic,
    },
  ],
};

/** A query string built with %, .format, + or an f-string around SQL text. */
function isFormattedSql(node: Node | undefined): boolean {
  if (!node) return false;
  switch (node.type) {
    case "binary_operator": {
      const operator = node.childForFieldName("operator")?.text;
      const left = node.childForFieldName("left");
      const right = node.childForFieldName("right");
      if (operator === "%") return left !== null && isSqlText(left) && right !== null && !isConstantExpression(right);
      if (operator === "+") return !isConstantExpression(node) && (containsSqlText(left) || containsSqlText(right));
      return false;
    }
    case "call": {
      const callee = node.childForFieldName("function");
      // 'SELECT ...'.format() and .format("users") splice in nothing an attacker chose.
      return (
        callee?.type === "attribute" &&
        callee.childForFieldName("attribute")?.text === "format" &&
        isSqlText(callee.childForFieldName("object")) &&
        hasNonConstantArgument(node.childForFieldName("arguments"))
      );
    }
    case "string":
      return !isLiteralString(node) && looksLikeSql(node.text);
    case "parenthesized_expression":
      return isFormattedSql(node.namedChildren[0] ?? undefined);
    default:
      return false;
  }
}

/** Arguments that splice in something other than constants and SQL-quoted values. */
function hasNonConstantArgument(args: Node | null): boolean {
  return (args?.namedChildren ?? []).some((argument) => {
    if (argument === null || argument.type === "comment") return false;
    const value = argument.type === "keyword_argument" ? argument.childForFieldName("value") : argument;
    return !isConstantExpression(value) && !(value && isSqlQuoted(value));
  });
}

/**
 * name.replace('"', '""') or value.replace("'", "''"): doubling the quote is SQL's own escape, so the value stays
 * inside its quoted identifier or string. Also through a local variable assigned that way.
 */
function isSqlQuoted(node: Node, depth = 0): boolean {
  if (node.type === "identifier" && depth === 0) {
    const assigned = localAssignedValues(node);
    return assigned.length > 0 && assigned.every((value) => isSqlQuoted(value, 1));
  }
  if (node.type !== "call" || !/\.replace$/.test(node.childForFieldName("function")?.text ?? "")) return false;
  const [from, to] = positionalArguments(node.childForFieldName("arguments"));
  return (
    from !== undefined &&
    to !== undefined &&
    isLiteralString(from) &&
    isLiteralString(to) &&
    /^["']$/.test(stringValue(from)) &&
    stringValue(to) === stringValue(from).repeat(2)
  );
}

function isSqlText(node: Node | null): boolean {
  return node !== null && (node.type === "string" || node.type === "concatenated_string") && looksLikeSql(node.text);
}

function containsSqlText(node: Node | null): boolean {
  if (!node) return false;
  if (isSqlText(node)) return true;
  return (
    node.type === "binary_operator" &&
    (containsSqlText(node.childForFieldName("left")) || containsSqlText(node.childForFieldName("right")))
  );
}

const sqlFormatting: RuleDefinition = {
  id: "python.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by string formatting or concatenation.",
  fixHint: 'Pass values as query parameters: cursor.execute("... WHERE id = %s", (value,)).',
  explanation:
    "Values pasted into SQL text can close the string and add SQL of their own. Database drivers take the values separately " +
    "(placeholders such as %s, ? or :name) and never parse them as SQL.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#any-of? @fn "execute" "executemany" "executescript" "raw" "mogrify" "read_sql" "read_sql_query"))`,
      accept: (match) => isFormattedSql(firstArgument(match.capture("args"))),
    },
  ],
};

function isCopyIdiom(argument: Node | undefined): boolean {
  // pickle.loads(pickle.dumps(x)) deep-copies an object the program made itself.
  if (argument?.type !== "call") return false;
  const callee = argument.childForFieldName("function");
  const name = callee?.type === "attribute" ? callee.childForFieldName("attribute")?.text : callee?.text;
  return name === "dumps";
}

const unsafeDeserialization: RuleDefinition = {
  id: "python.unsafe-deserialization",
  cwe: "CWE-502",
  severity: "warn",
  message: "pickle-style deserialization runs code chosen by whoever wrote the data.",
  fixHint: "Use json (or yaml.safe_load) for data that crosses a trust boundary; sign pickles you must keep.",
  explanation:
    "pickle, shelve, jsonpickle and yaml.load with a full Loader rebuild arbitrary objects and can call any function " +
    "while loading. Data from a file, a socket or a user becomes code execution.",
  patterns: [
    {
      languages: PY,
      query: `((call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding
        (#match? @callee "(^|\\.)(load|loads|Unpickler|decode|open)$"))`,
      accept: (match) => {
        const callee = match.capture("callee");
        const qualified = callee ? match.qualifiedName(callee) : "";
        if (/^jsonpickle\.decode$|^shelve\.open$/.test(qualified)) return true;
        // An Unpickler imported by name is a building block (shelve's own storage); pickle.Unpickler(...) is a load.
        if (/Unpickler$/.test(qualified) && !callee?.text.includes(".")) return false;
        return (
          /^(pickle|cPickle|dill|cloudpickle|jsonpickle)\.(load|loads|Unpickler)$/.test(qualified) &&
          !isCopyIdiom(firstArgument(match.capture("args")))
        );
      },
    },
    {
      languages: PY,
      query: `((call function: [(identifier) (attribute)] @callee arguments: (argument_list) @args) @finding
        (#match? @callee "(^|\\.)(load|load_all|unsafe_load|unsafe_load_all)$"))`,
      accept: (match) => {
        const callee = match.capture("callee");
        const qualified = callee ? match.qualifiedName(callee) : "";
        if (!/^yaml\.(load|load_all|unsafe_load|unsafe_load_all)$/.test(qualified)) return false;
        if (qualified.startsWith("yaml.unsafe")) return true;
        const args = match.capture("args");
        // Options passed as **kwargs cannot be read here; the loader they name gets the benefit of the doubt.
        if (args?.namedChildren.some((argument) => argument?.type === "dictionary_splat")) return false;
        const loader = keywordArgument(args, "Loader") ?? nthArgument(args, 1);
        return loader === undefined || !isSafeYamlLoader(loader);
      },
    },
  ],
};

/** yaml.SafeLoader, CSafeLoader or BaseLoader, written out or held in a local variable assigned one earlier. */
function isSafeYamlLoader(loader: Node): boolean {
  if (/Safe|BaseLoader/.test(loader.text)) return true;
  return (
    loader.type === "identifier" && localAssignedValues(loader).some((value) => /Safe|BaseLoader/.test(value.text))
  );
}

const RANDOM_FUNCTIONS = [
  "random",
  "randint",
  "randrange",
  "choice",
  "choices",
  "sample",
  "getrandbits",
  "shuffle",
  "uniform",
  "randbytes",
];

/**
 * Unlike java.weak-random and csharp.weak-random, not every use: reporting each random-module call, as bandit's B311
 * does, was measured at 9 more flagged lines in CPython's standard library (uuid1's node and clock sequence, email
 * Message-IDs, imaplib's tag prefix, turtledemo's games), which would take that corpus past 0.1 per 1,000 lines.
 */
const weakRandom: RuleDefinition = {
  id: "python.weak-random",
  cwe: "CWE-338",
  severity: "warn",
  message: "The random module is predictable; this value looks security-sensitive (token, password, key, salt…).",
  fixHint: "Use the secrets module (secrets.token_hex, secrets.choice) or os.urandom.",
  explanation:
    "random is a Mersenne Twister: after 624 outputs an observer can predict every later one. Tokens, passwords, salts, " +
    "nonces and keys need a CSPRNG. The Shield reports random only where the value is named like a secret.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn)) @finding
        (#eq? @module "random") (#any-of? @fn ${anyOf(RANDOM_FUNCTIONS)}))`,
      accept: (match) => isSecurityDestination(match),
    },
    {
      languages: PY,
      query: `((call function: (identifier) @fn) @finding (#any-of? @fn "randint" "randrange" "getrandbits"))`,
      accept: (match) => isSecurityDestination(match),
    },
  ],
};

function isSecurityDestination(match: RuleMatch): boolean {
  const node = match.capture("finding");
  const name = node ? destinationName(node) : undefined;
  if (name !== undefined && namesSecurityValue(name)) return true;
  return node !== undefined && picksFromAlphabet(node);
}

const ALPHABET =
  /\bstring\.(ascii_\w+|digits|hexdigits|octdigits|punctuation|printable)\b|^(ascii_\w+|digits|hexdigits|punctuation|printable|chars|charset|characters|alphabet|letters|symbols|alphanumeric)\b/;

/**
 * random.choice/choices/sample over letters and digits: the program is making a random string, which is what
 * passwords, tokens and ids are made of.
 */
function picksFromAlphabet(call: Node): boolean {
  const callee = call.childForFieldName("function");
  if (!/(^|\.)(choice|choices|sample)$/.test(callee?.text ?? "")) return false;
  const population = firstArgument(call.childForFieldName("arguments") ?? undefined);
  if (!population) return false;
  if (ALPHABET.test(population.text)) return true;
  if (population.type === "identifier") {
    return localAssignedValues(population).some(
      (value) => ALPHABET.test(value.text) || (isLiteralString(value) && /^[A-Za-z0-9]{20,}$/.test(stringValue(value))),
    );
  }
  return false;
}

const fixedSeed: RuleDefinition = {
  id: "python.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "The random generator is seeded with a constant, so every run produces the same sequence.",
  fixHint: "Leave the generator unseeded, or use the secrets module for anything an attacker must not guess.",
  explanation: "A constant seed makes every 'random' value reproducible by anyone who reads the code.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list . [(integer) (string) (identifier)] @seed .)) @finding
        (#eq? @module "random") (#eq? @fn "seed"))`,
      // An ALL_CAPS name is a constant by convention: random.seed(SEED).
      accept: (match) =>
        match.capture("seed")?.type !== "identifier" || /^[A-Z][A-Z0-9_]*$/.test(match.capture("seed")?.text ?? ""),
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "python.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate or hostname verification is turned off.",
  fixHint: "Keep verify=True (the default); to trust a private CA pass verify='/path/to/ca.pem'.",
  explanation:
    "Without certificate checks anyone on the network path can impersonate the server and read or change the traffic.",
  patterns: [
    {
      languages: PY,
      query: `((call arguments: (argument_list (keyword_argument name: (identifier) @key value: (false)))) @finding (#eq? @key "verify"))`,
    },
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn)) @finding (#eq? @module "ssl") (#eq? @fn "_create_unverified_context"))`,
    },
    {
      languages: PY,
      query: `((assignment left: (attribute attribute: (identifier) @field) right: (false)) @finding (#eq? @field "check_hostname"))`,
      // Without a host name there is nothing to check the certificate's name against; the chain is still verified.
      accept: (match) =>
        !/^not\s+\w*host(name)?$|^\w*host(name)?\s+is\s+None$/.test(
          enclosingIfCondition(match.capture("finding")) ?? "",
        ),
    },
    {
      languages: PY,
      query: `((assignment left: (attribute attribute: (identifier) @field) right: (attribute attribute: (identifier) @value)) @finding (#eq? @field "verify_mode") (#eq? @value "CERT_NONE"))`,
    },
    {
      languages: PY,
      query: `((keyword_argument name: (identifier) @key value: (attribute attribute: (identifier) @value)) @finding (#eq? @key "cert_reqs") (#eq? @value "CERT_NONE"))`,
    },
  ],
};

const insecureTempFile: RuleDefinition = {
  id: "python.insecure-temp-file",
  cwe: "CWE-377",
  severity: "block",
  message: "tempfile.mktemp returns a name another process can create first.",
  fixHint: "Use tempfile.NamedTemporaryFile or tempfile.mkstemp, which create the file atomically.",
  explanation:
    "Between getting the name and opening the file an attacker can create a file or symlink with that name and make the " +
    "program write where they choose.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#any-of? @module "tempfile" "os") (#any-of? @fn "mktemp" "tempnam" "tmpnam"))`,
      // A Windows named-pipe name (\\.\pipe\...) is not a file in a shared temporary directory.
      accept: (match) =>
        !/^[rRbBuU]*["']\\+\.\\+pipe\\+/i.test(keywordArgument(match.capture("args"), "prefix")?.text ?? ""),
    },
  ],
};

const WEAK_CIPHER_MODULES = ["DES", "DES3", "ARC4", "ARC2", "Blowfish", "CAST", "XOR"];

const weakCipher: RuleDefinition = {
  id: "python.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: "A broken cipher or mode (DES, 3DES, RC4, Blowfish, ECB) is used.",
  fixHint: "Use AES-GCM or ChaCha20-Poly1305 (cryptography's AESGCM / ChaCha20Poly1305).",
  explanation:
    "DES and RC2/RC4/Blowfish have small keys or blocks or biased output; ECB encrypts equal blocks to equal ciphertext and " +
    "leaks patterns. None of them protect data today.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: [(identifier) (attribute)] @module attribute: (identifier) @fn)) @finding (#eq? @fn "new"))`,
      // `from Crypto.Cipher import DES as D` reads D.new as Crypto.Cipher.DES.new.
      accept: (match) => {
        const module = match.capture("module");
        const qualified = module ? match.qualifiedName(module) : "";
        const last = qualified.split(".").pop() ?? "";
        return (
          WEAK_CIPHER_MODULES.includes(last) && (!qualified.includes(".") || /^Crypto(dome)?\.Cipher\./.test(qualified))
        );
      },
    },
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn)) @finding
        (#any-of? @module "algorithms" "modes") (#any-of? @fn "TripleDES" "ARC4" "Blowfish" "IDEA" "CAST5" "SEED" "ECB"))`,
    },
    {
      languages: PY,
      query: `((call arguments: (argument_list (attribute attribute: (identifier) @mode))) @finding (#eq? @mode "MODE_ECB"))`,
    },
  ],
};

function isBytesLiteral(node: Node | undefined): boolean {
  if (!node) return false;
  if (isLiteralString(node)) return true;
  // b"\\x00" * 16
  return (
    node.type === "binary_operator" &&
    node.childForFieldName("operator")?.text === "*" &&
    isLiteralString(node.childForFieldName("left") as Node)
  );
}

const staticIv: RuleDefinition = {
  id: "python.static-iv",
  cwe: "CWE-329",
  severity: "block",
  message: "A fixed IV or nonce is written into the code.",
  fixHint: "Generate a fresh IV/nonce per message with os.urandom and store it next to the ciphertext.",
  explanation:
    "Reusing an IV makes equal plaintexts encrypt equally (CBC) and, for CTR and GCM, lets an attacker recover plaintext and " +
    "forge messages.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#any-of? @module "AES" "DES" "DES3" "Blowfish" "ARC2" "CAST" "ChaCha20" "Salsa20" "ChaCha20_Poly1305") (#eq? @fn "new"))`,
      accept: (match) => {
        const args = match.capture("args");
        return (
          isBytesLiteral(nthArgument(args, 2)) ||
          isBytesLiteral(keywordArgument(args, "iv")) ||
          isBytesLiteral(keywordArgument(args, "nonce"))
        );
      },
    },
    {
      languages: PY,
      query: `((call function: (attribute object: (identifier) @module attribute: (identifier) @fn) arguments: (argument_list) @args) @finding
        (#eq? @module "modes") (#any-of? @fn "CBC" "CTR" "GCM" "OFB" "CFB" "CFB8"))`,
      accept: (match) => isBytesLiteral(firstArgument(match.capture("args"))),
    },
  ],
};

const csrfDisabled: RuleDefinition = {
  id: "python.csrf-disabled",
  cwe: "CWE-352",
  severity: "warn",
  message: "CSRF protection is turned off.",
  fixHint: "Keep CSRF protection on and send the token from the client; exempt only endpoints that use no cookies.",
  explanation:
    "Without a CSRF token any web page the user visits can submit requests with the user's cookies to this endpoint.",
  patterns: [
    { languages: PY, query: `((decorator (identifier) @name) @finding (#eq? @name "csrf_exempt"))` },
    {
      languages: PY,
      query: `((assignment left: (_) @setting right: (false)) @finding (#match? @setting "WTF_CSRF_ENABLED|CSRF_ENABLED"))`,
    },
  ],
};

const cookieFlags: RuleDefinition = {
  id: "python.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "A cookie is set without secure=True and httponly=True.",
  fixHint: "Pass secure=True, httponly=True and samesite='Lax' (or 'Strict') to set_cookie.",
  explanation:
    "Without Secure the cookie is sent over plain HTTP; without HttpOnly any injected script can read it. Session cookies " +
    "need both.",
  patterns: [
    {
      languages: PY,
      query: `((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list) @args) @finding (#eq? @fn "set_cookie"))`,
      accept: (match) => {
        // set_cookie(name, value, ...) is the web-framework call; CookieJar.set_cookie(cookie) is not.
        const args = match.capture("args");
        if (positionalArguments(args).length < 2 && keywordArgument(args, "value") === undefined) return false;
        // Flags passed as **options, or read from a settings object, are the application's policy: only a flag that
        // is missing or literally False is reported.
        if (args?.namedChildren.some((argument) => argument?.type === "dictionary_splat")) return false;
        return ["secure", "httponly"].some((flag) => {
          const value = keywordArgument(args, flag);
          return value === undefined || isFalse(value) || value.type === "none";
        });
      },
    },
    {
      languages: PY,
      query: `((assignment left: (identifier) @setting right: (false)) @finding (#any-of? @setting "SESSION_COOKIE_SECURE" "SESSION_COOKIE_HTTPONLY" "CSRF_COOKIE_SECURE"))`,
    },
  ],
};

const xxe: RuleDefinition = {
  id: "python.xxe",
  cwe: "CWE-611",
  severity: "block",
  message: "The XML parser is told to resolve external entities.",
  fixHint: "Use defusedxml, or keep resolve_entities=False and no_network=True.",
  explanation:
    "External entities let a document read local files (file:///etc/passwd) or make the server send requests; entity " +
    "expansion can exhaust memory.",
  patterns: [
    {
      languages: PY,
      query: `((keyword_argument name: (identifier) @key value: (true)) @finding (#any-of? @key "resolve_entities" "load_dtd"))`,
    },
    {
      languages: PY,
      query: `((keyword_argument name: (identifier) @key value: (false)) @finding (#eq? @key "no_network"))`,
    },
    {
      languages: PY,
      query: `((call function: (attribute attribute: (identifier) @fn) arguments: (argument_list . (_) @feature . (true))) @finding
        (#eq? @fn "setFeature") (#match? @feature "external_ges|external_pes"))`,
    },
  ],
};

export const PYTHON_RULES: readonly RuleDefinition[] = [
  weakHash,
  evalCall,
  osCommand,
  subprocessShell,
  sqlFormatting,
  unsafeDeserialization,
  weakRandom,
  fixedSeed,
  tlsVerificationOff,
  insecureTempFile,
  weakCipher,
  staticIv,
  csrfDisabled,
  cookieFlags,
  xxe,
];
