import type { Node } from "web-tree-sitter";
import {
  destinationName,
  firstArgument,
  isConstantExpression,
  localAssignedValues,
  isLiteralString,
  isStringNode,
  namesIdentifier,
  namesSecurityValue,
  nthArgument,
  positionalArguments,
  stringValue,
} from "../syntax";
import type { RuleDefinition, RuleMatch } from "../types";
import { anyOf, looksLikeSql } from "./shared";

const JS = ["javascript", "javascriptreact", "typescript", "typescriptreact"] as const;
const JSX = ["javascript", "javascriptreact", "typescriptreact"] as const;

/** A string assembled at run time from pieces, at least one of them not a literal: "a" + x, `a${x}`. */
function isBuiltString(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (value.type === "template_string") return isDynamic(value);
  if (value.type === "binary_expression" && value.childForFieldName("operator")?.text === "+")
    return isDynamic(value) && containsStringPiece(value);
  return false;
}

function containsStringPiece(node: Node): boolean {
  if (isStringNode(node) || node.type === "template_string") return true;
  return node.type === "binary_expression" && node.namedChildren.some((c) => c !== null && containsStringPiece(c));
}

/** Unwraps `x as T`, `<T>x`, `x!` and parentheses, which do not change a value. */
function unwrap(node: Node | undefined): Node | undefined {
  let current = node;
  while (
    current &&
    [
      "as_expression",
      "satisfies_expression",
      "type_assertion",
      "non_null_expression",
      "parenthesized_expression",
    ].includes(current.type)
  ) {
    current = current.namedChildren.find((c) => c !== null && !c.type.includes("type")) ?? undefined;
  }
  return current;
}

const SCOPES = new Set(["function_declaration", "function_expression", "arrow_function", "method_definition"]);

function isDynamic(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (value.type === "template_string") return value.namedChildren.some((c) => c?.type === "template_substitution");
  return !isConstantExpression(value);
}

function firstArgumentIsDynamic(match: RuleMatch): boolean {
  const first = firstArgument(match.capture("args"));
  return first !== undefined && first.type !== "spread_element" && isDynamic(first) && !isFileConstant(first);
}

/**
 * A name that the file binds exactly once, at its top level, as `const name = <literal>`: the value is fixed
 * whatever case the name is written in (`const command = 'ldd --version'; … exec(command)`).
 */
function isFileConstant(node: Node): boolean {
  if (node.type !== "identifier") return false;
  const root = node.tree.rootNode;
  let value: Node | null = null;
  for (const statement of root.namedChildren) {
    if (statement?.type !== "lexical_declaration" || statement.child(0)?.type !== "const") continue;
    for (const declarator of statement.namedChildren)
      if (declarator?.type === "variable_declarator" && declarator.childForFieldName("name")?.text === node.text)
        value = declarator.childForFieldName("value");
  }
  if (!value || !isConstantExpression(value)) return false;
  // A parameter or local of the same name elsewhere in the file could shadow it.
  const bindings = root
    .descendantsOfType(["variable_declarator", "formal_parameters", "assignment_expression"])
    .filter((binding) =>
      binding?.type === "formal_parameters"
        ? binding.namedChildren.some((parameter) => parameter?.text === node.text)
        : (binding?.childForFieldName("name") ?? binding?.childForFieldName("left"))?.text === node.text,
    );
  return bindings.length === 1;
}

const evalCall: RuleDefinition = {
  id: "js.eval",
  cwe: "CWE-95",
  severity: "block",
  message: "eval or the Function constructor runs code built from values at run time.",
  fixHint: "Parse data with JSON.parse; look functions up in a map instead of building code from strings.",
  explanation:
    "eval and new Function compile any string into code with the page's or the server's full rights. A value from a user, " +
    "a URL or the network becomes code injection. Literal code is not reported, nor is new Function applied to a " +
    "whole source that a code generator passes by name.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression object: (identifier) @scope property: (property_identifier) @fn)] arguments: (arguments) @args) @finding (#eq? @fn "eval"))`,
      accept: (match) => {
        const scope = match.capture("scope")?.text;
        if (scope !== undefined && scope !== "window" && scope !== "globalThis") return false;
        return firstArgumentIsDynamic(match) && !isGeneratedSource(firstArgument(match.capture("args")));
      },
    },
    {
      languages: JS,
      query: `([(new_expression constructor: [(identifier) @fn (parenthesized_expression (identifier) @fn)] arguments: (arguments) @args)
         (call_expression function: (identifier) @fn arguments: (arguments) @args)] @finding
        (#eq? @fn "Function"))`,
      // The last argument is the body. Code generators (validators, template engines) pass whole generated
      // sources around by name; the risk is a body spliced together from values, or read from outside.
      accept: (match) => isInjectedCode(positionalArguments(match.capture("args")).at(-1)),
    },
    {
      languages: JS,
      query: `((call_expression function: (identifier) @fn arguments: (arguments) @args) @finding (#any-of? @fn "setTimeout" "setInterval" "execScript"))`,
      accept: (match) => {
        const code = unwrap(firstArgument(match.capture("args")));
        return (
          code !== undefined &&
          (code.type === "template_string" || code.type === "binary_expression") &&
          isDynamic(code) &&
          containsString(code)
        );
      },
    },
  ],
};

