/* webhook_target.c — where a webhook may point: http(s) only, and (unless the operator allows it)
 * never at loopback, private, link-local or unique-local addresses. The host is resolved and every
 * address checked; the sender connects to exactly the addresses checked (no second lookup). */
#include "service/webhooks.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static atomic_bool allow_private;

void webhook_allow_private(bool allow) { atomic_store(&allow_private, allow); }

static bool v4_private(const unsigned char *b)
{
    return b[0] == 127 || b[0] == 10 || b[0] == 0 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
           (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && (b[1] & 0xc0) == 64);
}

static bool addr_private(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) return v4_private((const unsigned char *)&((const struct sockaddr_in *)sa)->sin_addr);
    if (sa->sa_family != AF_INET6) return true;
    const unsigned char *b = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;
    static const unsigned char loop[16] = {[15] = 1}, any[16] = {0};
    if (memcmp(b, loop, 16) == 0 || memcmp(b, any, 16) == 0) return true;
    if ((b[0] & 0xfe) == 0xfc) return true;                      /* fc00::/7 */
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return true;      /* fe80::/10 */
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(b, mapped, 12) == 0) return v4_private(b + 12);   /* ::ffff:a.b.c.d */
    return false;
}

int webhook_target_check(const char *url, char *host, size_t host_len, int *port, char *pin, size_t pin_len,
                         struct err *e)
{
    const char *rest;
    int def;
    if (strncmp(url, "https://", 8) == 0) rest = url + 8, def = 443;
    else if (strncmp(url, "http://", 7) == 0) rest = url + 7, def = 80;
    else return err_set(e, ERR_VALIDATION, "/url", "the URL must start with http:// or https://",
                        "URL 须以 http:// 或 https:// 开头");
    size_t n = strcspn(rest, "/?#");
    char auth[300];
    if (n == 0 || n >= sizeof auth || memchr(rest, '@', n))
        return err_set(e, ERR_VALIDATION, "/url", "the URL needs a host (and no user name)", "URL 须包含主机名（不含用户名）");
    memcpy(auth, rest, n);
    auth[n] = 0;
    char *h = auth, *p = NULL;
    if (*h == '[') {
        char *close = strchr(h, ']');
        if (!close) return err_set(e, ERR_VALIDATION, "/url", "bad IPv6 host", "IPv6 主机格式错误");
        *close = 0;
        h++;
        if (close[1] == ':') p = close + 2;
    } else if ((p = strchr(h, ':'))) {
        *p++ = 0;
    }
    *port = def;
    if (p) {
        char *end;
        long v = strtol(p, &end, 10);
        if (*end || v <= 0 || v > 65535) return err_set(e, ERR_VALIDATION, "/url", "bad port", "端口错误");
        *port = (int)v;
    }
    snprintf(host, host_len, "%s", h);
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    if (getaddrinfo(h, NULL, &hints, &res) != 0 || !res)
        return err_set(e, ERR_VALIDATION, "/url", "the host %s does not resolve", "主机 %s 无法解析", h);
    bool allow = atomic_load(&allow_private);
    size_t used = 0;
    pin[0] = 0;
    int rc = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char txt[INET6_ADDRSTRLEN + 2] = "";
        const void *src = ai->ai_family == AF_INET ? (const void *)&((struct sockaddr_in *)ai->ai_addr)->sin_addr
                                                   : (const void *)&((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr;
        char bare[INET6_ADDRSTRLEN];
        if (!inet_ntop(ai->ai_family, src, bare, sizeof bare)) continue;
        if (!allow && addr_private(ai->ai_addr)) {
            rc = err_set(e, ERR_VALIDATION, "/url",
                         "the host %s resolves to %s, a loopback or private address; such targets are refused",
                         "主机 %s 解析为 %s，属于本机或内网地址，不允许作为目标", h, bare);
            break;
        }
        snprintf(txt, sizeof txt, ai->ai_family == AF_INET6 ? "[%s]" : "%s", bare);
        if (strstr(pin, txt)) continue;
        int w = snprintf(pin + used, pin_len - used, "%s%s", used ? "," : "", txt);
        if (w < 0 || (size_t)w >= pin_len - used) break;
        used += (size_t)w;
    }
    freeaddrinfo(res);
    if (rc == 0 && !pin[0]) rc = err_set(e, ERR_VALIDATION, "/url", "the host %s has no address", "主机 %s 没有地址", h);
    return rc;
}
