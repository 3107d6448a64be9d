/* A well-behaved translation unit: a switch (jump table), a loop, calls, a noreturn path. */
#include <stdlib.h>

extern int sink(int);

int classify(int op, int a, int b) {
  switch (op) {
  case 0: return a + b;
  case 1: return a - b;
  case 2: return a * b;
  case 3: return b ? a / b : 0;
  case 4: return a & b;
  case 5: return a | b;
  case 6: return a ^ b;
  default: return -1;
  }
}

long sum(const int *v, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += sink(v[i]);
  return s;
}

void must(int ok) {
  if (!ok) abort();
  sink(0);
}
