/** A transport for outbox tests: records every call and answers from a script (default: accept). */
import { SmsTransportError, type SmsSendRequest, type SmsSendResult, type SmsTransport } from '../../src/twilio/transport';

export type Answer = SmsSendResult | SmsTransportError | ((req: SmsSendRequest) => Promise<SmsSendResult>);

export class ScriptedTransport implements SmsTransport {
  readonly kind = 'dev' as const;
  readonly calls: SmsSendRequest[] = [];
  private readonly answers: Answer[] = [];
  private counter = 0;

  /** Queues answers for the next calls, in order. */
  answer(...answers: Answer[]): this {
    this.answers.push(...answers);
    return this;
  }

  async send(req: SmsSendRequest): Promise<SmsSendResult> {
    this.calls.push(req);
    const next = this.answers.shift();
    if (next instanceof SmsTransportError) throw next;
    if (typeof next === 'function') return next(req);
    return next ?? { sid: `SMtest${String(++this.counter).padStart(4, '0')}`, status: 'queued' };
  }
}

export const twilioError = (code: number | undefined, status: number | undefined, message = 'refused') => new SmsTransportError(message, { code, status });
