/* cmd_init.c — `beian init DIR [--demo]`: create a data directory with the platform
 * administrator, and with --demo one organisation of each kind and one user per role. Every
 * user's password is random and printed once as a `role login password` line. */
#include "cli/cli.h"
#include "service/app.h"
#include "service/auth.h"
#include "service/orgs.h"

#include <errno.h>
#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void random_password(char *buf, size_t len)
{
    static const char alphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    for (size_t i = 0; i + 1 < len; i++) buf[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    buf[len - 1] = 0;
}

static int64_t add_org(struct app *a, const struct principal *op, const char *kind, const char *name,
                       const char *uscc, const char *region, const char *jurisdiction, struct err *e)
{
    json_t *in = json_pack("{s:s s:s s:s s:s}", "kind", kind, "name", name, "uscc", uscc, "region", region);
    if (jurisdiction) json_object_set_new(in, "jurisdiction", json_pack("[s]", jurisdiction));
    int64_t id = org_create(a, op, in, e);
    json_decref(in);
    return id;
}

static int add_user(struct app *a, const struct principal *op, int64_t org, const char *login, const char *name,
                    const char *role, struct err *e)
{
    char pw[17];
    /* cracklib calls about one random string in 500 "too simplistic/systematic": draw again */
    struct err weak = {0};
    int tries = 0;
    do {
        err_clear(&weak);
        random_password(pw, sizeof pw);
    } while (auth_password_acceptable(pw, login, name, &weak) != 0 && weak.code == ERR_VALIDATION && ++tries < 100);
    err_clear(&weak);
    json_t *in = json_pack("{s:I s:s s:s s:[s] s:s}", "org_id", (json_int_t)org, "login", login, "name", name,
                           "roles", role, "password", pw);
    int64_t id = user_create(a, op, in, e);
    json_decref(in);
    if (id < 0) return -1;
    printf("%s %s %s\n", role, login, pw);
    return 0;
}

int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {{"demo", no_argument, NULL, 'D'}, {"help", no_argument, NULL, 'h'},
                                         {"store", required_argument, NULL, 'Q'}, {NULL, 0, NULL, 0}};
    bool demo = false;
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'D': demo = true; break;
        case 'Q': setenv("BEIAN_STORE", optarg, 1); break;   /* app_open reads it */
        case 'h':
            printf("usage: beian init DIR [--demo] [--store URI]\n"
                   "Creates the data directory DIR with a platform administrator. With --demo it also\n"
                   "creates a demo enterprise, cloud provider and authority (jurisdiction Beijing, 110000)\n"
                   "with one user per role. Prints each user as a line: role login password.\n"
                   "With --store postgresql://… (or $BEIAN_STORE) the data goes to that PostgreSQL database,\n"
                   "whose schema it creates; DIR keeps the keys and installed policy packs.\n");
            return EXIT_OK;
        default: return cli_usage("init", "unknown option");
        }
    }
    if (optind + 1 != argc) return cli_usage("init", "give exactly one data directory");
    const char *dir = argv[optind];
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "beian: cannot create %s: %s\n", dir, strerror(errno));
        return EXIT_FAIL;
    }
    char db[4200];
    snprintf(db, sizeof db, "%s/beian.db", dir);
    struct stat sb;
    char remembered[4200];
    snprintf(remembered, sizeof remembered, "%s/store.uri", dir);
    if (stat(db, &sb) == 0 || stat(remembered, &sb) == 0) {
        fprintf(stderr, "beian: %s is already a beian data directory; nothing changed\n", dir);
        return EXIT_FAIL;
    }
    struct app *a;
    if (cli_open(&a, dir, true) != 0) return EXIT_FAIL;
    struct principal op;
    principal_operator(&op);
    struct err e = {0};
    int rc = EXIT_OK;
    int64_t platform = add_org(a, &op, "platform", "beian 平台", "91110105MA00000038", "110000", NULL, &e);
    if (platform < 0 || add_user(a, &op, platform, "admin", "平台管理员", "admin", &e) != 0) goto fail;
    if (demo) {
        int64_t ent = add_org(a, &op, "enterprise", "北京云帆数据科技有限公司", "91110000600037341L", "110105", NULL, &e);
        int64_t prov = ent < 0 ? -1 : add_org(a, &op, "provider", "示例云计算有限公司", "91350200776049653A", "350200", NULL, &e);
        int64_t auth = prov < 0 ? -1 : add_org(a, &op, "authority", "北京市业务系统上云备案管理部门", "11110000MB01234562",
                                                "110000", "110000", &e);
        if (auth < 0 || add_user(a, &op, ent, "filer", "张填报", "filer", &e) ||
            add_user(a, &op, ent, "checker", "李审核", "checker", &e) ||
            add_user(a, &op, ent, "entadmin", "王管理", "org_admin", &e) ||
            add_user(a, &op, prov, "provider", "赵云商", "provider", &e) ||
            add_user(a, &op, prov, "provadmin", "钱云管", "org_admin", &e) ||
            add_user(a, &op, auth, "reviewer", "孙审查", "reviewer", &e) ||
            add_user(a, &op, auth, "authadmin", "周主管", "authority_admin", &e))
            goto fail;
        fprintf(stderr, "beian: demo organisations: enterprise %lld, provider %lld, authority %lld\n", (long long)ent,
                (long long)prov, (long long)auth);
    }
    goto done;
fail:
    rc = cli_fail(&e);
done:
    err_clear(&e);
    app_close(a);
    return rc;
}
