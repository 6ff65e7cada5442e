// Hostile at compile time: the compiler reads an endless file.
#include "/dev/zero"
int main() {}
