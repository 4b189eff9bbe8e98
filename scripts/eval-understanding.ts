/**
 * `npm run eval:understanding [-- --check]`: the understanding measured on the labelled corpus.
 * Prints accuracy per intent, a confusion table and the misses. Exits non-zero only with
 * --check, and then only when an emergency is missed, a complaint is answered with info, or the
 * intent accuracy is below 97%.
 */
import path from 'node:path';
import { evaluate, loadCorpus, report } from '../test/understanding/evaluate';

const TARGET = 0.97;
const e = evaluate();
console.log(report(e));
// A small set written after the lexicons were last tuned on the corpus: how well it carries over.
const holdout = evaluate(loadCorpus(path.join(__dirname, '../test/understanding/holdout')));
console.log(`\nheld-out set: ${(holdout.accuracy * 100).toFixed(1)}% (${holdout.correct}/${holdout.total}); emergencies missed ${holdout.emergenciesMissed.length}`);
for (const m of holdout.misses) console.log(`  ${JSON.stringify(m.row.text)} → ${m.got} (want ${m.row.intent}; ${m.why})`);
if (process.argv.includes('--check')) {
  const failed = e.emergenciesMissed.length > 0 || e.complaintsGivenInfo.length > 0 || e.accuracy < TARGET;
  if (failed) {
    console.error(`\ncheck failed: accuracy ${(e.accuracy * 100).toFixed(1)}% (target ${TARGET * 100}%), ${e.emergenciesMissed.length} emergencies missed, ${e.complaintsGivenInfo.length} complaints given info`);
    process.exit(1);
  }
}
