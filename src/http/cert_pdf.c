/* cert_pdf.c — the filing certificate as an A4 PDF (see cert_pdf.h). cairo draws, pango lays out
 * the Chinese text in the CJK font fontconfig finds (Debian's fonts-wqy-microhei), libqrencode
 * makes the QR code. Debian's cairo is 1.16, without custom PDF metadata (1.18), so the signed
 * envelope travels base64-encoded in the standard Keywords entry of the document information. */
#include "http/cert_pdf.h"
#include "core/sign.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <fontconfig/fontconfig.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define A4_W 595.28
#define A4_H 841.89
#define FONT "WenQuanYi Micro Hei"

static char public_url[512];
const char *cert_pdf_public_url(void) { return public_url[0] ? public_url : NULL; }
void cert_pdf_set_public_url(const char *url)
{
    snprintf(public_url, sizeof public_url, "%s", url ? url : "");
    size_t n = strlen(public_url);
    while (n && public_url[n - 1] == '/') public_url[--n] = 0;
}

struct buf { unsigned char *data; size_t len, cap; bool failed; };

static cairo_status_t buf_write(void *closure, const unsigned char *data, unsigned int length)
{
    struct buf *b = closure;
    if (b->len + length > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 65536;
        while (cap < b->len + length) cap *= 2;
        unsigned char *p = realloc(b->data, cap);
        if (!p) { b->failed = true; return CAIRO_STATUS_WRITE_ERROR; }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, length);
    b->len += length;
    return CAIRO_STATUS_SUCCESS;
}

static const char *jstr(const json_t *o, const char *k) { return json_string_value(json_object_get(o, k)); }

