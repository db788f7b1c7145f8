// Requests to one inference host process and their replies, matched by id and typed by HostRequestMap. Every
// incoming message is checked against the protocol first; the transport is injected, so unit tests talk to a fake.
import {
  type FromHost,
  type LifecycleMessage,
  type LogLevel,
  type Malformed,
  type ReplyMessage,
  type RequestKind,
  type RequestParams,
  type RequestResult,
  type ToHost,
  checkFromHost,
  requestMessage,
  resultOf,
} from "../../core/protocol/host";
import { HostRequestError, cancelledError } from "../../core/protocol/backend";
import type { Timer, Timers } from "../../core/host/timers";

/** How an aborted request waits for the host to confirm before it rejects anyway. */
export const cancelGraceMs = 500;

export interface HostTransport {
  send(message: ToHost): void;
  /** Each message as it arrived: unchecked. */
  onMessage(listener: (message: unknown) => void): void;
  /** Once, when the other side is gone; `reason` says how, for the requests it leaves unanswered. */
  onClose(listener: (reason: string) => void): void;
}

export interface HostChannelOptions {
  log: (level: LogLevel, message: string) => void;
  /** Loading, ready and load failures: the host's own news, which belongs to no request. */
  onLifecycle: (message: LifecycleMessage) => void;
  /** What the requests still waiting when the transport closes fail with. */
  closedError: (reason: string) => HostRequestError;
  timers: Timers;
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Streamed text of a chat answer, until the request is aborted. */
  onChunk?: (text: string) => void;
}

interface PendingRequest {
  /** Settles the request with a reply; false when that reply is not one its kind gets. */
  settle(reply: ReplyMessage): boolean;
  fail(error: HostRequestError): void;
  onChunk?: (text: string) => void;
  aborted: boolean;
}

export class HostChannel {
  private readonly pending = new Map<number, PendingRequest>();
  private nextRequestId = 1;
  private closedWith: HostRequestError | undefined;

  constructor(
    private readonly transport: HostTransport,
    private readonly options: HostChannelOptions,
  ) {
    transport.onMessage((message) => this.receive(message));
    transport.onClose((reason) => this.close(options.closedError(reason)));
  }

  request<K extends RequestKind>(
    kind: K,
    params: RequestParams<K>,
    options: RequestOptions = {},
  ): Promise<RequestResult<K>> {
    const { signal, onChunk } = options;
    if (signal?.aborted) return Promise.reject(cancelledError());
    if (this.closedWith !== undefined) return Promise.reject(this.closedWith);
    const id = this.nextRequestId++;
    return new Promise<RequestResult<K>>((resolve, reject) => {
      let graceTimer: Timer | undefined;
      const onAbort = (): void => {
        const entry = this.pending.get(id);
        if (entry === undefined || entry.aborted) return;
        entry.aborted = true;
        this.transport.send({ kind: "cancel", id });
        // The host confirms within ~100 ms; never keep the caller waiting on a host that does not answer.
        graceTimer = this.options.timers.start(cancelGraceMs, () => this.take(id)?.fail(cancelledError()));
      };
      const cleanUp = (): void => {
        signal?.removeEventListener("abort", onAbort);
        graceTimer?.cancel();
      };
      this.pending.set(id, {
        settle: (reply) => {
          const result = resultOf(kind, reply);
          if (result === undefined) return false;
          cleanUp();
          resolve(result);
          return true;
        },
        fail: (error) => {
          cleanUp();
          reject(error);
        },
        onChunk,
        aborted: false,
      });
      signal?.addEventListener("abort", onAbort);
      this.transport.send(requestMessage(kind, id, params));
    });
  }

  /** Fails every waiting request with `error` (an aborted one as cancelled), and every later one; idempotent. */
  close(error: HostRequestError): void {
    this.closedWith ??= error;
    const requests = [...this.pending.values()];
    this.pending.clear();
    for (const request of requests) request.fail(request.aborted ? cancelledError() : error);
  }

  private receive(value: unknown): void {
    // A closed channel's process is on its way out: its news and late answers concern nobody.
    if (this.closedWith !== undefined) return;
    const checked = checkFromHost(value);
    if (checked.ok) this.handle(checked.message);
    else this.refuse(checked);
  }

  private handle(message: FromHost): void {
    switch (message.kind) {
      case "log":
        this.options.log(message.level, message.message);
        return;
      case "loading":
      case "ready":
      case "loadFailed":
        this.options.onLifecycle(message);
        return;
      case "chunk": {
        const request = this.pending.get(message.id);
        if (request !== undefined && !request.aborted) request.onChunk?.(message.text);
        return;
      }
      case "result":
      case "embedded":
      case "info":
      case "tokenCounts": {
        const request = this.take(message.id);
        if (request === undefined) return;
        if (request.aborted) request.fail(cancelledError());
        else if (!request.settle(message)) this.failMalformed(request, message.kind);
        return;
      }
      case "error":
        this.take(message.id)?.fail(new HostRequestError(message.error.code, message.error.message));
        return;
      case "hardware":
        // Only the hardware probe's short-lived process is asked for these.
        return;
    }
  }

  /** A malformed answer to a request fails it: waiting for a reply that will not come would hang the caller. */
  private refuse({ kind, id }: Malformed<FromHost["kind"]>): void {
    const request = kind === undefined || id === undefined ? undefined : this.take(id);
    if (kind === undefined || request === undefined) {
      this.options.log("warn", "Ignoring a malformed message from the inference host.");
      return;
    }
    this.failMalformed(request, kind);
  }

  private failMalformed(request: PendingRequest, kind: string): void {
    const text = `The inference host answered with a malformed ${kind} message.`;
    this.options.log("warn", text);
    request.fail(request.aborted ? cancelledError() : new HostRequestError("internal", text));
  }

  private take(id: number): PendingRequest | undefined {
    const request = this.pending.get(id);
    this.pending.delete(id);
    return request;
  }
}
