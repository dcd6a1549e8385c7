// Minimal assertions for the ctest harnesses: print the failed condition and count failures.
#ifndef PEFT4J_TEST_CHECK_H
#define PEFT4J_TEST_CHECK_H

#include <cstdio>

namespace peft4j_test {
inline int failures = 0;
}

#define CHECK(cond, ...)                                                          \
    do {                                                                          \
        if (!(cond)) {                                                            \
            ++peft4j_test::failures;                                              \
            std::fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond); \
            std::fprintf(stderr, __VA_ARGS__);                                    \
            std::fprintf(stderr, "\n");                                           \
        }                                                                         \
    } while (0)

#endif
