// Time as the host's supervisor and channel see it: injected, so unit tests run restarts and grace periods on a fake
// clock instead of waiting for them.

export interface Timer {
  cancel(): void;
}

export interface Timers {
  /** `background`: the timer alone does not keep the process alive. */
  start(delayMs: number, callback: () => void, options?: { background?: boolean }): Timer;
}

export const systemTimers: Timers = {
  start(delayMs, callback, options) {
    const handle = setTimeout(callback, delayMs);
    if (options?.background === true) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  },
};
