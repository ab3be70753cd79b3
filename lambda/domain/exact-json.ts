/**
 * The client's JSON codec for 64-bit integers, shared so that both ends of the wire write the
 * same digits (client/src/exact-json.ts: pure, no I/O, no dependencies).
 */
export { exactJsonText, holdsBigInt, parseExactJson } from '../../client/src/exact-json';