/** Calls and objects that bring outside text into the page or the server. */
const OUTSIDE_TEXT =
  /\b(req|request)\.(body|query|params|headers)|\blocation\.|\bdocument\.(cookie|URL|referrer)|\.responseText\b|\blocalStorage\.|\bsessionStorage\.|\bprocess\.argv\b|\breadFileSync\(/;

function isInjectedCode(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (!value || !isDynamic(value)) return false;
  if (isBuiltString(value) || isJoinedPieces(value) || OUTSIDE_TEXT.test(value.text)) return true;
  // A name that holds a source the function assembled from its own template is code generation (validators,
  // template engines, wasm glue); only a name holding outside text is reported.
  if (value.type === "identifier")
    return localAssignedValues(value).some((assigned) => OUTSIDE_TEXT.test(assigned.text));
  return false;
}

/** pieces.join(separator): code assembled from an array of pieces at run time. */
function isJoinedPieces(node: Node): boolean {
  if (node.type !== "call_expression") return false;
  const callee = node.childForFieldName("function");
  return callee?.type === "member_expression" && callee.childForFieldName("property")?.text === "join";
}

/** A local name whose every assignment in this function is a string the function built itself, e.g. `(${args}) => ${body}`. */
function isGeneratedSource(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (value?.type !== "identifier") return false;
  const assigned = localAssignedValues(value);
  return assigned.length > 0 && assigned.every((source) => isBuiltString(source) && !OUTSIDE_TEXT.test(source.text));
}

function containsString(node: Node): boolean {
  if (isStringNode(node)) return true;
  return node.type === "binary_expression" && node.namedChildren.some((c) => c !== null && containsString(c));
}

/**
 * A file that declares its own exec function (a formatter, a regex helper), or binds the name to execFile
 * (`const exec = promisify(cp.execFile)`, which runs no shell), is not calling child_process.exec.
 */
function definesOwnExec(call: Node | undefined): boolean {
  let root: Node | null = call ?? null;
  while (root?.parent) root = root.parent;
  return (
    root !== null &&
    /\b(function\s+exec\s*\(|(const|let|var)\s+exec\s*=\s*((async\s+)?(\(|function\b|[A-Za-z_$][\w$]*\s*=>)|[^;\n]*\bexecFile\b))/.test(
      root.text,
    )
  );
}

const childProcess: RuleDefinition = {
  id: "js.child-process",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is built from a non-literal value.",
  fixHint: "Use execFile/spawn with an argument array and no shell; validate anything that picks the program.",
  explanation:
    "exec and execSync run the string through /bin/sh, so a value spliced into it can add commands (; | $()). A fixed " +
    "literal command is not reported.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression object: (_) @module property: (property_identifier) @fn)] arguments: (arguments) @args) @finding
        (#any-of? @fn "exec" "execSync"))`,
      accept: (match) => {
        const module = match.capture("module");
        if (
          module &&
          !/^(child_process|childProcess|cp|child|proc|shell|require\(['"](node:)?child_process['"]\))$/.test(
            module.text,
          ) &&
          match.qualifiedName(module) !== "child_process"
        )
          return false;
        if (!module && definesOwnExec(match.capture("finding"))) return false;
        return firstArgumentIsDynamic(match);
      },
    },
    {
      // const { exec: run } = require("child_process"): the file's import table knows what `run` is.
      languages: JS,
      query: `((call_expression function: (identifier) @fn arguments: (arguments) @args) @finding (#not-any-of? @fn "exec" "execSync" "require"))`,
      accept: (match) => {
        const fn = match.capture("fn");
        return (
          fn !== undefined &&
          /^child_process\.(exec|execSync)$/.test(match.qualifiedName(fn)) &&
          firstArgumentIsDynamic(match)
        );
      },
    },
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)]
          arguments: (arguments (object (pair key: (property_identifier) @option value: (true)))) @args) @finding
        (#any-of? @fn "spawn" "spawnSync" "execFile" "execFileSync") (#eq? @option "shell"))`,
      accept: firstArgumentIsDynamic,
    },
  ],
};

/**
 * doc.documentElement.innerHTML or doc.body.innerHTML of a document made by DOMParser or createHTMLDocument: such a
 * document has no browsing context, so its markup runs no script and loads nothing (sanitisers parse input this way).
 */
function isInertDocumentElement(target: Node | null | undefined): boolean {
  const element = target?.type === "member_expression" ? target.childForFieldName("object") : null;
  if (element?.type !== "member_expression") return false;
  if (!/^(documentElement|body)$/.test(element.childForFieldName("property")?.text ?? "")) return false;
  const doc = element.childForFieldName("object");
  return (
    doc?.type === "identifier" &&
    localAssignedValues(doc).some((value) =>
      /\b(parseFromString|createHTMLDocument|createDocument)\s*\(/.test(value.text),
    )
  );
}

function isHtmlSink(match: RuleMatch): boolean {
  const value = match.capture("value");
  if (!isDynamic(value)) return false;
  const left = match.capture("finding")?.childForFieldName("left");
  if (isInertDocumentElement(left)) return false;
  // Re-rendering an element's own markup (el.innerHTML = highlight(el.innerHTML)) adds no markup from elsewhere.
  const target = left?.text;
  return !(target !== undefined && value !== undefined && target.endsWith("innerHTML") && value.text.includes(target));
}

const innerHtml: RuleDefinition = {
  id: "js.inner-html",
  cwe: "CWE-79",
  severity: "warn",
  message: "HTML is written from a non-literal value (innerHTML, outerHTML, insertAdjacentHTML, document.write).",
  fixHint: "Set textContent, build nodes with createElement, or sanitise with DOMPurify before inserting HTML.",
  explanation:
    "Markup assigned to innerHTML is parsed and its event handlers run. Any user-controlled part becomes cross-site " +
    "scripting. Literal markup is not reported.",
  patterns: [
    {
      languages: JS,
      query: `((assignment_expression left: (member_expression property: (property_identifier) @prop) right: (_) @value) @finding
        (#any-of? @prop "innerHTML" "outerHTML"))`,
      accept: isHtmlSink,
    },
    {
      languages: JS,
      query: `((augmented_assignment_expression left: (member_expression property: (property_identifier) @prop) right: (_) @value) @finding
        (#any-of? @prop "innerHTML" "outerHTML"))`,
      accept: isHtmlSink,
    },
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @fn) arguments: (arguments (_) (_) @value .)) @finding
        (#eq? @fn "insertAdjacentHTML"))`,
      accept: isHtmlSink,
    },
    {
      languages: JS,
      query: `((call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @fn) arguments: (arguments . (_) @value)) @finding
        (#eq? @object "document") (#any-of? @fn "write" "writeln"))`,
      accept: isHtmlSink,
    },
  ],
};

