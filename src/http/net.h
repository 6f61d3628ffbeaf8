/* net.h — what the HTTP server knows about the network beyond one request: addresses and CIDR
 * lists (trusted proxies, who may read /metrics), the real client behind a trusted proxy, and the
 * per-address limits (connections held, token buckets). Used by server.c only. */
#ifndef BEIAN_HTTP_NET_H
#define BEIAN_HTTP_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "core/err.h"

/* An IPv4 or IPv6 address; an IPv4-mapped IPv6 address (::ffff:a.b.c.d) is kept as IPv4. */
struct net_addr {
    int family;              /* AF_INET or AF_INET6 */
    unsigned char bytes[16]; /* 4 used for AF_INET */
};

/* A list of networks: "ADDR" or "ADDR/BITS", comma-separated. */
#define NET_LIST_MAX 32
struct net_list {
    size_t n;
    struct { struct net_addr addr; unsigned bits; } net[NET_LIST_MAX];
};

/* Parse text (an address, without port or brackets) into a; false when it is none. */
bool net_addr_parse(const char *text, size_t len, struct net_addr *a);
/* From a socket address; false for other families. */
bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *a);
void net_addr_format(const struct net_addr *a, char *buf, size_t len);

/* Parse "ADDR[/BITS],…" into list; what names the option in the message (e.g. "--trusted-proxy").
 * Host bits beyond the prefix are ignored. 0, or -1 with e set (ERR_USAGE). */
int net_list_parse(struct net_list *list, const char *text, const char *what, struct err *e);
bool net_list_contains(const struct net_list *list, const struct net_addr *a);

/* The client behind a chain of proxies: peer is the TCP peer; xff the X-Forwarded-For values in
 * the order received (each possibly a comma list). When the peer is in trusted, the hops are read
 * right to left and the first that is not a trusted proxy is the client (what a client writes at
 * the left of the header itself is never believed); an unparseable hop stops the walk at the last
 * good one. When the peer is not trusted the header is ignored. Returns true when the answer came
 * from the header. */
bool net_real_client(const struct net_addr *peer, const struct net_list *trusted,
                     const char *const *xff, size_t nxff, struct net_addr *client);

/* ---- per-address limits (limits.c) ------------------------------------------------------- */

/* Both count an IPv4 address by itself and an IPv6 address by its /64 (what one subscriber gets).
 * Connections held per address. Addresses go through a keyed hash (a random key per process) into
 * a fixed table, so memory is bounded whatever the number of clients, and no client can aim for
 * another's slot; two addresses that happen to share a slot share its limit (1 in NET_CONN_SLOTS). */
#define NET_CONN_SLOTS 8192
struct net_conn_table;
struct net_conn_table *net_conn_table_new(unsigned limit);
void net_conn_table_free(struct net_conn_table *t);
/* At accept: is there room for one more from a? A cheap look that spares MHD the work of a
 * connection it would refuse; threads accepting at once can all pass it, so it is not the limit. */
bool net_conn_admit(struct net_conn_table *t, const struct net_addr *a);
/* Count a connection that started, and set *slot to hand back to net_conn_release (always, the
 * count includes it until then). True when it is within the limit; false when it is over and must
 * be closed. That is the exact limit: at most `limit` connections of an address are ever held. */
bool net_conn_hold(struct net_conn_table *t, const struct net_addr *a, size_t *slot);
void net_conn_release(struct net_conn_table *t, size_t slot);

/* Token buckets per address: `per_minute` tokens a minute, at most `per_minute` saved up.
 * Same keyed-hash table as above; a colliding address takes the slot over with a full bucket
 * (which can only ever favour a client, never lock one out). */
#define NET_BUCKET_SLOTS 8192
struct net_buckets;
struct net_buckets *net_buckets_new(unsigned per_minute);
void net_buckets_free(struct net_buckets *b);
/* Take one token for the client address a; true when allowed, else false and *retry_after_s says
 * when the next token is there. */
bool net_buckets_take(struct net_buckets *b, const struct net_addr *a, unsigned *retry_after_s);

#endif
