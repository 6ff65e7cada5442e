// async / await with promises and timers
function delay(ms, value) {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms));
}

async function fetchAll() {
  const results = [];
  for (const id of [1, 2, 3]) {
    const v = await delay(1, id * 10);
    results.push(v);
  }
  return results;
}

async function main() {
  const r = await fetchAll();
  console.log('results', r);
  try {
    await Promise.reject(new Error('nope'));
  } catch (e) {
    console.log('caught', e.message);
  }
}

main().then(() => console.log('done'));
console.log('started');
