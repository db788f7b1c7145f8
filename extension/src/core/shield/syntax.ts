import type { Node } from "web-tree-sitter";

/** String literal node types across the grammars the Shield loads. */
const STRING_TYPES = new Set([
  "string", // python, javascript, php (single-quoted), ruby, bash
  "template_string",
  "string_literal", // java, c, cpp, csharp, rust
  "raw_string_literal",
  "verbatim_string_literal",
  "interpreted_string_literal", // go
  "encapsed_string", // php double-quoted
  "heredoc",
  "nowdoc",
  "raw_string", // bash
  "text_block", // java
  "interpolated_string_expression", // csharp
  "concatenated_string", // python, c
]);

/** Node types that interpolate code into a string. */
const INTERPOLATION_TYPES = new Set([
  "interpolation", // python f-string, ruby, csharp
  "template_substitution", // javascript
  "variable_name", // php "...$x..."
  "simple_expansion", // bash
  "expansion",
  "command_substitution",
  "subscript_expression",
  "member_access_expression",
  "dynamic_variable_name",
]);

const LITERAL_TYPES = new Set([
  "integer",
  "float",
  "number",
  "number_literal",
  "integer_literal",
  "int_literal", // go
  "float_literal",
  "rune_literal",
  "decimal_integer_literal",
  "hex_integer_literal",
  "true",
  "false",
  "null",
  "none",
  "nil",
  "null_literal",
  "boolean_literal",
  "char_literal",
  "character_literal",
  "real_literal",
]);

export function isStringNode(node: Node): boolean {
  return STRING_TYPES.has(node.type);
}

function hasInterpolation(node: Node): boolean {
  for (const child of node.namedChildren) {
    if (!child) continue;
    if (INTERPOLATION_TYPES.has(child.type)) return true;
    if (child.type === "concatenated_string" || child.type === "string") {
      if (hasInterpolation(child)) return true;
    }
  }
  return false;
}

/** A string written out in full in the source: no interpolation, no variables. */
export function isLiteralString(node: Node): boolean {
  return isStringNode(node) && !hasInterpolation(node);
}

/**
 * True when the expression's value is fixed in the source: literals, and literals joined by `+`
 * or `.` (PHP), parenthesised, or in an array/list of literals.
 */
export function isConstantExpression(node: Node | null | undefined): boolean {
  if (!node) return false;
  if (isStringNode(node)) return !hasInterpolation(node);
  if (LITERAL_TYPES.has(node.type)) return true;
  switch (node.type) {
    case "parenthesized_expression":
    case "argument":
      return node.namedChildren.every(
        (child) => child === null || child.type === "comment" || isConstantExpression(child),
      );
    case "binary_expression":
    case "binary_operator":
    case "binary": {
      const operator = node.childForFieldName("operator")?.text ?? node.child(1)?.text;
      if (operator !== "+" && operator !== ".") return false;
      return (
        isConstantExpression(node.childForFieldName("left")) && isConstantExpression(node.childForFieldName("right"))
      );
    }
    case "list":
    case "tuple":
    case "array":
    case "array_creation_expression":
    case "array_initializer":
    case "initializer_list":
    case "array_expression":
    case "implicit_array_creation_expression":
    case "initializer_expression":
    case "collection_expression":
      return node.namedChildren.every(
        (child) =>
          child === null ||
          child.type === "comment" ||
          !child.isNamed ||
          isConstantExpression(child) ||
          isTypeNode(child),
      );
    default:
      return false;
  }
}

function isTypeNode(node: Node): boolean {
  return (
    /type|dimensions|identifier$/.test(node.type) && node.type !== "identifier" && node.type !== "field_identifier"
  );
}

