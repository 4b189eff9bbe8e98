/**
 * The conversation kit: what every machine repeats, written once (issue 8). Names of flows and
 * hand-back reasons (names.ts), reading an event's words (words.ts), the shared guards and
 * actions (guards.ts, actions.ts), and the repeated pieces of state config (states.ts).
 */
export * from './names';
export * from './words';
export * from './guards';
export * from './actions';
export * from './states';
export * from './context';
