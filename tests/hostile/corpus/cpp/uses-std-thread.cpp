// Not hostile: an ordinary program using <thread>. Compiling <thread> at -O2 needs more than 128 MB.
#include <iostream>
#include <thread>

int main() {
  int result = 0;
  std::thread worker([&result] { result = 6 * 7; });
  worker.join();
  std::cout << "result " << result << std::endl;
}
