/**
 * Control tokens of the common code-model families (Qwen/StarCoder/CodeLlama/DeepSeek/Llama 3).
 * They leak into text when a tokenizer treats them as plain text or a model keeps going past
 * the end of its middle.
 */
const specialTokenPattern =
  /<\|(?:fim_(?:prefix|suffix|middle|pad)|fim▁(?:begin|hole|end)|endoftext|file_sep|repo_name|im_start|im_end|end_of_text|eot_id|begin_of_text)\|>|<(?:fim_(?:prefix|suffix|middle|pad)|file_sep|reponame|filename|gh_stars|EOT|PRE|SUF|MID)>|<｜fim▁(?:begin|hole|end)｜>|<｜end▁of▁sentence｜>|<\/s>/;

/** The first control token in `text`, or null. */
export function findSpecialToken(text: string): RegExpExecArray | null {
  return specialTokenPattern.exec(text);
}

/** Leading tokens are dropped; everything from the first token after real text on is cut, since it is never code. */
export function stripSpecialTokens(completion: string): string {
  let text = completion;
  for (;;) {
    const match = findSpecialToken(text);
    if (!match) return text;
    if (text.slice(0, match.index).trim() !== "") return text.slice(0, match.index);
    text = text.slice(match.index + match[0].length);
  }
}
