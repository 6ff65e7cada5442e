#include <iostream>
#include <utility>
#include <vector>
#include <tracecast.hpp>

void bubble_sort(std::vector<int>& v) {
  auto a = viz::array("v", v);
  for (std::size_t end = v.size(); end > 1; --end) {
    bool swapped = false;
    for (std::size_t i = 0; i + 1 < end; ++i) {
      a.select(i, i + 1);
      if (v[i] > v[i + 1]) {
        std::swap(v[i], v[i + 1]);
        a.patch(i, v[i]);
        a.patch(i + 1, v[i + 1]);
        swapped = true;
      }
      a.deselect(i, i + 1);
    }
    std::cout << "pass done, last = " << v[end - 1] << "\n";
    viz::step("pass", v);
    if (!swapped) break;
  }
}

int main() {
  std::vector<int> v{5, 1, 4, 2, 8};
  viz::note("bubble sort");
  bubble_sort(v);
  viz::step("sorted", true);
  for (int x : v) std::cout << x << ' ';
  std::cout << '\n';
}
