// Where a streaming answer is checked: at the end of each paragraph and each code block, so an unsafe answer is caught
// a paragraph after it turns, without a check per token. Text inside an open code block is never a checkpoint: a blank
// line there is part of the code.

const fenceLine = /^[ \t]{0,3}(`{3,}|~{3,})/;

export class AnswerCheckpoints {
  /** How much of the text has been read, always up to a line end. */
  private read = 0;
  /** How far the search for the next line end got: a long line is searched once, not again on every chunk. */
  private searched = 0;
  private openFence: string | undefined;
  /** Whether a line with text came since the last checkpoint. */
  private textSinceCheckpoint = false;

  /**
   * Reads the complete lines of `text` (the whole answer so far) that were not read yet and returns the end of the
   * last paragraph or code block among them, or undefined when they end none.
   */
  next(text: string): number | undefined {
    let checkpoint: number | undefined;
    for (;;) {
      const end = text.indexOf("\n", Math.max(this.read, this.searched));
      if (end < 0) {
        this.searched = text.length;
        return checkpoint;
      }
      const line = text.slice(this.read, end);
      this.read = end + 1;
      const fence = fenceLine.exec(line)?.[1];
      if (this.openFence !== undefined) {
        if (fence !== undefined && fence[0] === this.openFence[0] && fence.length >= this.openFence.length) {
          this.openFence = undefined;
          this.textSinceCheckpoint = false;
          checkpoint = this.read;
        }
        continue;
      }
      if (fence !== undefined) {
        this.openFence = fence;
        continue;
      }
      if (line.trim() !== "") {
        this.textSinceCheckpoint = true;
      } else if (this.textSinceCheckpoint) {
        // A blank line after text ends a paragraph; more blank lines end nothing new.
        this.textSinceCheckpoint = false;
        checkpoint = this.read;
      }
    }
  }
}
