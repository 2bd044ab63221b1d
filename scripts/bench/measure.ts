// One benchmark case in a process of its own, so that its peak RSS is its own:
// `node --import tsx scripts/bench/measure.ts <case> <file>` prints one line of JSON.
import { BENCH_CASES } from './cases';

const [name, path] = process.argv.slice(2);
const benchCase = Object.entries(BENCH_CASES).find(([caseName]) => caseName === name)?.[1];
if (!benchCase || !path) throw new Error(`usage: measure.ts <${Object.keys(BENCH_CASES).join('|')}> <file>`);

const started = process.hrtime.bigint();
const rows = await benchCase(path);
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
// maxRSS is in kilobytes.
console.log(JSON.stringify({ rows, seconds, peakRssBytes: process.resourceUsage().maxRSS * 1024 }));
