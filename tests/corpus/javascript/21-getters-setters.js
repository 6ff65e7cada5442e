// Getters and setters on classes and object literals
class Temperature {
  constructor(c) {
    this._c = c;
  }
  get fahrenheit() {
    return this._c * 9 / 5 + 32;
  }
  set fahrenheit(f) {
    this._c = (f - 32) * 5 / 9;
  }
}

const t = new Temperature(25);
const f1 = t.fahrenheit;
t.fahrenheit = 212;

const account = {
  balance: 0,
  history: [],
  set deposit(amount) {
    this.balance += amount;
    this.history.push(amount);
  },
  get summary() {
    return `${this.history.length} deposits, balance ${this.balance}`;
  },
};
account.deposit = 50;
account.deposit = 25;
console.log(f1, t._c, account.summary);
