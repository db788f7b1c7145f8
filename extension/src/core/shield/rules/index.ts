import type { RuleDefinition } from "../types";
import { C_RULES } from "./c";
import { CRYPTO_RULES } from "./crypto";
import { CSHARP_RULES } from "./csharp";
import { JAVA_RULES } from "./java";
import { JAVASCRIPT_RULES } from "./javascript";
import { PYTHON_RULES } from "./python";
import { SECRET_RULES } from "./secrets";

export const ALL_RULES: readonly RuleDefinition[] = [
  ...SECRET_RULES,
  ...CRYPTO_RULES,
  ...PYTHON_RULES,
  ...JAVASCRIPT_RULES,
  ...JAVA_RULES,
  ...C_RULES,
  ...CSHARP_RULES,
];
