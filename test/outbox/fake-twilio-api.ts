/**
 * A local stand-in for Twilio's REST API, just enough for outbound texts:
 * POST /2010-04-01/Accounts/:sid/Messages.json, answering like Twilio (201 with a message
 * resource, or Twilio's error body). Messages to a number in `failures` get that failure.
 */
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export interface ReceivedMessage {
  accountSid: string;
  authorization: string | undefined;
  params: Record<string, string>;
}

export interface FakeTwilioApi {
  url: string;
  received: ReceivedMessage[];
  /** To-number → the HTTP status and Twilio error code to answer with. */
  failures: Map<string, { status: number; code?: number; message: string }>;
  close(): Promise<void>;
}

export async function startFakeTwilioApi(): Promise<FakeTwilioApi> {
  const received: ReceivedMessage[] = [];
  const failures = new Map<string, { status: number; code?: number; message: string }>();
  let counter = 0;
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.post('/2010-04-01/Accounts/:sid/Messages.json', (req, res) => {
    const params = req.body as Record<string, string>;
    received.push({ accountSid: req.params.sid, authorization: req.headers.authorization, params });
    const failure = failures.get(params.To);
    if (failure) {
      res.status(failure.status).json({ code: failure.code ?? failure.status, message: failure.message, more_info: `https://www.twilio.com/docs/errors/${failure.code}`, status: failure.status });
      return;
    }
    const sid = `SM${String(++counter).padStart(32, '0')}`;
    res.status(201).json({
      sid,
      account_sid: req.params.sid,
      to: params.To,
      from: params.From ?? null,
      messaging_service_sid: params.MessagingServiceSid ?? null,
      body: params.Body,
      status: params.MessagingServiceSid ? 'accepted' : 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      api_version: '2010-04-01',
      date_created: new Date().toUTCString(),
      uri: `/2010-04-01/Accounts/${req.params.sid}/Messages/${sid}.json`,
    });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    failures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
