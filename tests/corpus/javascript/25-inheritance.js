// Inheritance, super calls and method overriding
class Animal {
  constructor(name) {
    this.name = name;
    this.energy = 10;
  }
  speak() {
    return `${this.name} makes a sound`;
  }
  eat(amount) {
    this.energy += amount;
  }
}

class Dog extends Animal {
  constructor(name, breed) {
    super(name);
    this.breed = breed;
  }
  speak() {
    return super.speak() + ' (woof)';
  }
}

const pets = [new Animal('Generic'), new Dog('Rex', 'lab')];
pets[1].eat(5);
const lines = pets.map((p) => p.speak());
console.log(lines, pets[1].energy, pets[1] instanceof Animal);
