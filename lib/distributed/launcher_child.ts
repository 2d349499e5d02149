// launcher_child.ts - preloaded into every worker that nodetorch-run starts (`node --require <this> script.js`).
// If the launcher disappears without stopping its workers (SIGKILL, a crash), the workers must not live on as
// orphans, typically blocked in a collective whose peers are gone. A JavaScript timer would not run while the main
// thread is blocked in such a call, so the watch runs on its own worker thread (unref'd: it never keeps the process
// alive): when the launcher is no longer this process's parent it sends SIGTERM to the process, then SIGKILL if the
// process is still there 5 s later. A signal ends a blocked process as well as an idle one.
import { isMainThread, Worker } from 'worker_threads';

const WATCH = `
const fs = require('fs');
const { workerData } = require('worker_threads');
const { launcher, self } = workerData;
// the current parent pid: /proc on Linux (process.ppid is fixed at start-up), else whether the launcher still exists
function launcherGone() {
  try {
    const stat = fs.readFileSync('/proc/' + self + '/stat', 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return ppid !== launcher;
  } catch (e) {
    try { process.kill(launcher, 0); return false; } catch (e2) { return e2.code === 'ESRCH'; }
  }
}
const timer = setInterval(() => {
  if (!launcherGone()) return;
  clearInterval(timer);
  try { process.kill(self, 'SIGTERM'); } catch (e) { /* already exiting */ }
  setTimeout(() => { try { process.kill(self, 'SIGKILL'); } catch (e) { /* gone */ } }, 5000);
}, 500);
`;

const launcher = Number(process.env.NODETORCH_RUN_PID);
if (isMainThread && Number.isInteger(launcher) && launcher > 0) {
  try {
    const w = new Worker(WATCH, { eval: true, workerData: { launcher, self: process.pid }, stdout: false, stderr: false, execArgv: [] });
    w.unref();
    w.on('error', () => { /* the watch is best effort; the launcher still stops its workers itself */ });
  } catch {
    // worker threads unavailable: the launcher's own stop path still applies
  }
}