/* Draw text at (x, y) in width w; returns its height. */
static double text(cairo_t *cr, double x, double y, double w, const char *font, const char *s, bool center)
{
    PangoLayout *l = pango_cairo_create_layout(cr);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_layout_set_width(l, (int)(w * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    if (center) pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
    pango_layout_set_text(l, s ? s : "", -1);
    cairo_move_to(cr, x, y);
    pango_cairo_show_layout(cr, l);
    int pw, ph;
    pango_layout_get_size(l, &pw, &ph);
    pango_font_description_free(fd);
    g_object_unref(l);
    return (double)ph / PANGO_SCALE;
}

static double row_in(cairo_t *cr, double y, const char *zh, const char *en, const char *value, const char *font)
{
    char label[160];
    snprintf(label, sizeof label, "%s\n%s", zh, en);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    double h1 = text(cr, 70, y, 125, FONT " 8.5", label, false);
    cairo_set_source_rgb(cr, 0, 0, 0);
    double h2 = text(cr, 200, y, 330, font, value, false);
    return (h1 > h2 ? h1 : h2) + 6;
}

static double row(cairo_t *cr, double y, const char *zh, const char *en, const char *value)
{
    return row_in(cr, y, zh, en, value, FONT " 10.5");
}

static void qr(cairo_t *cr, const char *url, double x, double y, double size)
{
    QRcode *q = QRcode_encodeString(url, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q) return;
    double m = size / (q->width + 8);   /* a quiet zone of 4 modules */
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_rectangle(cr, x, y, size, size);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (int r = 0; r < q->width; r++)
        for (int c = 0; c < q->width; c++)
            if (q->data[r * q->width + c] & 1) cairo_rectangle(cr, x + (c + 4) * m, y + (r + 4) * m, m, m);
    cairo_fill(cr);
    QRcode_free(q);
}

static const char *state_zh(const char *s)
{
    if (!s) return "";
    if (strcmp(s, "filed") == 0) return "已备案 filed";
    if (strcmp(s, "cancelled") == 0) return "已注销 cancelled";
    if (strcmp(s, "revoked") == 0) return "已撤销 revoked";
    return s;
}

unsigned char *cert_pdf_render(const json_t *envelope, const char *base_url, size_t *len, struct err *e)
{
    const json_t *st = json_object_get(envelope, "statement");
    char *env_text = sign_canonical(envelope);
    char *env_b64 = env_text ? sign_b64(env_text, strlen(env_text)) : NULL;
    free(env_text);
    if (!env_b64) { err_set(e, ERR_INTERNAL, NULL, "out of memory", "内存不足"); return NULL; }
    struct buf b = {0};
    cairo_surface_t *s = cairo_pdf_surface_create_for_stream(buf_write, &b, A4_W, A4_H);
    char *keywords = malloc(strlen(env_b64) + 32);
    if (keywords) {
        sprintf(keywords, "beian-envelope:%s", env_b64);
        cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_KEYWORDS, keywords);
    }
    free(keywords);
    free(env_b64);
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_TITLE, "Filing certificate");
    cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "beian");
    cairo_t *cr = cairo_create(s);

    /* a frame */
    cairo_set_source_rgb(cr, 0.62, 0.1, 0.1);
    cairo_set_line_width(cr, 2.5);
    cairo_rectangle(cr, 36, 36, A4_W - 72, A4_H - 72);
    cairo_stroke(cr);
    cairo_set_line_width(cr, 0.8);
    cairo_rectangle(cr, 42, 42, A4_W - 84, A4_H - 84);
    cairo_stroke(cr);

    double y = 66;
    cairo_set_source_rgb(cr, 0.62, 0.1, 0.1);
    y += text(cr, 50, y, A4_W - 100, FONT " Bold 24", "业务系统上云备案证明", true) + 4;
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    y += text(cr, 50, y, A4_W - 100, FONT " 11", "Certificate of filing: business system moved to the cloud", true) + 18;

    const json_t *subj = json_object_get(st, "subject"), *sys = json_object_get(st, "system"),
                 *signer = json_object_get(st, "signer"), *audit = json_object_get(st, "audit");
    char v[600];
    y += row(cr, y, "备案编号", "Filing number", jstr(st, "number"));
    snprintf(v, sizeof v, "%s\n统一社会信用代码 USCC %s", jstr(subj, "name") ? jstr(subj, "name") : "",
             jstr(subj, "uscc") ? jstr(subj, "uscc") : "");
    y += row(cr, y, "备案主体", "Subject", v);
    y += row(cr, y, "系统名称", "System", jstr(sys, "name"));
    const char *ft = jstr(st, "filing_type") ? jstr(st, "filing_type") : "";
    snprintf(v, sizeof v, "%s %s",
             strcmp(ft, "strict") == 0 ? "重点备案" : strcmp(ft, "standard") == 0 ? "一般备案"
             : strcmp(ft, "simplified") == 0 ? "简易备案" : "",
             *ft ? ft : "—");
    y += row(cr, y, "备案类型", "Filing type", v);
    if (json_is_integer(json_object_get(st, "protection_level")))
        snprintf(v, sizeof v, "第%lld级 level %lld", (long long)json_integer_value(json_object_get(st, "protection_level")),
                 (long long)json_integer_value(json_object_get(st, "protection_level")));
    else snprintf(v, sizeof v, "—");
    y += row(cr, y, "安全保护等级", "Protection level", v);
    snprintf(v, sizeof v, "%s", state_zh(jstr(st, "state")));
    y += row(cr, y, "状态", "State", v);
    snprintf(v, sizeof v, "%.10s", jstr(st, "filed_at") ? jstr(st, "filed_at") : "");
    y += row(cr, y, "备案日期", "Filed on", v);
    snprintf(v, sizeof v, "第 %lld 版 version %lld", (long long)json_integer_value(json_object_get(st, "record_version")),
             (long long)json_integer_value(json_object_get(st, "record_version")));
    y += row(cr, y, "备案记录版本", "Record version", v);
    y += row_in(cr, y, "文档 SHA-256", "Document hash", jstr(st, "document_sha256") ? jstr(st, "document_sha256") : "",
                "Monospace 7");
    y += row(cr, y, "备案管理部门", "Authority", jstr(signer, "name"));
    snprintf(v, sizeof v, "Ed25519 %s\n审计日志第 %lld 条（共 %lld 条）audit entry %lld of %lld",
             jstr(st, "key_id") ? jstr(st, "key_id") : "",
             (long long)json_integer_value(json_object_get(audit, "index")) + 1,
             (long long)json_integer_value(json_object_get(audit, "tree_size")),
             (long long)json_integer_value(json_object_get(audit, "index")) + 1,
             (long long)json_integer_value(json_object_get(audit, "tree_size")));
    y += row(cr, y, "签名与审计", "Signature and log", v);
    snprintf(v, sizeof v, "%.19s UTC", jstr(st, "issued_at") ? jstr(st, "issued_at") : "");
    row(cr, y, "签发时间", "Issued", v);

    /* the QR code opens the public verification of the number */
    char url[1200], enc[400] = "";
    const char *num = jstr(st, "number") ? jstr(st, "number") : "";
    for (size_t i = 0, o = 0; num[i] && o + 4 < sizeof enc; i++) {
        unsigned char ch = (unsigned char)num[i];
        if ((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-' || ch == '_' || ch == '.')
            enc[o++] = (char)ch;
        else o += (size_t)snprintf(enc + o, sizeof enc - o, "%%%02X", ch);
    }
    snprintf(url, sizeof url, "%s/verify?number=%s", base_url, enc);
    double qy = A4_H - 232;
    qr(cr, url, A4_W - 210, qy, 140);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text(cr, A4_W - 230, qy + 142, 180, FONT " 8", "扫码公开查验 Scan to verify", true);
    text(cr, 70, qy + 10, 290, FONT " 8",
         "本证明由备案管理部门以其 Ed25519 密钥签名；签名的声明嵌入本文件，"
         "可用 beian verify certificate 离线查验，公开密钥见 /.well-known/beian-keys.json。\n"
         "The authority signed this certificate with its Ed25519 key. The signed statement is embedded in this "
         "PDF: check it offline with `beian verify certificate` and the published keys.",
         false);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text(cr, 70, qy + 110, 290, "Monospace 6.5", url, false);

    cairo_show_page(cr);
    cairo_destroy(cr);
    cairo_surface_finish(s);
    cairo_status_t cs = cairo_surface_status(s);
    cairo_surface_destroy(s);
    if (cs != CAIRO_STATUS_SUCCESS || b.failed) {
        free(b.data);
        err_set(e, ERR_INTERNAL, NULL, "cannot draw the certificate: %s", "无法生成备案证明：%s", cairo_status_to_string(cs));
        return NULL;
    }
    *len = b.len;
    return b.data;
}

void cert_pdf_shutdown(void)
{
    pango_cairo_font_map_set_default(NULL);
    cairo_debug_reset_static_data();
    FcFini();
}
