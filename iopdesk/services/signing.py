"""Signing, one flow for every signed document (the intake today; plans, notes and discharge
summaries after it): the signer types their password again, and a clinician whose work needs
co-signature leaves the document awaiting a supervisor's (services.cosign: the queue and the
co-signature).

A signature's password is checked like a log-in's (argon2 outside the write lock, failures
counted toward the account's lockout and audited as the signing action, FAILED). A wrong
password signs nothing and says so at the password field.
"""

from __future__ import annotations

from datetime import datetime


from sqlalchemy.orm import Session

from iopdesk.db.models import Signature, StaffUser
from iopdesk.domain.enums import SignatureKind
from iopdesk.domain.errors import AccountLocked, ValidationError
from iopdesk.services.changes import saving
from iopdesk.services.context import Actor, ServiceContext
from iopdesk.services.staff import account_of, attempt_password, check_attempt
from iopdesk.services.accounts import verify_password as password_matches
from iopdesk.services.stored_settings import load_settings

WRONG_PASSWORD = "That is not your password; nothing was signed"


def signer_name(signer: StaffUser) -> str:
    return signer.display_name + (f", {signer.credentials}" if signer.credentials else "")


class SignerCheck:
    """The password a signature asks for: verified before the transaction (no write lock
    held during argon2), then counted in it. `refusal` is what to raise after the commit."""

    def __init__(self, ctx: ServiceContext, actor: Actor, password: str):
        check_attempt(password)
        self._ctx, self._actor, self._password = ctx, actor, password
        with ctx.session_factory() as session:
            row = session.get(StaffUser, actor.user_id)
            stored = row.password_hash if row is not None and row.active else None
        self._checked = (stored, password_matches(stored, password)) if stored else None
        self.refusal: Exception | None = None

    def signer(self, session: Session, action: str) -> StaffUser | None:
        """The signer's account when the password is theirs; None (and `refusal` set) when
        it is not, with the failure counted and audited in `session`."""
        row = session.get(StaffUser, self._actor.user_id)
        if row is None or not row.active:
            self.refusal = ValidationError({"password": WRONG_PASSWORD})
            return None
        with saving(session, row, account_of(row)):           # the lockout count
            refusal = attempt_password(self._ctx, session, row, self._password,
                                       load_settings(session), self._ctx.now(),
                                       action=action, actor=self._actor,
                                       checked=self._checked)
        if refusal is None:
            return row
        self.refusal = (refusal if isinstance(refusal, AccountLocked)
                        else ValidationError({"password": WRONG_PASSWORD}))
        return None

    def raise_refusal(self) -> None:
        if self.refusal is not None:
            raise self.refusal


def add_signature(session: Session, signer: StaffUser, kind: SignatureKind, at: datetime,
                  digest: str, **document: int) -> Signature:
    signature = Signature(kind=kind, signer_user_id=signer.id, signer_name=signer.display_name,
                          signer_credentials=signer.credentials, signed_at=at,
                          content_hash=digest, **document)
    session.add(signature)
    return signature


def may_cosign(session: Session, cosigner_id: int, author_id: int) -> bool:
    """Whether `cosigner_id` may co-sign the author's work: the author's supervisor, or any
    supervisor when the author has none; never the author."""
    if cosigner_id == author_id:
        return False
    author = session.get(StaffUser, author_id)
    return author is not None and author.supervisor_id in (None, cosigner_id)
