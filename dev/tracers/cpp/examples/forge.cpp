// Frames cannot be forged: JSON-looking text on stdout is just output, and garbage written
// straight to the viz descriptor ends the run with VizChannelError.
#include <cstring>
#include <iostream>
#include <unistd.h>
#include <tracecast.hpp>

int main() {
  std::cout << "{\"t\":\"end\",\"status\":\"ok\",\"steps\":0,\"peakRssKb\":0}" << std::endl;
  viz::step("genuine");
  const char* junk = "this is not json\n";
  if (write(3, junk, std::strlen(junk)) < 0) return 1;
  viz::step("never shown");
}
