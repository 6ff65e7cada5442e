// TCP to the host, local services and the metadata endpoint; all must fail.
#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

int main() {
  struct { const char* host; int port; } targets[] = {{"172.17.0.1", 2375}, {"127.0.0.1", 6379}, {"127.0.0.1", 5432}, {"169.254.169.254", 80}, {"8.8.8.8", 53}};
  for (auto& t : targets) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(t.port);
    inet_pton(AF_INET, t.host, &a.sin_addr);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) std::printf("CONNECTED %s:%d\n", t.host, t.port);
    else std::printf("blocked %s:%d: %s\n", t.host, t.port, std::strerror(errno));
    close(s);
  }
}