const dangerouslySetInnerHtml: RuleDefinition = {
  id: "js.dangerously-set-inner-html",
  cwe: "CWE-79",
  severity: "warn",
  message: "dangerouslySetInnerHTML inserts raw HTML into the page.",
  fixHint: "Render the content as React children, or sanitise it with DOMPurify right where it is inserted.",
  explanation:
    "React escapes everything except dangerouslySetInnerHTML. Whatever reaches __html is parsed as markup, so user " +
    "content there is cross-site scripting.",
  patterns: [
    {
      languages: JSX,
      query: `([(jsx_opening_element (jsx_attribute (property_identifier) @attr)) (jsx_self_closing_element (jsx_attribute (property_identifier) @attr))] @finding (#eq? @attr "dangerouslySetInnerHTML"))`,
    },
    {
      languages: JS,
      query: `((pair key: [(property_identifier) (string)] @key) @finding (#match? @key "^['\\"]?dangerouslySetInnerHTML['\\"]?$"))`,
    },
  ],
};

const postMessageStar: RuleDefinition = {
  id: "js.post-message-any-origin",
  cwe: "CWE-345",
  severity: "warn",
  message: 'postMessage sends data to any origin ("*").',
  fixHint: 'Pass the exact origin of the receiving window, e.g. postMessage(data, "https://app.example.com").',
  explanation:
    'With target origin "*" the message goes to whatever page is loaded in that window now, which may be an attacker\'s ' +
    "page after a redirect.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @fn) arguments: (arguments (_) . (string) @target)) @finding (#eq? @fn "postMessage"))`,
      accept: (match) => {
        const target = match.capture("target");
        return target !== undefined && stringValue(target) === "*";
      },
    },
  ],
};

const SAFE_BUFFER_API = /\bBuffer\.(alloc|allocUnsafe|from)\b/;

/**
 * Libraries that still run on Node < 4.5 call the constructor only when Buffer.alloc/from is missing, or are
 * themselves the polyfill of Buffer.alloc: the function around the call checks for or defines the safe API.
 */
function isOldNodeFallback(call: Node): boolean {
  let scope: Node | null = call.parent;
  while (
    scope &&
    !["function_declaration", "function_expression", "arrow_function", "method_definition", "program"].includes(
      scope.type,
    )
  )
    scope = scope.parent;
  if (!scope || scope.type === "program") return false;
  if (SAFE_BUFFER_API.test(scope.text)) return true;
  // function modern(n) { return Buffer.allocUnsafe(n); } function legacy(n) { return new Buffer(n); }, side by side, or
  // the legacy one assigned under `if (typeof Buffer.allocUnsafe === "function") … else`.
  const siblings = scope.parent?.namedChildren ?? [];
  if (
    scope.type === "function_declaration" &&
    siblings.some(
      (sibling) => sibling !== scope && sibling?.type === "function_declaration" && SAFE_BUFFER_API.test(sibling.text),
    )
  )
    return true;
  for (let current: Node | null = scope.parent; current && current.type !== "program"; current = current.parent) {
    if (current.type === "if_statement" && SAFE_BUFFER_API.test(current.childForFieldName("condition")?.text ?? ""))
      return true;
    if (SCOPES.has(current.type)) break;
  }
  const name = destinationName(call) ?? "";
  const holder =
    scope.parent?.type === "assignment_expression" ? (scope.parent.childForFieldName("left")?.text ?? "") : "";
  return (
    /^(alloc|allocUnsafe|allocUnsafeSlow|from)$/.test(name) ||
    /\.(alloc|allocUnsafe|allocUnsafeSlow|from)$/.test(holder)
  );
}

