// Hostile at compile time: exponential template instantiation.
template <int N> struct B { static constexpr long v = B<N - 1>::v + B<N - 2>::v; };
template <> struct B<1> { static constexpr long v = 1; };
template <> struct B<0> { static constexpr long v = 1; };
template <int N, int M> struct X { using type = typename X<N - 1, M>::type; static constexpr int w = sizeof(X<N - 1, M + 1>); };
template <int M> struct X<0, M> { using type = int; };
int main() { return X<5000, 0>::w + B<90>::v; }
