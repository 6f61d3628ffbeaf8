/* embed.c — build tool: turns a file into a C source defining `const unsigned char NAME[]` and
 * `const size_t NAME_len`, so the server ships its static documents inside the binary. */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: embed INPUT OUTPUT.c SYMBOL\n");
        return 2;
    }
    FILE *in = fopen(argv[1], "rb"), *out = fopen(argv[2], "w");
    if (!in || !out) {
        perror("embed");
        return 1;
    }
    fprintf(out, "#include <stddef.h>\nconst unsigned char %s[] = {", argv[3]);
    int ch;
    size_t n = 0;
    while ((ch = fgetc(in)) != EOF) {
        fprintf(out, "%s%d", n == 0 ? "\n" : (n % 20 ? "," : ",\n"), ch);
        n++;
    }
    fprintf(out, "%s0};\nconst size_t %s_len = %zu;\n", n ? "," : "", argv[3], n);
    fclose(in);
    return fclose(out) == 0 ? 0 : 1;
}
