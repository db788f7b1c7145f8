import type { RuleDefinition } from "../types";
import { C_RULES } from "./c";
import { CRYPTO_RULES } from "./crypto";
import { CSHARP_RULES } from "./csharp";
import { GO_RULES } from "./go";
import { JAVA_RULES } from "./java";
import { JAVASCRIPT_RULES } from "./javascript";
import { PHP_RULES } from "./php";
import { PYTHON_RULES } from "./python";
import { RUBY_RULES } from "./ruby";
import { RUST_RULES } from "./rust";
import { SECRET_RULES } from "./secrets";
import { SHELL_RULES } from "./shell";
import { WEB_RULES } from "./web";

export const ALL_RULES: readonly RuleDefinition[] = [
  ...SECRET_RULES,
  ...CRYPTO_RULES,
  ...PYTHON_RULES,
  ...JAVASCRIPT_RULES,
  ...JAVA_RULES,
  ...C_RULES,
  ...CSHARP_RULES,
  ...PHP_RULES,
  ...GO_RULES,
  ...RUST_RULES,
  ...RUBY_RULES,
  ...SHELL_RULES,
  ...WEB_RULES,
];
