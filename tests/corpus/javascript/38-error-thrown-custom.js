// A custom error thrown at top level after a partial computation
class InsufficientFunds extends Error {}

const balances = { alice: 10, bob: 5 };
function transfer(from, to, amount) {
  if (balances[from] < amount) throw new InsufficientFunds(`${from} has only ${balances[from]}`);
  balances[from] -= amount;
  balances[to] += amount;
}

transfer('alice', 'bob', 7);
transfer('alice', 'bob', 7);
