/* cert_pdf.h — the filing certificate (备案证明) as a one-page A4 PDF: Chinese with an English
 * line, drawn with cairo and pango in a Debian CJK font, a QR code (libqrencode) that opens the
 * public verification page, and the signed envelope embedded in the PDF's Keywords metadata as
 * "beian-envelope:<base64 of the envelope's JSON>", which `beian verify certificate FILE.pdf`
 * extracts (docs/trust.md). */
#ifndef BEIAN_CERT_PDF_H
#define BEIAN_CERT_PDF_H

#include <jansson.h>
#include <stddef.h>
#include "core/err.h"

/* The PDF bytes (malloc'd, *len set), or NULL with e. base_url: where the public verification
 * page lives, e.g. "https://beian.example.org" (the QR code opens base_url/#/verify/<number>). */
unsigned char *cert_pdf_render(const json_t *envelope, const char *base_url, size_t *len, struct err *e);
/* The public URL given to `beian serve --public-url` (NULL when none). */
const char *cert_pdf_public_url(void);
void cert_pdf_set_public_url(const char *url);
/* Release what fontconfig, pango and cairo keep for the process (at exit, so that leak checkers
 * see a clean heap). No rendering after it. */
void cert_pdf_shutdown(void);

#endif
