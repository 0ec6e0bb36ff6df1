/**
 * Preloaded (`node --import`) into every node process the benchmark runs: at
 * exit it writes the process's peak resident set size (KiB) and CPU time
 * (user + system, µs) as JSON to the file named by BENCH_USAGE_FILE. Works
 * where /usr/bin/time does not exist, and costs the measured process one tiny
 * module, the same for the subject and its floor.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_USAGE_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ maxRSS: usage.maxRSS, cpu: usage.userCPUTime + usage.systemCPUTime }));
  });
}
