/* cli_pack.c — resolves the pack the policy subcommands work on (cli_pack.h).
 *
 * ID@VERSION is looked up under the policy root (app_policy_root(), i.e. $BEIAN_POLICY_DIR or the
 * built-in policy/ directory) as the directory ID, whose manifest must carry VERSION. Installed
 * packs hold one version per directory for now; when several versions are installed side by side
 * (`beian policy install`, issue 3), this is the one place that must learn to pick among them. */
#include "cli/cli_pack.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "service/app.h"

static bool is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_pack_open(const char *spec, struct pack **out, struct err *e)
{
    char dir[4200];
    *out = NULL;
    if (!spec) {
        snprintf(dir, sizeof dir, "%s/cn-cloud", app_policy_root());
        return pack_load(dir, out, e);
    }
    const char *at = strchr(spec, '@');
    if (!at || is_dir(spec))
        return pack_load(spec, out, e);
    char id[128];
    if ((size_t)(at - spec) >= sizeof id || at == spec || !at[1] || strchr(spec, '/'))
        return err_set(e, ERR_USAGE, NULL, "--pack %s: expected a directory or ID@VERSION",
                       "--pack %s：应为目录或 ID@VERSION", spec);
    snprintf(id, sizeof id, "%.*s", (int)(at - spec), spec);
    snprintf(dir, sizeof dir, "%s/%s", app_policy_root(), id);
    if (!is_dir(dir))
        return err_set(e, ERR_USAGE, NULL, "Policy pack %s is not installed (no directory %s)",
                       "未安装策略包 %s（没有目录 %s）", spec, dir);
    struct pack *p;
    if (pack_load(dir, &p, e) != 0)
        return -1;
    if (strcmp(p->version, at + 1) != 0) {
        err_set(e, ERR_USAGE, NULL, "Policy pack %s is not installed: %s holds %s@%s",
                "未安装策略包 %s：%s 中是 %s@%s", spec, dir, p->id, p->version);
        pack_free(p);
        return -1;
    }
    *out = p;
    return 0;
}
