// Every kind of value the API accepts.
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>
#include <tracecast.hpp>

struct Grid {
  static void show(const std::vector<std::vector<int>>& g) { viz::step("grid", g); }
};

int main() {
  viz::step("int", 42);
  viz::step("big", 9007199254740993LL);
  viz::step("double", 3.25);
  viz::step("nan", std::nan(""));
  viz::step("inf", -std::numeric_limits<double>::infinity());
  viz::step("bool", false);
  viz::step("char", 'x');
  viz::step("string", std::string("h\u00e9llo \"quoted\"\n"));
  viz::step("long string", std::string(5000, 'a'));
  viz::step("vector", std::vector<double>{1.5, 2.5});
  viz::step("init list", {1, 2, 3});
  viz::step("long vector", std::vector<int>(1000, 7));
  viz::step("optional", std::optional<int>{});
  viz::step("pair", std::make_pair(1, std::string("one")));
  viz::step("map", std::map<std::string, int>{{"a", 1}, {"b", 2}});
  Grid::show({{1, 2}, {3, 4}});
  auto lam = [](int x) { viz::step("in lambda", x); };
  lam(7);
  int c_arr[3] = {3, 2, 1};
  auto a = viz::array("c", c_arr);
  a.select(0);
  a.patch(2, "three");
  a.depatch(2);
  auto b = viz::array("bits", std::vector<bool>{true, false});
  b.deselect(0, 1);
  viz::array("letters", std::string("abc"));
  viz::note("done");
}
