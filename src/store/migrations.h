/* migrations.h — the ordered list of schema migrations (migration i+1 is element i). */
#ifndef BEIAN_MIGRATIONS_H
#define BEIAN_MIGRATIONS_H
const char *const *migrations_list(int *count);
#endif
