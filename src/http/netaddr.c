/* netaddr.c — addresses, CIDR lists and the real client behind trusted proxies (see net.h).
 * Only what an operator names is trusted: X-Forwarded-For is a header any client can send. */
#include "http/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

static void unmap(struct net_addr *a)
{
    if (a->family == AF_INET6 && memcmp(a->bytes, V4_MAPPED, sizeof V4_MAPPED) == 0) {
        memmove(a->bytes, a->bytes + 12, 4);
        memset(a->bytes + 4, 0, 12);
        a->family = AF_INET;
    }
}

bool net_addr_parse(const char *text, size_t len, struct net_addr *a)
{
    char buf[INET6_ADDRSTRLEN];
    if (len == 0 || len >= sizeof buf) return false;
    memcpy(buf, text, len);
    buf[len] = '\0';
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, buf, a->bytes) == 1) {
        a->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, buf, a->bytes) == 1) {
        a->family = AF_INET6;
        unmap(a);
        return true;
    }
    return false;
}

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *a)
{
    memset(a, 0, sizeof *a);
    if (!sa) return false;
    if (sa->sa_family == AF_INET) {
        a->family = AF_INET;
        memcpy(a->bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        a->family = AF_INET6;
        memcpy(a->bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        unmap(a);
        return true;
    }
    return false;
}

void net_addr_format(const struct net_addr *a, char *buf, size_t len)
{
    if (!a->family || !inet_ntop(a->family, a->bytes, buf, (socklen_t)len)) snprintf(buf, len, "-");
}

int net_list_parse(struct net_list *list, const char *text, const char *what, struct err *e)
{
    memset(list, 0, sizeof *list);
    const char *p = text ? text : "";
    for (;;) {
        size_t len = strcspn(p, ",");
        while (len && (*p == ' ')) { p++; len--; }
        while (len && p[len - 1] == ' ') len--;
        const char *slash = memchr(p, '/', len);
        size_t alen = slash ? (size_t)(slash - p) : len;
        struct net_addr a;
        unsigned bits = 0;
        bool ok = list->n < NET_LIST_MAX && net_addr_parse(p, alen, &a);
        if (ok) {
            unsigned max = a.family == AF_INET ? 32 : 128;
            bits = max;
            if (slash) {
                char num[8];
                size_t nlen = len - alen - 1;
                char *end;
                ok = nlen > 0 && nlen < sizeof num;
                if (ok) {
                    memcpy(num, slash + 1, nlen);
                    num[nlen] = '\0';
                    unsigned long v = strtoul(num, &end, 10);
                    ok = *end == '\0' && num[0] >= '0' && num[0] <= '9' && v <= max;
                    bits = (unsigned)v;
                }
            }
        }
        if (!ok)
            return err_set(e, ERR_USAGE, NULL,
                           "%s: '%.*s' is not an IPv4 or IPv6 address or ADDR/BITS network (at most %d)",
                           "%s：“%.*s”不是 IPv4 或 IPv6 地址或 ADDR/BITS 网段（最多 %d 个）", what,
                           (int)(len > 64 ? 64 : len), p, NET_LIST_MAX);
        list->net[list->n].addr = a;
        list->net[list->n].bits = bits;
        list->n++;
        p += strcspn(p, ",");
        if (!*p) return 0;
        p++;
    }
}

static bool in_net(const struct net_addr *a, const struct net_addr *net, unsigned bits)
{
    if (a->family != net->family) return false;
    size_t whole = bits / 8;
    if (memcmp(a->bytes, net->bytes, whole) != 0) return false;
    unsigned rest = bits % 8;
    if (!rest) return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (a->bytes[whole] & mask) == (net->bytes[whole] & mask);
}

bool net_list_contains(const struct net_list *list, const struct net_addr *a)
{
    for (size_t i = 0; list && i < list->n; i++)
        if (in_net(a, &list->net[i].addr, list->net[i].bits)) return true;
    return false;
}

bool net_real_client(const struct net_addr *peer, const struct net_list *trusted,
                     const char *const *xff, size_t nxff, struct net_addr *client)
{
    *client = *peer;
    if (!net_list_contains(trusted, peer)) return false;
    bool from_header = false;
    for (size_t h = nxff; h-- > 0;) {
        const char *v = xff[h];
        size_t end = strlen(v);
        while (end > 0) {
            size_t start = end;
            while (start > 0 && v[start - 1] != ',') start--;
            size_t a = start, b = end;
            while (a < b && (v[a] == ' ' || v[a] == '\t')) a++;
            while (b > a && (v[b - 1] == ' ' || v[b - 1] == '\t')) b--;
            struct net_addr hop;
            if (!net_addr_parse(v + a, b - a, &hop)) return from_header;
            *client = hop;
            from_header = true;
            if (!net_list_contains(trusted, &hop)) return true;
            end = start ? start - 1 : 0;
        }
    }
    return from_header;
}
