import type { Node } from "web-tree-sitter";
import {
  firstArgument,
  isConstantExpression,
  isLiteralString,
  nthArgument,
  positionalArguments,
  stringValue,
} from "../syntax";
import type { RuleDefinition, RulePattern, RuleMatch } from "../types";
import {
  anyOf,
  COMMAND_EXPLANATION,
  WEAK_CIPHER_EXPLANATION,
  WEAK_CIPHER_FIX,
  WEAK_CIPHER_MESSAGE,
  WEAK_HASH_EXPLANATION,
  WEAK_HASH_FIX,
  WEAK_HASH_MESSAGE,
  WEAK_RANDOM_EXPLANATION,
} from "./shared";

/**
 * Patterns for a call to one of `names` in C and C++ (where the callee may be written std::name or ::name).
 * `predicate` adds further query predicates; `accept` decides the rest.
 */
function callPatterns(
  names: readonly string[],
  accept?: (match: RuleMatch) => boolean,
  predicate = `(#any-of? @fn ${anyOf(names)})`,
): RulePattern[] {
  return [
    {
      languages: ["c"],
      query: `((call_expression function: (identifier) @fn arguments: (argument_list) @args) @finding ${predicate})`,
      accept,
    },
    {
      languages: ["cpp"],
      query: `((call_expression function: [(identifier) @fn (qualified_identifier name: (identifier) @fn)] arguments: (argument_list) @args) @finding ${predicate})`,
      accept,
    },
  ];
}

const unboundedCopy: RuleDefinition = {
  id: "c.unbounded-string-copy",
  cwe: "CWE-120",
  severity: "warn",
  message: "strcpy/strcat/sprintf write without a bound and can overflow the destination.",
  fixHint: "Use snprintf, strlcpy/strlcat (or strncpy plus explicit termination) with the destination's size.",
  explanation:
    "These functions write until the source (or formatted text) ends, whatever the size of the destination. Longer input " +
    "overwrites adjacent memory: the classic stack and heap buffer overflow.",
  patterns: callPatterns([
    "strcpy",
    "strcat",
    "wcscpy",
    "wcscat",
    "lstrcpy",
    "lstrcat",
    "lstrcpyA",
    "lstrcpyW",
    "lstrcatA",
    "lstrcatW",
    "_tcscpy",
    "_tcscat",
    "_mbscpy",
    "_mbscat",
    "StrCpy",
    "StrCat",
    "sprintf",
    "vsprintf",
    "swprintf",
    "vswprintf",
    "_stprintf",
    "wsprintf",
    "wsprintfA",
    "wsprintfW",
    "stpcpy",
  ]),
};

const gets: RuleDefinition = {
  id: "c.gets",
  cwe: "CWE-242",
  severity: "block",
  message: "gets() cannot limit its input and always risks a buffer overflow.",
  fixHint: "Use fgets(buffer, sizeof buffer, stdin).",
  explanation: "gets reads a whole line into the buffer whatever its length; it was removed from C11 for that reason.",
  patterns: callPatterns(["gets", "_getws"]),
};

