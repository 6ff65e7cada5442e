// Classes with constructor, methods, getter and static method
class Rectangle {
  constructor(w, h) {
    this.w = w;
    this.h = h;
  }
  get area() {
    return this.w * this.h;
  }
  scale(k) {
    this.w *= k;
    this.h *= k;
    return this;
  }
  static square(s) {
    return new Rectangle(s, s);
  }
}

const r = new Rectangle(2, 3);
r.scale(2);
const sq = Rectangle.square(4);
console.log(r.area, sq.area);
