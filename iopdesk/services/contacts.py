"""Family and collateral contacts of a participant (front-desk content: demographics).

A contact is never deleted: one who should no longer be called is deactivated, and stays on
record (family sessions and past disclosures may name them).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from iopdesk.db.models import Contact as ContactRow
from iopdesk.db.models import Participant
from iopdesk.domain.chart import ContactInput, ContactView, check_contact
from iopdesk.domain.errors import Conflict
from iopdesk.services.changes import apply_changes, saving
from iopdesk.services.context import Actor, ServiceContext, get_or_404
from iopdesk.services.permissions import Permission, requires


def contact_view(row: ContactRow) -> ContactView:
    return ContactView(
        id=row.id, participant_id=row.participant_id, name=row.name,
        relationship=row.relationship_to_participant, phone=row.phone, email=row.email,
        address=row.address, is_guardian=row.is_guardian, is_emergency=row.is_emergency,
        may_contact=row.may_contact, notes=row.notes, active=row.active, version=row.version,
        updated_at=row.updated_at)


def _values(data: ContactInput) -> dict[str, object]:
    return {"name": data.name, "relationship_to_participant": data.relationship,
            "phone": data.phone, "email": data.email, "address": data.address,
            "is_guardian": data.is_guardian, "is_emergency": data.is_emergency,
            "may_contact": data.may_contact, "notes": data.notes}


def insert_contact(session: Session, participant_id: int, data: ContactInput) -> ContactRow:
    """Add a checked contact to `session` (also used by a registration in one transaction)."""
    row = ContactRow(participant_id=participant_id, active=True, **_values(data))
    session.add(row)
    session.flush()
    return row


class ContactService:
    def __init__(self, ctx: ServiceContext):
        self._ctx = ctx

    @requires(Permission.VIEW_DEMOGRAPHICS, "contacts.view")
    def list(self, actor: Actor, participant_id: int, *,
             include_inactive: bool = False) -> tuple[ContactView, ...]:
        """The participant's contacts: emergency contacts, then guardians, then by name."""
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            query = (select(ContactRow).where(ContactRow.participant_id == participant_id)
                     .order_by(ContactRow.active.desc(), ContactRow.is_emergency.desc(),
                               ContactRow.is_guardian.desc(), ContactRow.name, ContactRow.id))
            if not include_inactive:
                query = query.where(ContactRow.active.is_(True))
            result = tuple(contact_view(row) for row in session.scalars(query))
            self._ctx.audit(session, actor, "contacts.view", participant_id=participant_id,
                            entity="contacts")
            return result

    @requires(Permission.EDIT_DEMOGRAPHICS, "contacts.add")
    def add(self, actor: Actor, participant_id: int, data: ContactInput) -> ContactView:
        data = check_contact(data)
        with self._ctx.unit_of_work() as session:
            get_or_404(session, Participant, participant_id, "Participant")
            row = insert_contact(session, participant_id, data)
            self._ctx.audit(session, actor, "contacts.add", participant_id=participant_id,
                            entity="contacts", entity_id=row.id)
            return contact_view(row)

    @requires(Permission.EDIT_DEMOGRAPHICS, "contacts.update")
    def update(self, actor: Actor, contact_id: int, expected_version: int,
               data: ContactInput) -> ContactView:
        """Save an edit; refused (StaleVersion, the other change named) over a newer save."""
        data = check_contact(data)
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ContactRow, contact_id, "Contact")
            with saving(session, row, f"The contact {row.name}", expected=expected_version):
                changed = apply_changes(row, _values(data))
                self._ctx.audit(session, actor, "contacts.update",
                                participant_id=row.participant_id, entity="contacts",
                                entity_id=row.id, detail={"fields": changed})
            return contact_view(row)

    @requires(Permission.EDIT_DEMOGRAPHICS, "contacts.deactivate")
    def deactivate(self, actor: Actor, contact_id: int, expected_version: int) -> ContactView:
        """No longer a contact to call; the row stays on record (never deleted)."""
        with self._ctx.unit_of_work() as session:
            row = get_or_404(session, ContactRow, contact_id, "Contact")
            with saving(session, row, f"The contact {row.name}", expected=expected_version):
                if not row.active:
                    raise Conflict(f"The contact {row.name} is already inactive")
                row.active = False
                self._ctx.audit(session, actor, "contacts.deactivate",
                                participant_id=row.participant_id, entity="contacts",
                                entity_id=row.id, detail={"fields": ["active"]})
            return contact_view(row)
