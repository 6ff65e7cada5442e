// try / finally ordering, return inside try, rethrow
const log = [];

function withCleanup(shouldFail) {
  log.push('open');
  try {
    if (shouldFail) throw new Error('failed');
    return 'ok';
  } finally {
    log.push('close');
  }
}

withCleanup(false);
try {
  withCleanup(true);
} catch (e) {
  log.push('caught ' + e.message);
}

function nested() {
  try {
    try {
      throw new Error('inner');
    } finally {
      log.push('inner finally');
    }
  } catch (e) {
    log.push('outer catch ' + e.message);
  }
}
nested();
console.log(log);
