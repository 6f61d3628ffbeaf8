# smtp_sink.py — a tiny SMTP server for the notification tests (Debian's python3-aiosmtpd):
# every message it receives is written to DIR as JSON {mail_from, rcpt_tos, subject, content_language,
# body}, decoded. Usage: python3 smtp_sink.py PORT DIR ; prints "ready" once listening.
import asyncio, email, email.header, email.policy, json, os, sys, time
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)


class Sink:
    n = 0

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        Sink.n += 1
        rec = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'to': str(msg['To']),
            'subject': str(msg['Subject']),
            'content_language': str(msg['Content-Language']),
            'body': msg.get_content(),
        }
        path = os.path.join(out, '%06d.json' % Sink.n)
        with open(path + '.tmp', 'w', encoding='utf-8') as f:
            json.dump(rec, f, ensure_ascii=False)
        os.rename(path + '.tmp', path)
        return '250 OK'


c = Controller(Sink(), hostname='127.0.0.1', port=port)
c.start()
print('ready', flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
