/** Prints how long each phase took, so the time CI spends on the end-to-end part is visible. */
export async function timed<T>(phase: string, run: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await run();
  } finally {
    const seconds = (performance.now() - start) / 1000;
    process.stdout.write(`      [e2e time] ${phase}: ${seconds.toFixed(1)} s\n`);
  }
}