const newBuffer: RuleDefinition = {
  id: "js.new-buffer",
  cwe: "CWE-770",
  severity: "warn",
  message: "new Buffer(x) returns uninitialised memory when x is a number (the constructor is deprecated).",
  fixHint: "Use Buffer.from(value) for data or Buffer.alloc(size) for zero-filled memory.",
  explanation:
    "new Buffer(n) returns uninitialised memory when n is a number, so a value that is sometimes a number leaks old heap " +
    "contents; the constructor is deprecated for that reason.",
  patterns: [
    {
      languages: JS,
      query: `([(new_expression constructor: (identifier) @ctor arguments: (arguments) @args) (call_expression function: (identifier) @ctor arguments: (arguments (_)) @args)] @finding (#eq? @ctor "Buffer"))`,
      accept: (match) => {
        // The deprecated constructor allocates for a number and copies for a string or array, so what it does
        // depends on a run-time type. A literal argument (new Buffer(16), new Buffer("abc")) or a literal encoding
        // (new Buffer(text, "base64"), which throws for a number) fixes that type.
        const args = positionalArguments(match.capture("args"));
        const first = unwrap(args[0]);
        const second = unwrap(args[1]);
        if (first === undefined || !isDynamic(first) || first.type === "array") return false;
        if (second !== undefined && isLiteralString(second)) return false;
        const finding = match.capture("finding");
        if (finding === undefined || isOldNodeFallback(finding)) return false;
        // Buffer(n).fill(x) overwrites the memory before anything can read it.
        return !(
          finding.parent?.type === "member_expression" && finding.parent.childForFieldName("property")?.text === "fill"
        );
      },
    },
  ],
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Buffer.allocUnsafe(n).fill(0), or a buffer that the same function copies, writes or reads into. */
function isFilledAtOnce(call: Node): boolean {
  const parent = call.parent;
  if (parent?.type === "member_expression" && parent.childForFieldName("property")?.text === "fill") return true;
  const holder =
    parent?.type === "variable_declarator"
      ? parent.childForFieldName("name")
      : parent?.type === "assignment_expression"
        ? parent.childForFieldName("left")
        : null;
  if (!holder) return false;
  let scope: Node | null = parent;
  while (
    scope &&
    !["function_declaration", "function_expression", "arrow_function", "method_definition", "program"].includes(
      scope.type,
    )
  )
    scope = scope.parent;
  if (!scope) return false;
  const name = escapeRegExp(holder.text);
  const after = scope.text.slice(call.endIndex - scope.startIndex);
  const writes = [
    `${name}\\s*\\.\\s*(fill|write\\w*|set)\\s*\\(`,
    `\\.copy\\(\\s*${name}\\b`,
    `\\b(read|readSync|copy|set|readInto|getRandomValues|randomFill|randomFillSync)\\s*\\([^)]*\\b${name}\\b`,
    `${name}\\s*\\[[^\\]]+\\]\\s*=[^=]`,
  ];
  return new RegExp(writes.join("|")).test(after);
}

const unsafeAlloc: RuleDefinition = {
  id: "js.unsafe-alloc",
  cwe: "CWE-908",
  severity: "warn",
  message: "Buffer.allocUnsafe returns uninitialised memory.",
  fixHint: "Use Buffer.alloc(size), or fill the whole buffer before it can be read or sent.",
  explanation:
    "allocUnsafe skips zeroing for speed; until every byte is written, the buffer holds old heap data such as keys or " +
    "other users' requests.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @fn)) @finding (#eq? @object "Buffer") (#any-of? @fn "allocUnsafe" "allocUnsafeSlow"))`,
      accept: (match) => {
        const call = match.capture("finding");
        const size = firstArgument(call?.childForFieldName("arguments") ?? undefined);
        // An empty buffer holds no old memory, and one handed straight to a fill function is overwritten at once.
        if (size?.type === "number" && Number(size.text) === 0) return false;
        // randomFillSync((buf ??= Buffer.allocUnsafe(n))): the argument, through assignments and parentheses.
        let holder = call?.parent ?? null;
        while (
          holder &&
          /^(parenthesized_expression|assignment_expression|augmented_assignment_expression)$/.test(holder.type)
        )
          holder = holder.parent;
        if (holder?.type === "arguments" || holder?.parent?.type === "arguments") {
          const list = holder.type === "arguments" ? holder : holder.parent;
          const callee = list?.parent?.childForFieldName("function")?.text ?? "";
          if (/(^|\.)(randomFill|randomFillSync|getRandomValues|fill|readSync|read)$/.test(callee)) return false;
        }
        return call !== undefined && !isFilledAtOnce(call);
      },
    },
  ],
};

function isModuleRelativePath(node: Node | undefined): boolean {
  // __dirname + "/x" and path.join(__dirname, "x") name a file inside the package: no outside input.
  const value = unwrap(node);
  if (!value) return false;
  if (value.type === "identifier") return value.text === "__dirname" || value.text === "__filename";
  if (isConstantExpression(value)) return true;
  // Native bindings pick their prebuilt file by platform and architecture, which no outside input chooses.
  if (/^process\.(platform|arch|versions\.(modules|node|napi))$/.test(value.text)) return true;
  if (value.type === "template_string") {
    return value.namedChildren.every(
      (c) => c === null || c.type !== "template_substitution" || isModuleRelativePath(c.namedChildren[0] ?? undefined),
    );
  }
  if (value.type === "binary_expression")
    return value.namedChildren.every((c) => c === null || isModuleRelativePath(c));
  if (
    value.type === "call_expression" &&
    /^path\.(join|resolve)$/.test(value.childForFieldName("function")?.text ?? "")
  ) {
    return positionalArguments(value.childForFieldName("arguments")).every((c) => isModuleRelativePath(c));
  }
  return false;
}

/** A parameter of the function around the node, passed on as it came: whatever the caller names. */
function isCallerChosen(node: Node): boolean {
  if (node.type !== "identifier" || localAssignedValues(node).length > 0) return false;
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (!SCOPES.has(current.type)) continue;
    const parameters = current.childForFieldName("parameters") ?? current.childForFieldName("parameter");
    return parameters?.type === "identifier"
      ? parameters.text === node.text
      : (parameters?.namedChildren.some((parameter) => parameter?.text === node.text) ?? false);
  }
  return false;
}

