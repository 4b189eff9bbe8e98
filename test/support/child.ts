/**
 * A helper process for tests that need two OS processes on one database (job claims, shift
 * claims). The child runs `npx tsx <script>`, prints "ready" once set up, takes commands on its
 * stdin, and prints one JSON line with its findings before it exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface TestChild<R> {
  proc: ChildProcess;
  /** Resolves when the child printed "ready". */
  ready: Promise<void>;
  /** The child's JSON line, once it exited cleanly. */
  result: Promise<R>;
}

export function startTestChild<R>(name: string, script: string, env: Record<string, string>): TestChild<R> {
  const root = path.resolve(__dirname, '..', '..');
  const proc = spawn('npx', ['tsx', script], { cwd: root, env: { ...process.env, ...env, LOG_LEVEL: 'warn' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`${name} exited (${code}) before it was ready: ${err}`)));
  });
  const result = new Promise<R>((resolve, reject) => {
    proc.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code === 0 && line) resolve(JSON.parse(line) as R);
      else reject(new Error(`${name} exited with ${code}: ${err}`));
    });
  });
  ready.catch(() => undefined);
  result.catch(() => undefined);
  return { proc, ready, result };
}
