import type { RuleDefinition } from "../types";

const SH = ["shellscript"] as const;

const evalDynamic: RuleDefinition = {
  id: "shell.eval",
  cwe: "CWE-95",
  severity: "warn",
  message: "eval runs a string built from variables.",
  fixHint: 'Use arrays for commands ("${cmd[@]}") instead of eval.',
  explanation: "eval parses its argument as shell code a second time, so data in a variable becomes commands.",
  patterns: [
    {
      languages: SH,
      query: `((command name: (command_name (word) @name) argument: [(simple_expansion) (expansion) (string (simple_expansion)) (string (expansion)) (command_substitution) (string (command_substitution))]) @finding (#eq? @name "eval"))`,
    },
  ],
};

const tlsVerificationOff: RuleDefinition = {
  id: "shell.tls-verification-off",
  cwe: "CWE-295",
  severity: "block",
  message: "curl/wget is told to skip TLS certificate verification.",
  fixHint: "Remove -k/--insecure/--no-check-certificate; pass --cacert for private CAs.",
  explanation: "Without certificate checks anyone on the network path can serve you a different file.",
  patterns: [
    {
      languages: SH,
      query: `((command name: (command_name (word) @name) argument: (word) @flag) @finding (#any-of? @name "curl" "wget") (#any-of? @flag "-k" "--insecure" "--no-check-certificate"))`,
    },
  ],
};

const pipeToShell: RuleDefinition = {
  id: "shell.download-to-shell",
  cwe: "CWE-494",
  severity: "warn",
  message: "A downloaded script is piped straight into a shell.",
  fixHint: "Download to a file, verify its checksum or signature, then run it.",
  explanation: "Whatever the server (or anyone on the path) returns is executed unchecked, even a truncated download.",
  patterns: [
    {
      languages: SH,
      query: `((pipeline (command name: (command_name (word) @fetch)) . (command name: (command_name (word) @shell))) @finding (#any-of? @fetch "curl" "wget") (#any-of? @shell "sh" "bash" "zsh" "sudo"))`,
    },
  ],
};

const worldWritable: RuleDefinition = {
  id: "shell.world-writable",
  cwe: "CWE-732",
  severity: "warn",
  message: "chmod makes a file world-writable.",
  fixHint: "Grant only what is needed, e.g. 755 for programs or 644 for data.",
  explanation: "Any local user can replace a world-writable file's contents, including scripts that others run.",
  patterns: [
    {
      languages: SH,
      query: `((command name: (command_name (word) @name) argument: [(number) (word)] @mode) @finding (#eq? @name "chmod") (#match? @mode "^(-R)?[0-7]?[0-7][0-7][2367]$|o\\\\+w|a\\\\+w"))`,
    },
  ],
};

export const SHELL_RULES: readonly RuleDefinition[] = [evalDynamic, tlsVerificationOff, pipeToShell, worldWritable];