const nonLiteralRequire: RuleDefinition = {
  id: "js.non-literal-require",
  cwe: "CWE-95",
  severity: "warn",
  message: "require() loads a module whose name is assembled from, or handed in as, a non-literal value.",
  fixHint: "Require modules by literal name, or pick from a fixed map of allowed modules.",
  explanation:
    "A computed module name that an attacker can influence loads and runs any file they can name or upload. Reported: " +
    "names assembled from pieces, and a function's parameter passed straight to require (the function loads whatever " +
    "its callers name). Paths under __dirname, native bindings chosen by platform, and names a function computes " +
    "itself are not.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (identifier) @fn arguments: (arguments) @args) @finding (#eq? @fn "require"))`,
      accept: (match) => {
        // A path assembled from pieces (`./commands/${name}`), or a parameter passed on unchecked, is where input
        // slips into the module name; a local the function computed (a resolved path) is its own choice. Warn: most
        // such loaders serve configuration the user wrote.
        const first = firstArgument(match.capture("args"));
        if (first !== undefined && isCallerChosen(first)) return true;
        return first !== undefined && isBuiltString(first) && !isModuleRelativePath(first);
      },
    },
  ],
};

/** Names that carry what a user typed or sent: request fields, URL parts, form and search input. */
// A form field's or element's `.value` is what someone typed; a variable merely called `value` or `filter`, or the
// `.value` of a parser's token or AST node (steps[2].value, argumentNode.value), is usually a library's own data.
const INPUT_NAME =
  /\b(req|request|query|params|body|input|search|term|keyword|userInput|location\.(hash|search|href)|URLSearchParams|event\.target|e\.target)\b|\.value\b/;

/** The `.value` of a parser's token or AST node, or of a tuple's numbered slot: data the library parsed itself. */
const PARSED_VALUE = /(\w*(Node|node|Token|token)|\[\d+\])\.value\b/g;

function mentionsInput(node: Node): boolean {
  return INPUT_NAME.test(node.text.replace(PARSED_VALUE, ""));
}

function isEscaped(node: Node): boolean {
  // escapeRegExp(x), _.escapeRegExp(x), x.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") make the input literal.
  return /escape|quote|sanitize/i.test(node.text) || /\\\\\$&/.test(node.text) || /\$&/.test(node.text);
}

const nonLiteralRegExp: RuleDefinition = {
  id: "js.non-literal-regexp",
  cwe: "CWE-1333",
  severity: "warn",
  message: "A RegExp pattern is built from user input without escaping.",
  fixHint: "Escape the input (str.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&')) or limit it to a fixed allow-list.",
  explanation:
    "A pattern taken from input can be crafted to backtrack for minutes (ReDoS) or to match more than intended. The Shield " +
    "reports patterns built from request, query, search or form input; patterns a library assembles from its own " +
    "configuration are not reported.",
  patterns: [
    {
      languages: JS,
      query: `([(new_expression constructor: (identifier) @ctor arguments: (arguments) @args) (call_expression function: (identifier) @ctor arguments: (arguments) @args)] @finding (#eq? @ctor "RegExp"))`,
      accept: (match) => {
        // Libraries pass pattern strings around by name all the time; the risk is a pattern assembled
        // from a literal and an unescaped value ("^" + name).
        const first = firstArgument(match.capture("args"));
        if (first === undefined || isEscaped(first) || /\.source\b/.test(first.text)) return false;
        const value = unwrap(first);
        return (
          value !== undefined &&
          (isBuiltString(value) || value.type === "identifier" || value.type === "member_expression") &&
          mentionsInput(value)
        );
      },
    },
  ],
};

/** A random number stored as a size or a delay sets how much or how long; knowing it in advance gains nobody anything. */
const QUANTITY_NAME = /(^|[._])(length|len|size|count|delay|timeout|interval|duration|wait|backoff|jitter)$/i;

/** A name or property that holds a time span: Math.random() * delay is retry jitter, not a value anyone must guess. */
const TIME_OPERAND = /(^|[._])(delay|timeout|interval|duration|backoff|jitter|ms)$/i;

function lastName(node: Node | null): string | undefined {
  if (node?.type === "identifier") return node.text;
  if (node?.type === "member_expression") return node.childForFieldName("property")?.text;
  return undefined;
}

/** Math.random() scaled by a time span (Math.random() * delay, interval * Math.random()). */
function scalesTimeSpan(random: Node): boolean {
  for (let current: Node | null = random.parent, depth = 0; current && depth < 4; current = current.parent, depth++) {
    if (current.type === "parenthesized_expression") continue;
    if (current.type !== "binary_expression" || current.childForFieldName("operator")?.text !== "*") return false;
    return current.namedChildren.some((side) => TIME_OPERAND.test(lastName(side) ?? ""));
  }
  return false;
}

const weakRandom: RuleDefinition = {
  id: "js.weak-random",
  cwe: "CWE-338",
  severity: "warn",
  message: "Math.random() is predictable; it must not produce tokens, passwords, keys, salts or ids.",
  fixHint: "Use crypto.randomBytes / crypto.randomUUID (Node) or crypto.getRandomValues (browser).",
  explanation:
    "Math.random is not cryptographically secure: a few outputs reveal the generator's state and every later value. " +
    "Every use is reported, as a warning (as java.weak-random reports java.util.Random), because what a drawn value " +
    "becomes (an id, a token, a file name) is rarely visible where it is drawn. Values stored as a length, size, count or " +
    "delay, and retry jitter (Math.random() * delay), are not reported: they set how much or how long, and are never " +
    "secrets.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @fn)) @finding (#eq? @object "Math") (#eq? @fn "random"))`,
      accept: (match) => {
        const node = match.capture("finding");
        if (!node) return false;
        const name = destinationName(node);
        if (name !== undefined && (namesSecurityValue(name) || namesIdentifier(name))) return true;
        return !(name !== undefined && QUANTITY_NAME.test(name)) && !scalesTimeSpan(node);
      },
    },
  ],
};

