/**
 * Prints a console password hash for a staff member's `passwordHash` in the agency config:
 * `npm run hash-password` (asks), or `npm run hash-password -- 'the password'`.
 */
import readline from 'node:readline';
import { hashPassword } from '../src/dashboard/auth';

async function main() {
  let password = process.argv[2];
  if (!password) {
    const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
    password = await new Promise<string>((resolve) => rl.question('Password: ', (a) => (rl.close(), resolve(a))));
  }
  if (password.length < 10) throw new Error('Use at least 10 characters.');
  console.log(hashPassword(password));
}

main().catch((err) => {
  console.error((err as Error).message);
  process.exit(1);
});