/** A %s or %[ conversion without a field width, which reads an unbounded string. */
function hasUnboundedStringConversion(format: string): boolean {
  return /%(?!%)[*]?(?:[hlLjzt]{0,2})(s|\[)/.test(format.replace(/%%/g, ""));
}

const scanfString: RuleDefinition = {
  id: "c.scanf-unbounded-string",
  cwe: "CWE-120",
  severity: "block",
  message: "scanf reads a string (%s or %[) without a field width.",
  fixHint: 'Give every %s a width one less than the buffer ("%63s" for char buf[64]), or read lines with fgets.',
  explanation: "%s without a width stores a whole word of any length into the buffer and overflows it on long input.",
  patterns: callPatterns(
    ["scanf", "fscanf", "sscanf", "wscanf", "fwscanf", "swscanf", "vscanf", "vfscanf", "vsscanf"],
    (match) => {
      const fn = match.capture("fn")?.text ?? "";
      const formatIndex = /^(fscanf|sscanf|fwscanf|swscanf|vfscanf|vsscanf)$/.test(fn) ? 1 : 0;
      const format = nthArgument(match.capture("args"), formatIndex);
      return format !== undefined && isLiteralString(format) && hasUnboundedStringConversion(stringValue(format));
    },
  ),
};

const COPY_FUNCTIONS = new Set([
  "memcpy",
  "memmove",
  "strcpy",
  "strcat",
  "wcscpy",
  "wcscat",
  "sprintf",
  "vsprintf",
  "CopyMemory",
  "RtlCopyMemory",
  "wmemcpy",
  "bcopy",
]);

function declaredArrayName(declarator: Node): string | undefined {
  const inner = declarator.childForFieldName("declarator");
  return inner?.type === "identifier" ? inner.text : undefined;
}

/** The copy into `name` that has no bound tied to the buffer, if the function makes one. */
function unboundedCopyInto(name: string, body: Node, after: number): Node | undefined {
  for (const call of body.descendantsOfType("call_expression")) {
    if (!call || call.startIndex < after) continue;
    const fn = call.childForFieldName("function");
    const fnName = fn?.type === "qualified_identifier" ? fn.childForFieldName("name")?.text : fn?.text;
    if (!fnName || !COPY_FUNCTIONS.has(fnName)) continue;
    const args = call.childForFieldName("arguments");
    const destination = fnName === "bcopy" ? nthArgument(args, 1) : firstArgument(args);
    if (destination?.text.replace(/^\(\s*\w+\s*\*\s*\)\s*/, "").replace(/^&/, "") !== name) continue;
    if (
      fnName === "memcpy" ||
      fnName === "memmove" ||
      fnName === "wmemcpy" ||
      fnName === "CopyMemory" ||
      fnName === "RtlCopyMemory" ||
      fnName === "bcopy"
    ) {
      // memcpy(buf, src, sizeof buf) or a literal size is bounded by the writer.
      const size = nthArgument(args, 2);
      if (!size || isConstantExpression(size) || new RegExp(`sizeof\\s*\\(?\\s*${name}\\b`).test(size.text)) continue;
    }
    return call;
  }
  return undefined;
}

/**
 * The function around a declaration; in a fragment whose function header was cut off (a completion window),
 * the outermost node below the root that is not the root itself.
 */
function enclosingFunctionOrFragment(node: Node): Node | undefined {
  let current: Node | null = node.parent;
  let outermost: Node | undefined;
  while (current) {
    if (current.type === "function_definition") return current;
    if (current.parent) outermost = current;
    else if (outermost?.type === "declaration") {
      // At the top of a fragment: indented declarations sit inside a function whose header is cut off.
      return outermost.startPosition.column > 0 ? current : undefined;
    }
    current = current.parent;
  }
  return outermost?.parent ?? undefined;
}

const stackBufferCopy: RuleDefinition = {
  id: "c.stack-buffer-unbounded-write",
  cwe: "CWE-121",
  severity: "warn",
  message: "This fixed-size buffer is filled by memcpy/strcpy/sprintf without a bound tied to its size.",
  fixHint: "Check the length against sizeof the buffer before copying, or use a bounded function with sizeof(buffer).",
  explanation:
    "A fixed array in a function lives on the stack next to the return address. A copy whose length comes from the data " +
    "rather than from sizeof(buffer) overwrites that frame when the data is longer than expected.",
  patterns: [
    {
      languages: ["c", "cpp"],
      query: `(declaration declarator: [(array_declarator) @finding (init_declarator declarator: (array_declarator) @finding)])`,
      accept: (match) => {
        const declarator = match.capture("finding");
        if (!declarator) return false;
        const body = enclosingFunctionOrFragment(declarator);
        if (!body) return false;
        const name = declaredArrayName(declarator);
        return name !== undefined && unboundedCopyInto(name, body, declarator.endIndex) !== undefined;
      },
    },
  ],
};

const ALLOCATOR =
  /^(malloc|realloc|reallocf|alloca|_alloca|__builtin_alloca|valloc|pvalloc|xmalloc|xrealloc|g_malloc|g_realloc|kmalloc|vmalloc|\w*_?[mr]?alloc\w*|alloc\w*|\w*Alloc\w*)$/;

/** a * b where at least one factor varies at run time (sizeof and literals do not). */
function isVariableProduct(node: Node | undefined): boolean {
  if (!node) return false;
  if (node.type === "parenthesized_expression") return isVariableProduct(node.namedChildren[0] ?? undefined);
  if (node.type === "cast_expression") return isVariableProduct(node.childForFieldName("value") ?? undefined);
  if (node.type !== "binary_expression") return false;
  const operator = node.childForFieldName("operator")?.text;
  if (operator === "+" || operator === "-") {
    return (
      isVariableProduct(node.childForFieldName("left") ?? undefined) ||
      isVariableProduct(node.childForFieldName("right") ?? undefined)
    );
  }
  if (operator !== "*") return false;
  const factors = flattenProduct(node);
  return factors.filter((f) => !isFixedFactor(f)).length >= 1 && factors.length >= 2;
}

function flattenProduct(node: Node): Node[] {
  const inner = node.type === "parenthesized_expression" ? node.namedChildren[0] : node;
  if (inner?.type === "binary_expression" && inner.childForFieldName("operator")?.text === "*") {
    return [
      ...flattenProduct(inner.childForFieldName("left") as Node),
      ...flattenProduct(inner.childForFieldName("right") as Node),
    ];
  }
  return inner ? [inner] : [];
}

function isFixedFactor(node: Node): boolean {
  if (node.type === "number_literal" || node.type === "sizeof_expression" || node.type === "alignof_expression")
    return true;
  // ALL_CAPS names are macros or constants in idiomatic C.
  return node.type === "identifier" && /^[A-Z][A-Z0-9_]*$/.test(node.text);
}

function hasOverflowCheck(call: Node): boolean {
  let scope: Node | null = call.parent;
  while (scope && scope.type !== "function_definition") scope = scope.parent;
  return (
    scope !== null && /SIZE_MAX|INT_MAX|UINT_MAX|SSIZE_MAX|__builtin_mul_overflow|ckd_mul|overflow/.test(scope.text)
  );
}

const allocationOverflow: RuleDefinition = {
  id: "c.allocation-size-overflow",
  cwe: "CWE-680",
  severity: "warn",
  message: "An allocation size is a product that can overflow (malloc(a * b) without an overflow check).",
  fixHint: "Use calloc(n, size) or reallocarray, or check n > SIZE_MAX / size before multiplying.",
  explanation:
    "If n * size wraps around, the allocation is much smaller than the code believes, and the writes that follow run past " +
    "its end: an integer overflow turned into a heap overflow.",
  patterns: [
    ...callPatterns(
      [],
      (match) => {
        const call = match.capture("finding");
        if (!call) return false;
        return (
          positionalArguments(match.capture("args")).some((argument) => isVariableProduct(argument)) &&
          !hasOverflowCheck(call)
        );
      },
      `(#match? @fn "${ALLOCATOR.source.replace(/\\/g, "\\\\")}")`,
    ),
    {
      // Allocators reached through an object or a table of functions: pool->alloc(n * size), ctx.dev_malloc(...).
      languages: ["c", "cpp"],
      query: `((call_expression function: (field_expression field: (field_identifier) @fn) arguments: (argument_list) @args) @finding (#match? @fn "${ALLOCATOR.source.replace(/\\/g, "\\\\")}"))`,
      accept: (match) => {
        const call = match.capture("finding");
        return (
          call !== undefined &&
          positionalArguments(match.capture("args")).some((argument) => isVariableProduct(argument)) &&
          !hasOverflowCheck(call)
        );
      },
    },
    {
      languages: ["cpp"],
      query: `(new_expression declarator: (new_declarator length: (_) @length)) @finding`,
      accept: (match) => {
        const call = match.capture("finding");
        return call !== undefined && isVariableProduct(match.capture("length")) && !hasOverflowCheck(call);
      },
    },
  ],
};

const weakRand: RuleDefinition = {
  id: "c.weak-random",
  cwe: "CWE-338",
  severity: "warn",
  message: "rand() is a weak, predictable generator.",
  fixHint: "Use getrandom()/arc4random() (or BCryptGenRandom) for secrets, and <random> engines for simulations.",
  explanation: WEAK_RANDOM_EXPLANATION,
  patterns: callPatterns(
    ["rand", "random", "drand48", "lrand48", "mrand48"],
    (match) => positionalArguments(match.capture("args")).length === 0,
  ),
};

const fixedSeed: RuleDefinition = {
  id: "c.fixed-seed",
  cwe: "CWE-335",
  severity: "warn",
  message: "The random generator is seeded with a constant, or not seeded at all.",
  fixHint: "Seed from std::random_device (or getrandom); use a CSPRNG for anything secret.",
  explanation: "With a fixed seed every run produces the same sequence, so every 'random' value is known in advance.",
  patterns: [
    ...callPatterns(["srand", "srandom", "srand48"], (match) =>
      isConstantExpression(firstArgument(match.capture("args"))),
    ),
    {
      languages: ["cpp"],
      query: `((compound_literal_expression type: (_) @type value: (initializer_list) @init) @finding (#match? @type "(default_random_engine|mt19937(_64)?|minstd_rand0?|ranlux\\\\w*)$"))`,
      accept: (match) => match.capture("init")?.namedChildCount === 0,
    },
    {
      languages: ["cpp"],
      query: `((declaration type: (_) @type declarator: (identifier)) @finding (#match? @type "(default_random_engine|mt19937(_64)?|minstd_rand0?)$"))`,
    },
    {
      // std::mt19937 gen(42); std::mt19937 gen{42};
      languages: ["cpp"],
      query: `((declaration type: (_) @type declarator: (init_declarator value: [(argument_list) (initializer_list)] @seed)) @finding (#match? @type "(default_random_engine|mt19937(_64)?|minstd_rand0?|ranlux\\w*|knuth_b)$"))`,
      accept: (match) => {
        const seeds = positionalArguments(match.capture("seed"));
        return seeds.length === 1 && isConstantExpression(seeds[0]);
      },
    },
    {
      // engine.seed(42)
      languages: ["cpp"],
      query: `((call_expression function: (field_expression field: (field_identifier) @fn) arguments: (argument_list . (_) @seed .)) @finding (#eq? @fn "seed"))`,
      accept: (match) => isConstantExpression(match.capture("seed")),
    },
  ],
};

/** libcurl options whose value 0 turns a TLS check off (VERIFYHOST 1 checked nothing before 7.28.1). */
const CURL_VERIFY_OPTIONS = /^CURLOPT_(PROXY_)?SSL_VERIFY(PEER|HOST|STATUS)$/;

const tlsVerificationOff: RuleDefinition = {
  id: "c.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "TLS certificate or hostname verification is turned off (libcurl SSL_VERIFY*, OpenSSL SSL_VERIFY_NONE).",
  fixHint:
    "Leave CURLOPT_SSL_VERIFYPEER at 1 and VERIFYHOST at 2, use SSL_VERIFY_PEER; add private CAs with CURLOPT_CAINFO or SSL_CTX_load_verify_locations.",
  explanation:
    "Without these checks anyone on the network path can present their own certificate, impersonate the server and " +
    "read or change the traffic.",
  patterns: [
    ...callPatterns(["curl_easy_setopt"], (match) => {
      const option = nthArgument(match.capture("args"), 1)?.text ?? "";
      const value = nthArgument(match.capture("args"), 2)?.text ?? "";
      const off = /HOST$/.test(option) ? /^(0|1)L?$|^(false|FALSE)$/ : /^0L?$|^(false|FALSE)$/;
      return CURL_VERIFY_OPTIONS.test(option) && off.test(value);
    }),
    ...callPatterns(["SSL_CTX_set_verify", "SSL_set_verify", "wolfSSL_CTX_set_verify"], (match) =>
      /^(SSL_VERIFY_NONE|WOLFSSL_VERIFY_NONE|0)$/.test(nthArgument(match.capture("args"), 1)?.text ?? ""),
    ),
  ],
};

const tempFile: RuleDefinition = {
  id: "c.insecure-temp-file",
  cwe: "CWE-377",
  severity: "block",
  message: "tmpnam/tempnam/mktemp return a name another process can create first.",
  fixHint: "Use mkstemp (or tmpfile), which creates and opens the file atomically.",
  explanation:
    "Between getting the name and opening the file an attacker can create a file or symlink with that name and make the " +
    "program write where they choose.",
  patterns: callPatterns(["tmpnam", "tmpnam_r", "tempnam", "mktemp", "_mktemp", "_tempnam", "GetTempFileName"]),
};

const command: RuleDefinition = {
  id: "c.command-injection",
  cwe: "CWE-78",
  severity: "block",
  message: "A shell command is run from a non-literal string (system/popen).",
  fixHint: "Use execve/posix_spawn with an argument array; never pass user data through a shell.",
  explanation: COMMAND_EXPLANATION,
  patterns: callPatterns(["system", "popen", "_popen", "_wsystem", "wpopen", "_wpopen"], (match) => {
    const first = firstArgument(match.capture("args"));
    return first !== undefined && !isConstantExpression(first) && !/^[A-Z][A-Z0-9_]*$/.test(first.text);
  }),
};

/**
 * Calls to a broken primitive, and the prototypes that declare one: a header or wrapper that offers MD5 or DES as an
 * API (`const EVP_MD *EVP_md5(void);`) spreads it to every caller, who never sees the name of the algorithm again.
 */
function weakPrimitivePatterns(predicate: string): RulePattern[] {
  return [
    ...callPatterns([], undefined, predicate),
    {
      languages: ["c", "cpp"],
      query: `((declaration declarator: (_ declarator: (function_declarator declarator: (identifier) @fn))) @finding ${predicate})`,
    },
    {
      languages: ["c", "cpp"],
      query: `((declaration declarator: (function_declarator declarator: (identifier) @fn)) @finding ${predicate})`,
    },
  ];
}

const weakHash: RuleDefinition = {
  id: "c.weak-hash",
  cwe: "CWE-328",
  severity: "warn",
  message: WEAK_HASH_MESSAGE,
  fixHint: WEAK_HASH_FIX,
  explanation: WEAK_HASH_EXPLANATION,
  patterns: weakPrimitivePatterns(
    `(#match? @fn "^(EVP_md5|EVP_md4|EVP_md2|EVP_sha1|EVP_md5_sha1|MD5|MD4|MD2|SHA1|MD5_Init|MD4_Init|MD2_Init|SHA1_Init|SHA_Init|CC_MD5|CC_SHA1|CC_MD5_Init|CC_SHA1_Init|mbedtls_md5\\\\w*|mbedtls_sha1\\\\w*|wc_InitMd5|wc_InitSha|gcry_md_hash_buffer)$")`,
  ),
};

const weakCipher: RuleDefinition = {
  id: "c.weak-cipher",
  cwe: "CWE-327",
  severity: "block",
  message: WEAK_CIPHER_MESSAGE,
  fixHint: WEAK_CIPHER_FIX,
  explanation: WEAK_CIPHER_EXPLANATION,
  patterns: weakPrimitivePatterns(
    `(#match? @fn "^(EVP_des_\\\\w+|EVP_des_ede\\\\w*|EVP_desx_cbc|EVP_rc4\\\\w*|EVP_rc2_\\\\w+|EVP_bf_\\\\w+|EVP_cast5_\\\\w+|EVP_idea_\\\\w+|EVP_\\\\w+_ecb|DES_\\\\w*crypt\\\\w*|DES_set_key\\\\w*|BF_encrypt|BF_decrypt|BF_set_key|BF_\\\\w+_encrypt|RC4|RC4_set_key|RC2_\\\\w+|AES_ecb_encrypt)$")`,
  ),
};

const autoPtr: RuleDefinition = {
  id: "cpp.auto-ptr",
  cwe: "CWE-665",
  severity: "warn",
  message: "std::auto_ptr is removed from C++17; its copy silently transfers ownership.",
  fixHint: "Use std::unique_ptr (with std::move where ownership moves).",
  explanation:
    "Copying an auto_ptr empties the source, so later uses dereference null; it also calls delete (not delete[]) on arrays.",
  patterns: [
    { languages: ["cpp"], query: `((template_type name: (type_identifier) @name) @finding (#eq? @name "auto_ptr"))` },
    { languages: ["cpp"], query: `((template_function name: (identifier) @name) @finding (#eq? @name "auto_ptr"))` },
  ],
};

/**
 * strtok keeps its position in one hidden static pointer and writes NULs into the string it is given: two threads, or
 * a caller and a callee that both tokenise, corrupt each other's scan (CERT CON33-C), and a string literal passed to
 * it is written to.
 */
const strtok: RuleDefinition = {
  id: "c.strtok",
  cwe: "CWE-676",
  severity: "warn",
  message: "strtok keeps hidden global state and modifies its input; it is not thread-safe or reentrant.",
  fixHint: "Use strtok_r (POSIX) or strtok_s (C11 Annex K, MSVC) with a local save pointer, or strsep.",
  explanation:
    "strtok remembers where it stopped in a static pointer shared by the whole program. A second tokeniser in another " +
    "thread, or in a function called between two strtok calls, silently continues the wrong string. It also writes " +
    "NUL bytes into its argument, so it must never get a string literal or a buffer others still read.",
  patterns: callPatterns(["strtok"]),
};

export const C_RULES: readonly RuleDefinition[] = [
  unboundedCopy,
  gets,
  scanfString,
  stackBufferCopy,
  allocationOverflow,
  weakRand,
  fixedSeed,
  tlsVerificationOff,
  tempFile,
  command,
  weakHash,
  weakCipher,
  autoPtr,
  strtok,
];