function literalAlgorithm(match: RuleMatch): string | undefined {
  const algorithm = firstArgument(match.capture("args"));
  return algorithm && isLiteralString(algorithm) ? stringValue(algorithm).toLowerCase() : undefined;
}

const weakHash: RuleDefinition = {
  id: "js.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: "MD5 and SHA-1 are broken for security use.",
  fixHint: "Use createHash('sha256'); for passwords use crypto.scrypt or argon2.",
  explanation:
    "Collisions for MD5 and SHA-1 are practical, so they must not protect integrity, sign data or store passwords.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)] arguments: (arguments) @args) @finding (#any-of? @fn "createHash" "createHmac"))`,
      accept: (match) => {
        const algorithm = literalAlgorithm(match);
        if (algorithm === undefined) return false;
        // Certificate thumbprints (x5t), ETags and cache keys are identifiers whose format fixes SHA-1/MD5.
        const finding = match.capture("finding");
        if (finding && /thumbprint|etag|cachekey|cache_key/i.test(destinationName(finding) ?? "")) return false;
        return match.capture("fn")?.text === "createHash"
          ? /^(md5|md4|sha1|sha-1|rmd160|ripemd160)$/.test(algorithm)
          : /^(md5|md4)$/.test(algorithm);
      },
    },
  ],
};

const weakCipher: RuleDefinition = {
  id: "js.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: "A broken cipher or mode (DES, RC4, Blowfish, ECB) or the IV-less createCipher is used.",
  fixHint: "Use createCipheriv('aes-256-gcm', key, randomIv) and check the auth tag.",
  explanation:
    "createCipher derives the key with MD5 and has no IV; DES, RC2, RC4 and Blowfish are broken or weak; ECB leaks " +
    "patterns of the plaintext.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)] arguments: (arguments) @args) @finding (#any-of? @fn "createCipher" "createDecipher"))`,
    },
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)] arguments: (arguments) @args) @finding (#any-of? @fn "createCipheriv" "createDecipheriv"))`,
      accept: (match) => {
        const algorithm = literalAlgorithm(match);
        return (
          algorithm !== undefined &&
          /(^|-)(des|des3|des-ede|des-ede3|rc2|rc4|bf|blowfish|cast|idea)(-|$)|ecb/.test(algorithm)
        );
      },
    },
  ],
};

function isFixedBytes(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (isLiteralString(value)) return true;
  if (value.type === "call_expression") {
    const callee = value.childForFieldName("function")?.text;
    const args = value.childForFieldName("arguments");
    if (callee === "Buffer.alloc") return positionalArguments(args).length === 1;
    if (callee === "Buffer.from" || callee === "new Uint8Array")
      return isConstantExpression(unwrap(firstArgument(args)));
  }
  if (value.type === "new_expression" && /Uint8Array|Buffer/.test(value.childForFieldName("constructor")?.text ?? "")) {
    const arg = unwrap(firstArgument(value.childForFieldName("arguments")));
    return arg?.type === "array" && isConstantExpression(arg);
  }
  return false;
}

const staticIv: RuleDefinition = {
  id: "js.static-iv",
  cwe: "CWE-329",
  severity: "block",
  message: "A fixed IV or nonce is passed to createCipheriv.",
  fixHint: "Generate the IV with crypto.randomBytes(12 or 16) per message and send it with the ciphertext.",
  explanation: "A constant IV makes equal plaintexts encrypt equally and breaks CTR and GCM completely (nonce reuse).",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: [(identifier) @fn (member_expression property: (property_identifier) @fn)] arguments: (arguments) @args) @finding (#eq? @fn "createCipheriv"))`,
      accept: (match) => isFixedBytes(nthArgument(match.capture("args"), 2)),
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "js.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate verification is turned off.",
  fixHint: "Remove rejectUnauthorized: false; to trust a private CA pass it in the `ca` option.",
  explanation:
    "Without certificate checks anyone on the network path can impersonate the server and read or change the traffic.",
  patterns: [
    {
      languages: JS,
      query: `((pair key: [(property_identifier) (string)] @key value: (false)) @finding (#match? @key "^['\\"]?(rejectUnauthorized|strictSSL|verifySsl|verifySSL)['\\"]?$"))`,
    },
    {
      languages: JS,
      query: `((assignment_expression left: (_) @target right: (_) @value) @finding (#match? @target "NODE_TLS_REJECT_UNAUTHORIZED"))`,
      accept: (match) => {
        const value = match.capture("value");
        return value !== undefined && (value.text === "0" || (isLiteralString(value) && stringValue(value) === "0"));
      },
    },
  ],
};

function enclosingCallName(node: Node): string | undefined {
  let current: Node | null = node.parent;
  for (let depth = 0; current && depth < 6; depth++, current = current.parent) {
    if (current.type === "call_expression") {
      const callee = current.childForFieldName("function");
      return callee?.type === "member_expression" ? callee.childForFieldName("property")?.text : callee?.text;
    }
    if (current.type === "pair" && /cookie/i.test(current.childForFieldName("key")?.text ?? "")) return "cookie";
  }
  return undefined;
}

/**
 * res.cookie(name, value[, options]) in Express: options missing, or an object literal that does not turn on both
 * flags. Options held in a variable or spread from a settings object are the application's policy and not judged.
 */