/** The text between the quotes of a literal string, with simple escapes left as written. */
export function stringValue(node: Node): string {
  const text = node.text;
  const content = node.namedChildren.filter((c) => c && /content|fragment|escape_sequence/.test(c.type));
  if (content.length > 0) return content.map((c) => c?.text ?? "").join("");
  return text.replace(/^[a-zA-Z@$]*("""|'''|"|'|`)/, "").replace(/("""|'''|"|'|`)$/, "");
}

/** Positional arguments of a call, skipping punctuation, comments and keyword arguments. */
export function positionalArguments(argumentList: Node | null | undefined): Node[] {
  if (!argumentList) return [];
  return argumentList.namedChildren.filter(
    (child): child is Node => child !== null && child.type !== "comment" && child.type !== "keyword_argument",
  );
}

/** The first positional argument, unwrapped from wrapper nodes some grammars add (C#, PHP). */
export function firstArgument(argumentList: Node | null | undefined): Node | undefined {
  const first = positionalArguments(argumentList)[0];
  return first ? unwrapArgument(first) : undefined;
}

export function nthArgument(argumentList: Node | null | undefined, index: number): Node | undefined {
  const node = positionalArguments(argumentList)[index];
  return node ? unwrapArgument(node) : undefined;
}

export function unwrapArgument(node: Node): Node {
  if (node.type === "argument" && node.namedChildCount >= 1) {
    const inner = node.namedChildren.filter(
      (c): c is Node => c !== null && c.type !== "name" && c.type !== "name_colon",
    );
    if (inner.length === 1 && inner[0]) return inner[0];
  }
  return node;
}

/** The value of a keyword argument such as Python's `shell=True`, if present. */
export function keywordArgument(argumentList: Node | null | undefined, name: string): Node | undefined {
  if (!argumentList) return undefined;
  for (const child of argumentList.namedChildren) {
    if (child?.type === "keyword_argument" && child.childForFieldName("name")?.text === name) {
      return child.childForFieldName("value") ?? undefined;
    }
  }
  return undefined;
}

/** Splits an identifier into lower-case words: `apiKeySecret` and `API_KEY_SECRET` give [api, key, secret]. */
function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/** Words that mark a value as a credential when they name a variable, field or key. */
const SECRET_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "passphrase",
  "secret",
  "apikey",
  "credential",
  "credentials",
  "privatekey",
]);

/** "token" alone names lexer tokens too; it names a credential only after one of these. */
const TOKEN_QUALIFIERS = new Set([
  "access",
  "auth",
  "api",
  "bearer",
  "refresh",
  "secret",
  "oauth",
  "github",
  "gitlab",
  "slack",
  "client",
  "private",
  "session",
  "bot",
]);

/** Words that, next to a secret word, mean the name is about something else (a label, a path, a template). */
const NOT_SECRET_WORDS = new Set([
  "template",
  "file",
  "path",
  "dir",
  "url",
  "uri",
  "field",
  "col",
  "column",
  "name",
  "label",
  "prompt",
  "placeholder",
  "message",
  "msg",
  "type",
  "mode",
  "length",
  "len",
  "size",
  "min",
  "max",
  "regex",
  "pattern",
  "policy",
  "header",
  "param",
  "key", // "password_key" names a lookup key, not a password
  "env",
  "var",
  "id",
  "format",
  "count",
  "hash",
  "hint",
  "error",
  "text",
  "title",
  "class",
  "style",
  "validator",
  "reset",
  "required",
  "endpoint",
  "route",
  "method",
  "input",
  "selector",
  "storage",
  "cache",
  "kind",
  "question",
  "expires",
  "expiry",
  "ttl",
  "timeout",
  "symbol",
  "types",
  "tokens",
  "tokenizer",
  "lexer",
  "parser",
  "index",
  "pos",
  "start",
  "end",
  "char",
  "chars",
  "separator",
  "sep",
  "delimiter",
  "prefix",
  "suffix",
  "changed",
  "enabled",
  "visible",
  "state",
  "status",
  "cwd",
]);

export function isSecretName(name: string): boolean {
  const words = identifierWords(name);
  if (words.length === 0) return false;
  const joined = words.join("");
  const hasSecret =
    words.some((w) => SECRET_WORDS.has(w)) ||
    words.some((w, i) => w === "token" && i > 0 && TOKEN_QUALIFIERS.has(words[i - 1] ?? "")) ||
    /^(api|access|auth|secret|private|client|app)(key|token|secret)$/.test(joined) ||
    words.some(
      (w, i) =>
        (w === "api" || w === "secret" || w === "private" || w === "access") &&
        (words[i + 1] === "key" || words[i + 1] === "token"),
    );
  if (!hasSecret) return false;
  const last = words[words.length - 1] ?? "";
  if (NOT_SECRET_WORDS.has(last) && !(last === "key" && /(api|secret|private|access)key$/.test(joined))) return false;
  return !words.some((w) => w !== "key" && NOT_SECRET_WORDS.has(w));
}

/** A string that looks like a real credential rather than a placeholder, a label or a path. */
export function looksLikeSecretValue(value: string, name = ""): boolean {
  if (value.length < 3 || value.length > 200) return false;
  // Error codes and enum values: "invalidUserNameOrPassword", "password-reset", "auth.token_expired".
  if (/^[a-z]+(?:[A-Z][a-z]+)+$/.test(value) || /^[a-z]+(?:[_.-][a-z]+)+$/.test(value)) return false;
  const valueWords = identifierWords(value).join("");
  if (/password|passwd|secret|token|credential|apikey/.test(valueWords)) return false;
  if (name !== "" && identifierWords(name).join("") === valueWords) return false;
  if (/\s/.test(value)) return false;
  if (/[/\\]/.test(value) && !/^[A-Za-z0-9+/=]{20,}$/.test(value)) return false; // paths and URLs
  if (/^[.#:$%{<[]/.test(value) || /[{}<>]/.test(value)) return false; // format strings, templates, selectors
  if (
    /^(yes|no|on|off|enabled|disabled|required|optional|none|null|nil|undefined|true|false|password|secret|token|changeme|xxx+|\*+|example|test|dummy|placeholder|your[_-]?\w*|\w*_here|default|include|omit)$/i.test(
      value,
    )
  )
    return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(value) && value.includes("_")) return false; // an environment variable's name
  if (/\.(html?|txt|json|ya?ml|xml|pem|key|crt|cfg|conf|ini)$/i.test(value)) return false;
  return true;
}

/** Words that mark a random value as security-relevant when they name where it goes. */
const SECURITY_RANDOM_WORDS = new Set([
  "password",
  "passwd",
  "pwd",
  "secret",
  "token",
  "nonce",
  "salt",
  "csrf",
  "xsrf",
  "otp",
  "session",
  "sessionid",
  "sid",
  "key",
  "apikey",
  "iv",
  "uuid",
  "guid",
  "auth",
  "credential",
  "captcha",
  "seed",
  "crypt",
  "cipher",
  "hmac",
  "signature",
  "challenge",
  "verifier",
  "pin",
]);

export function namesSecurityValue(name: string): boolean {
  return identifierWords(name).some((w) => SECURITY_RANDOM_WORDS.has(w));
}

const IDENTIFIER_WORDS = new Set(["id", "ids", "uid", "uuid", "guid", "identifier"]);

/** Names of values that identify something (ids, uuids): guessable ones let one user address another's objects. */
export function namesIdentifier(name: string): boolean {
  return identifierWords(name).some((w) => IDENTIFIER_WORDS.has(w));
}

/**
 * The names of the functions around a node, innermost first: declared names, and the variable, property or
 * field an anonymous function is stored in (`generateId: function () {…}`).
 */
export function enclosingFunctionNames(node: Node): string[] {
  const names: string[] = [];
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (!SCOPE_TYPES.has(current.type) || current.type === "program" || current.type === "module") continue;
    const own = current.childForFieldName("name")?.text;
    let holder = current.parent;
    // An immediately invoked function, `id: (function () {…})()`, is named by where its result is stored.
    while (
      holder &&
      (holder.type === "parenthesized_expression" ||
        (holder.type === "call_expression" && holder.childForFieldName("function") !== null))
    )
      holder = holder.parent;
    const stored =
      holder &&
      [
        "variable_declarator",
        "pair",
        "assignment_expression",
        "assignment",
        "field_definition",
        "public_field_definition",
      ].includes(holder.type)
        ? (
            holder.childForFieldName("name") ??
            holder.childForFieldName("key") ??
            holder.childForFieldName("left") ??
            holder.childForFieldName("property")
          )?.text
        : undefined;
    const name = own ?? stored;
    if (name) names.push(name.slice(0, 80));
  }
  return names;
}

/** Node types that name where a value goes: assignments, declarations, fields, returns of named functions. */
const NAMING_ANCESTORS = new Set([
  "assignment",
  "augmented_assignment",
  "assignment_expression",
  "augmented_assignment_expression",
  "variable_declarator",
  "init_declarator",
  "local_variable_declaration",
  "field_declaration",
  "pair",
  "keyword_argument",
  "short_var_declaration",
  "let_declaration",
  "property_declaration",
  "function_definition",
  "function_declaration",
  "method_declaration",
  "method_definition",
  "function_item",
  "method",
  "arrow_function",
  "function_expression",
  "lambda",
]);

const FUNCTION_TYPES = new Set([
  "function_definition",
  "function_declaration",
  "method_declaration",
  "method_definition",
  "function_item",
  "method",
  "function_expression",
  "constructor_declaration",
]);

/** The name a value is stored under or returned as: the left side of the nearest assignment, or the enclosing function. */
export function destinationName(node: Node): string | undefined {
  let current: Node | null = node.parent;
  let depth = 0;
  while (current && depth < 12) {
    if (NAMING_ANCESTORS.has(current.type)) {
      const target =
        current.childForFieldName("left") ??
        current.childForFieldName("name") ??
        current.childForFieldName("key") ??
        current.childForFieldName("declarator") ??
        current.childForFieldName("pattern");
      if (target) {
        if (FUNCTION_TYPES.has(current.type)) return target.text;
        const text = target.text;
        return text.length > 80 ? text.slice(0, 80) : text;
      }
      if (current.type === "variable_declarator" || current.type === "local_variable_declaration") {
        const inner = current.descendantsOfType("variable_declarator")[0]?.childForFieldName("name");
        if (inner) return inner.text;
      }
    }
    if (
      current.type.endsWith("statement") &&
      !current.type.startsWith("return") &&
      !current.type.startsWith("expression")
    ) {
      // Crossing a statement boundary means the value is not stored under a name.
      return enclosingFunctionName(current);
    }
    current = current.parent;
    depth++;
  }
  return current ? enclosingFunctionName(current) : undefined;
}

function enclosingFunctionName(node: Node): string | undefined {
  let current: Node | null = node;
  while (current) {
    if (FUNCTION_TYPES.has(current.type)) return current.childForFieldName("name")?.text;
    current = current.parent;
  }
  return undefined;
}

/** Python docstrings are strings that stand alone as a statement. */
export function isDocstring(node: Node): boolean {
  const parent = node.parent;
  return parent?.type === "expression_statement" && parent.namedChildCount === 1;
}

const SCOPE_TYPES = new Set([
  ...FUNCTION_TYPES,
  "arrow_function",
  "local_function_statement",
  "lambda_expression",
  "func_literal",
  "closure_expression",
  "anonymous_function",
  "program",
  "module",
  "translation_unit",
  "compilation_unit",
  "source_file",
]);

const BINDING_TYPES = [
  "variable_declarator",
  "assignment_expression",
  "assignment",
  "init_declarator",
  "augmented_assignment_expression",
  "augmented_assignment",
  "short_var_declaration",
  "let_declaration",
];

/**
 * The values assigned to a local name earlier in the same function: enough to see that `query` in
 * `execute(query)` was built by concatenation a few lines up. Deliberately stops at the function boundary.
 */
export function localAssignedValues(identifier: Node): Node[] {
  const name = identifier.text;
  let scope: Node | null = identifier.parent;
  while (scope && !SCOPE_TYPES.has(scope.type)) scope = scope.parent;
  // A fragment whose top level did not parse (an ERROR root) is still one scope.
  scope ??= identifier.tree.rootNode;
  const values: Node[] = [];
  for (const binding of scope.descendantsOfType(BINDING_TYPES)) {
    if (!binding || binding.startIndex >= identifier.startIndex) continue;
    const target =
      binding.childForFieldName("name") ??
      binding.childForFieldName("left") ??
      binding.childForFieldName("declarator") ??
      binding.childForFieldName("pattern");
    const targetName =
      target?.type === "expression_list" ? target.namedChildren[0]?.text : target?.text.replace(/^[*&\s]+/, "");
    if (targetName !== name) continue;
    const value =
      binding.childForFieldName("value") ??
      binding.childForFieldName("right") ??
      binding.namedChildren[binding.namedChildCount - 1];
    if (value && value !== target)
      values.push(value.type === "expression_list" ? (value.namedChildren[0] ?? value) : value);
  }
  return values;
}
