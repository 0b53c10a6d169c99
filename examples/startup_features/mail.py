"""``mail TO SUBJECT``: print a MIME message (the email package)."""

import email.message
import email.policy


def run(to: str, subject: str) -> str:
    msg = email.message.EmailMessage(policy=email.policy.SMTP)
    msg["To"] = to
    msg["From"] = "startup-profile@example.invalid"
    msg["Subject"] = subject
    msg.set_content("Sent by examples/startup_profile.py.\n")
    return msg.as_string()