function expressCookieLacksFlags(match: RuleMatch): boolean {
  const args = match.capture("args")?.namedChildren.filter((child) => child?.type !== "comment") ?? [];
  if (args.length < 2) return false;
  const options = args[2];
  if (!options) return true;
  if (options.type !== "object" || options.namedChildren.some((child) => child?.type === "spread_element"))
    return false;
  return !/\bsecure\s*:\s*true\b/.test(options.text) || !/\bhttpOnly\s*:\s*true\b/i.test(options.text);
}

const cookieFlags: RuleDefinition = {
  id: "js.cookie-flags",
  cwe: "CWE-614",
  severity: "warn",
  message: "A cookie is set without secure and httpOnly, or with one of them turned off.",
  fixHint: "Set secure: true, httpOnly: true and sameSite: 'lax' (or 'strict') on session cookies.",
  explanation: "Without Secure the cookie is sent over plain HTTP; without HttpOnly any injected script can read it.",
  patterns: [
    {
      languages: JS,
      query: `((pair key: (property_identifier) @key value: (false)) @finding (#match? @key "^(secure|httpOnly|httponly)$"))`,
      accept: (match) => {
        const node = match.capture("finding");
        const call = node ? enclosingCallName(node) : undefined;
        return call !== undefined && /cookie|session/i.test(call);
      },
    },
    {
      languages: JS,
      query: `((call_expression function: (member_expression object: (identifier) @object property: (property_identifier) @fn) arguments: (arguments) @args) @finding (#match? @object "^(res|response|resp|reply)$") (#eq? @fn "cookie"))`,
      accept: expressCookieLacksFlags,
    },
  ],
};

const bufferNoAssert: RuleDefinition = {
  id: "js.buffer-noassert",
  cwe: "CWE-119",
  severity: "warn",
  message: "A Buffer read/write skips its bounds check (noAssert = true).",
  fixHint: "Drop the noAssert argument; check the offset against buffer.length if it comes from input.",
  explanation: "With noAssert the offset is not checked, so an out-of-range offset reads or writes outside the buffer.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @fn) arguments: (arguments (_) (true) .)) @finding (#match? @fn "^(read|write)(U?Int(8|16|32)|Float|Double|BigU?Int64|U?IntLE|U?IntBE)(LE|BE)?$"))`,
    },
  ],
};

const SECRET_OPERAND =
  /(^|[._])(password|passwd|secret|signature|hmac|api_?key|[a-z]*(Secret|Password|Signature)|(access|auth|refresh|session|csrf|xsrf|api|bearer|reset|secret)Token)$/;

const TYPE_SIGNATURE = /^(call|construct|index|method|type|function|property)Signatures?$/i;

function isSecretOperand(node: Node | null): boolean {
  if (!node || (node.type !== "identifier" && node.type !== "member_expression")) return false;
  const last = node.type === "member_expression" ? (node.childForFieldName("property")?.text ?? "") : node.text;
  // callSignature, indexSignature: a type checker's signatures, not a MAC.
  return SECRET_OPERAND.test(last) && !/^[A-Z0-9_]+$/.test(last) && !TYPE_SIGNATURE.test(last);
}

function isComparableValue(node: Node | null): boolean {
  if (!node) return false;
  if (
    isConstantExpression(node) ||
    ["null", "undefined", "true", "false", "number", "unary_expression", "regex"].includes(node.type)
  )
    return false;
  if (node.type === "identifier" && (node.text === "undefined" || /^[A-Z][A-Z0-9_]+$/.test(node.text))) return false;
  return true;
}

const timingComparison: RuleDefinition = {
  id: "js.timing-unsafe-comparison",
  cwe: "CWE-208",
  severity: "warn",
  message: "A secret (password, token, signature) is compared with == or ===, which leaks timing.",
  fixHint: "Compare with crypto.timingSafeEqual on equal-length Buffers (or compare hashes).",
  explanation:
    "String comparison stops at the first differing character, so response times reveal how much of a guess was right.",
  patterns: [
    {
      languages: JS,
      query: `(binary_expression left: (_) @left operator: ["==" "===" "!=" "!=="] right: (_) @right) @finding`,
      accept: (match) => {
        const left = match.capture("left") ?? null;
        const right = match.capture("right") ?? null;
        return (
          (isSecretOperand(left) && isComparableValue(right)) || (isSecretOperand(right) && isComparableValue(left))
        );
      },
    },
  ],
};

function isFormattedSql(node: Node | undefined): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (value.type === "template_string")
    return isDynamic(value) && looksLikeSql(value.text) && !onlySplicesConstants(value);
  if (value.type === "binary_expression" && value.childForFieldName("operator")?.text === "+") {
    return isDynamic(value) && containsSqlString(value) && !onlySplicesConstants(value);
  }
  return false;
}

/** SCREAMING_CASE names (TABLE, VERSION, config.MAX_ROWS) are constants by convention, not values from a request. */
function isConstantName(node: Node | null | undefined): boolean {
  const value = unwrap(node ?? undefined);
  if (!value) return false;
  if (value.type === "number") return true;
  const name =
    value.type === "member_expression"
      ? value.childForFieldName("property")?.text
      : value.type === "identifier"
        ? value.text
        : undefined;
  return name !== undefined && /^[A-Z][A-Z0-9_]+$/.test(name);
}

/** Every piece spliced into the text is a constant name: a table prefix or schema version, not a value. */
function onlySplicesConstants(node: Node): boolean {
  if (node.type === "template_string") {
    return node.namedChildren.every(
      (c) => c === null || c.type !== "template_substitution" || isConstantName(c.namedChildren[0]),
    );
  }
  if (node.type === "binary_expression") return node.namedChildren.every((c) => c === null || onlySplicesConstants(c));
  return isStringNode(node) || isConstantName(node);
}

