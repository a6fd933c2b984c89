"""The report as an email: MIME structure, SMTP delivery with one-line errors, `.eml` files."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path

from etl.config import Config, SmtpConfig, secret_from_env
from etl.redact import redact
from etl.report.charts import Chart
from etl.report.errors import ReportError, SendError

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}
CID_DOMAIN = "shotlist.report"
MB = 1024 * 1024


def build_message(
    *,
    subject: str,
    sender: str,
    recipients: Sequence[str],
    text: str,
    html: str,
    charts: Sequence[Chart],
    attachments: Sequence[Path] = (),
) -> EmailMessage:
    """multipart/mixed[ alternative[ text/plain, related[ text/html, image/png... ] ], xlsx ]."""
    if not recipients:
        raise ReportError("no recipients: give --to ADDRESS or set recipients in the profile")
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain=CID_DOMAIN)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    parts = msg.get_payload()
    assert isinstance(parts, list)
    html_part = parts[1]
    assert isinstance(html_part, EmailMessage)
    for chart in charts:
        html_part.add_related(
            chart.png,
            maintype="image",
            subtype="png",
            cid=f"<{chart.cid}>",
            filename=f"{chart.name}.png",
            disposition="inline",
        )
    for path in attachments:
        maintype, subtype = XLSX_TYPE if path.suffix == ".xlsx" else ("application", "octet-stream")
        msg.add_attachment(
            path.read_bytes(), maintype=maintype, subtype=subtype, filename=path.name
        )
    return msg


def write_eml(msg: EmailMessage, path: Path) -> Path:
    """The message exactly as it would be sent, for `--dry-run` (opens in any mail client)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(msg.as_bytes(policy=SMTP))
    return path


def _password(config: Config, smtp: SmtpConfig) -> str | None:
    if smtp.username is None:
        return None
    if smtp.password_env is None:
        where = config.path or "configuration"
        raise SendError(f"{where}: smtp.username is set but smtp.password_env is not")
    return secret_from_env(smtp.password_env, config=config, key="smtp.password_env")


def send_message(config: Config, msg: EmailMessage) -> list[str]:
    """Hand the message to the configured SMTP server; returns the accepted recipients."""
    smtp = config.smtp
    if smtp is None:
        where = config.path or "configuration"
        raise SendError(f"{where}: no [smtp] section: cannot send (use --dry-run to write .eml)")
    password = _password(config, smtp)
    port = smtp.port or DEFAULT_PORTS[smtp.security]
    where = f"SMTP server {smtp.host}:{port}"
    recipients = [a.strip() for a in str(msg["To"]).split(",") if a.strip()]
    context = ssl.create_default_context()
    try:
        server: smtplib.SMTP
        if smtp.security == "ssl":
            server = smtplib.SMTP_SSL(smtp.host, port, timeout=smtp.timeout, context=context)
        else:
            server = smtplib.SMTP(smtp.host, port, timeout=smtp.timeout)
        with server:
            if smtp.security == "starttls":
                server.starttls(context=context)
            if smtp.username is not None and password is not None:
                server.login(smtp.username, password)
            refused = server.send_message(msg, from_addr=smtp.from_, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(
            f"{where}: authentication failed for user {smtp.username!r}: "
            f"{exc.smtp_code} {_text(exc.smtp_error)}"
        ) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise SendError(f"{where}: {exc} (check smtp.security)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        addresses = ", ".join(sorted(exc.recipients))
        raise SendError(f"{where}: every recipient was refused: {addresses}") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{where}: refused: {exc.smtp_code} {_text(exc.smtp_error)}") from None
    except ssl.SSLError as exc:
        raise SendError(f"{where}: TLS failed: {exc.reason or exc} (check smtp.security)") from None
    except TimeoutError:
        raise SendError(f"{where}: no answer within {smtp.timeout:g} s") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise SendError(redact(f"{where}: cannot connect: {reason}")) from None
    return [r for r in recipients if r not in refused]


def _text(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
    return redact(" ".join(text.split()))


# A composer makes the whole message for one attachment (None: none) and the note saying why
# the attachment differs from the workbook on disk (None: it does not).
Composer = Callable[[Path | None, str | None], EmailMessage]


@dataclass(frozen=True)
class FittedMessage:
    message: EmailMessage
    attached: str  # "workbook", "without_deliverables" or "nothing"
    size: int  # bytes of the message as sent


def message_size(msg: EmailMessage) -> int:
    """Bytes on the wire: attachments are base64, a third larger than the file."""
    return len(msg.as_bytes(policy=SMTP))


def megabytes(size: float) -> str:
    return f"{size / MB:.1f} MB"


def fit_message(
    compose: Composer,
    workbook: Path,
    *,
    limit_mb: float,
    slim: Callable[[], Path] | None,
) -> FittedMessage:
    """The message with the full workbook when it fits under `limit_mb`, else with `slim()`.

    `slim()` writes the workbook without its Deliverables sheet; when even that is too big the
    mail has no workbook. Either way the mail says so, and where the full one is on disk.
    """
    limit = int(limit_mb * MB)
    msg = compose(workbook, None)
    size = message_size(msg)
    if size <= limit:
        return FittedMessage(msg, "workbook", size)
    cap = f"{limit_mb:g} MB"
    full_size = megabytes(workbook.stat().st_size)
    if slim is not None:
        note = (
            f"The attached workbook leaves out the Deliverables sheet to keep this mail under "
            f"{cap}; the full workbook ({full_size}) is on the report machine at {workbook}."
        )
        msg = compose(slim(), note)
        size = message_size(msg)
        if size <= limit:
            return FittedMessage(msg, "without_deliverables", size)
    note = (
        f"No workbook is attached: even without its largest sheet it would make this mail "
        f"larger than {cap}. The full workbook ({full_size}) is on the report machine at "
        f"{workbook}."
        if slim is not None
        else f"No workbook is attached: it would make this mail larger than {cap}. The full "
        f"workbook ({full_size}) is on the report machine at {workbook}."
    )
    msg = compose(None, note)
    return FittedMessage(msg, "nothing", message_size(msg))