function containsSqlString(node: Node): boolean {
  if (isStringNode(node)) return looksLikeSql(node.text);
  return node.type === "binary_expression" && node.namedChildren.some((c) => c !== null && containsSqlString(c));
}

const sqlFormatting: RuleDefinition = {
  id: "js.sql-formatting",
  cwe: "CWE-89",
  severity: "block",
  message: "SQL is built by concatenation or a template string.",
  fixHint: "Use placeholders (? or $1) and pass the values separately, e.g. db.query(sql, [value]).",
  explanation:
    "Values pasted into SQL text can end the string and add SQL of their own; drivers take parameters separately.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @fn) arguments: (arguments) @args) @finding (#any-of? @fn "query" "execute" "raw" "run" "all" "get" "prepare" "exec"))`,
      accept: (match) => isFormattedSql(firstArgument(match.capture("args"))),
    },
  ],
};

const FS_PATH_METHODS = [
  "readFile",
  "readFileSync",
  "writeFile",
  "writeFileSync",
  "appendFile",
  "appendFileSync",
  "createReadStream",
  "createWriteStream",
  "unlink",
  "unlinkSync",
  "rm",
  "rmSync",
  "rmdir",
  "rmdirSync",
  "readdir",
  "readdirSync",
  "open",
  "openSync",
  "stat",
  "statSync",
  "lstat",
  "lstatSync",
  "access",
  "accessSync",
  "exists",
  "existsSync",
  "copyFile",
  "copyFileSync",
  "rename",
  "renameSync",
  "mkdir",
  "mkdirSync",
  "symlink",
  "symlinkSync",
  "chmod",
  "chmodSync",
  "readJson",
  "readJsonSync",
  "outputFile",
  "outputFileSync",
  "remove",
  "removeSync",
  "copy",
  "copySync",
  "move",
  "moveSync",
];
const FS_MODULE = /^(fs|fs\.promises|fs\/promises|fs-extra|graceful-fs|fse)\.\w+$/;

/** A path glued together from strings and values (not path.join, not under __dirname): "uploads/" + name. */
function isGluedPath(node: Node | undefined, depth = 0): boolean {
  const value = unwrap(node);
  if (!value) return false;
  if (isBuiltString(value))
    return !isModuleRelativePath(value) && !onlySplicesConstants(value) && startsWithLiteralFolder(value);
  if (value.type === "identifier" && depth === 0)
    // `dir += "/" + part` appends to whatever the path held before; only what a path starts as is judged.
    return localAssignedValues(value).some(
      (assigned) => assigned.parent?.type !== "augmented_assignment_expression" && isGluedPath(assigned, 1),
    );
  return false;
}

/**
 * The path starts with a literal folder ("uploads/" + name, `/tmp/app-${id}`): the code writes the folder out by
 * hand and appends a value to it. Paths that start from a variable (a configured root, a cache folder) are left to
 * whoever chose that root.
 */
function startsWithLiteralFolder(node: Node): boolean {
  if (node.type === "template_string") {
    const first = node.namedChildren.find((c) => c !== null && c.type !== "escape_sequence");
    return first?.type === "string_fragment" && /[/\\]/.test(first.text);
  }
  if (isStringNode(node)) return /[/\\]/.test(stringValue(node));
  if (node.type === "binary_expression") {
    const left = node.childForFieldName("left");
    return left !== null && startsWithLiteralFolder(left);
  }
  return false;
}

const gluedPath: RuleDefinition = {
  id: "js.fs-glued-path",
  cwe: "CWE-22",
  severity: "warn",
  message: "A file path is glued together from strings and values and passed to fs.",
  fixHint:
    "Build paths with path.join/resolve under a fixed base folder, and check the result still starts with that folder; take file names through path.basename.",
  explanation:
    "A path concatenated from pieces is never normalised: a piece holding ../ or an absolute path moves the file " +
    "anywhere the process can reach. Paths under __dirname and paths built only from constants are not reported.",
  patterns: [
    {
      languages: JS,
      query: `((call_expression function: (member_expression property: (property_identifier) @method) @callee arguments: (arguments) @args) @finding (#any-of? @method ${anyOf(FS_PATH_METHODS)}))`,
      accept: (match) => {
        const callee = match.capture("callee");
        return (
          callee !== undefined &&
          FS_MODULE.test(match.qualifiedName(callee)) &&
          isGluedPath(firstArgument(match.capture("args")))
        );
      },
    },
  ],
};

const xxe: RuleDefinition = {
  id: "js.xxe",
  cwe: "CWE-611",
  severity: "block",
  message: "The XML parser is told to substitute external entities (noent: true).",
  fixHint: "Remove noent: true (and dtdload) from the libxmljs options.",
  explanation: "External entities let a document read local files or make the server send requests.",
  patterns: [
    {
      languages: JS,
      query: `((pair key: (property_identifier) @key value: (true)) @finding (#any-of? @key "noent" "dtdload"))`,
    },
  ],
};

export const JAVASCRIPT_RULES: readonly RuleDefinition[] = [
  evalCall,
  childProcess,
  innerHtml,
  dangerouslySetInnerHtml,
  postMessageStar,
  newBuffer,
  unsafeAlloc,
  nonLiteralRequire,
  nonLiteralRegExp,
  weakRandom,
  weakHash,
  weakCipher,
  staticIv,
  tlsVerificationOff,
  cookieFlags,
  bufferNoAssert,
  timingComparison,
  sqlFormatting,
  gluedPath,
  xxe,
];
